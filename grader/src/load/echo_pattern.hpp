#pragma once
/// @file echo_pattern.hpp
/// @brief What the benchmark client sends, and how it checks what comes back.
///
/// Each connection sends an endless pseudo-random byte stream: a window onto one shared
/// random block, starting at a different place per connection. Nothing sent has to be
/// kept: the byte expected at stream offset k is recomputed from the block, so checking
/// every echoed byte costs one memcmp and no allocation.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace c10k::grader {

class EchoPattern {
public:
    /// A random block of @p size bytes from @p seed (size should exceed the largest message).
    explicit EchoPattern(std::uint64_t seed, std::size_t size = 1u << 20);

    /// The bytes of connection @p connection's stream from @p offset on, up to @p max of
    /// them (fewer where the block wraps around: call again for the rest).
    [[nodiscard]] std::span<const std::uint8_t> bytes(std::uint64_t connection, std::uint64_t offset,
                                                      std::size_t max) const;

    /// The first position in @p received (which starts at stream offset @p offset) that
    /// differs from connection @p connection's stream, or nullopt if all match.
    [[nodiscard]] std::optional<std::size_t> first_mismatch(std::uint64_t connection, std::uint64_t offset,
                                                            std::span<const std::uint8_t> received) const;

    /// Where @p received (which arrived at stream offset @p offset, where it does not match)
    /// repeats bytes from earlier in connection @p connection's stream: the offset it
    /// repeats from, searched over the last 64 KiB, or nullopt. A server that echoes a
    /// chunk twice shows up here when the extra copy arrives after the next message was sent.
    [[nodiscard]] std::optional<std::uint64_t> repeats_from(std::uint64_t connection, std::uint64_t offset,
                                                            std::span<const std::uint8_t> received) const;

    /// The byte expected at @p offset of connection @p connection's stream.
    [[nodiscard]] std::uint8_t expected(std::uint64_t connection, std::uint64_t offset) const;

private:
    [[nodiscard]] std::size_t position(std::uint64_t connection, std::uint64_t offset) const;
    std::vector<std::uint8_t> block_;
};

}  // namespace c10k::grader
