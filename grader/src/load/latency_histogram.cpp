#include "load/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace c10k::grader {
namespace {
// 2^5 = 32 sub-buckets per power of two: a bucket is at most 1/32 of its values wide.
constexpr unsigned sub_bucket_bits = 5;
constexpr std::uint64_t sub_buckets = 1u << sub_bucket_bits;
constexpr std::uint64_t largest = (1ull << 40) - 1;  // ~18 minutes in ns

// Values below 64 have buckets of width 1; above, each power of two [2^e, 2^(e+1)) is cut
// into 32 buckets of width 2^(e-5). `shift` is that width's exponent.
unsigned shift_of(std::uint64_t value) noexcept {
    unsigned top_bit = 63u - static_cast<unsigned>(std::countl_zero(value | 1));
    return top_bit > sub_bucket_bits ? top_bit - sub_bucket_bits : 0;
}
}  // namespace

LatencyHistogram::LatencyHistogram() : buckets_(bucket_of(largest) + 1, 0) {}

std::size_t LatencyHistogram::bucket_of(std::uint64_t value) noexcept {
    value = std::min(value, largest);
    unsigned shift = shift_of(value);
    return shift * sub_buckets + (value >> shift);
}

std::uint64_t LatencyHistogram::bucket_lowest(std::size_t bucket) noexcept {
    if (bucket < 2 * sub_buckets) return bucket;
    // bucket = shift * 32 + top, with top in [32, 64).
    std::uint64_t shift = bucket / sub_buckets - 1;
    std::uint64_t top = bucket - shift * sub_buckets;
    return top << shift;
}

std::uint64_t LatencyHistogram::bucket_highest(std::size_t bucket) noexcept {
    return bucket_lowest(bucket + 1) - 1;
}

void LatencyHistogram::record(std::uint64_t nanoseconds) {
    ++buckets_[bucket_of(nanoseconds)];
    ++count_;
    min_ = std::min(min_, nanoseconds);
    max_ = std::max(max_, nanoseconds);
    sum_ += static_cast<long double>(nanoseconds);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
    for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
    count_ += other.count_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
    sum_ += other.sum_;
}

double LatencyHistogram::mean() const noexcept {
    return count_ ? static_cast<double>(sum_ / static_cast<long double>(count_)) : 0.0;
}

std::uint64_t LatencyHistogram::quantile(double q) const {
    if (count_ == 0) return 0;
    q = std::clamp(q, 0.0, 1.0);
    auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
    rank = std::clamp<std::uint64_t>(rank, 1, count_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        seen += buckets_[i];
        if (seen >= rank) return std::clamp(bucket_highest(i), min(), max_);
    }
    return max_;
}

}  // namespace c10k::grader
