#pragma once
/// @file latency_histogram.hpp
/// @brief A log-linear latency histogram: constant memory, ~3% relative error.
///
/// Keeping every sample of a million-message run costs memory and a sort; a histogram
/// with 32 linear sub-buckets per power of two (the HdrHistogram idea) keeps any
/// percentile within 1/32 of the true value, whatever the range, in a few KiB.

#include <cstdint>
#include <vector>

namespace c10k::grader {

class LatencyHistogram {
public:
    LatencyHistogram();

    /// Adds one sample, in nanoseconds (values past ~18 minutes are clamped).
    void record(std::uint64_t nanoseconds);
    /// Adds every sample of @p other (for merging per-thread histograms).
    void merge(const LatencyHistogram& other);

    [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
    [[nodiscard]] std::uint64_t max() const noexcept { return max_; }
    [[nodiscard]] std::uint64_t min() const noexcept { return count_ ? min_ : 0; }
    [[nodiscard]] double mean() const noexcept;
    /// The value at quantile @p q (0.5 = median, 0.999 = p99.9): the highest value of the
    /// bucket holding that sample, but never more than the exact maximum. 0 when empty.
    [[nodiscard]] std::uint64_t quantile(double q) const;

    /// Bucket arithmetic, public for the tests: the bucket of a value, and a bucket's range.
    static std::size_t bucket_of(std::uint64_t value) noexcept;
    static std::uint64_t bucket_lowest(std::size_t bucket) noexcept;
    static std::uint64_t bucket_highest(std::size_t bucket) noexcept;

private:
    std::vector<std::uint64_t> buckets_;
    std::uint64_t count_ = 0;
    std::uint64_t min_ = UINT64_MAX;
    std::uint64_t max_ = 0;
    long double sum_ = 0;
};

}  // namespace c10k::grader
