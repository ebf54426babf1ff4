#pragma once
/// @file echo_checker.hpp
/// @brief Payloads the server cannot guess, and what to say when the echo differs.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace c10k::grader {

using Bytes = std::vector<std::uint8_t>;

/// @p size random bytes (never a fixed pattern, so nothing can be hard-coded).
Bytes random_bytes(std::size_t size, std::mt19937_64& random);

/// The offset of the first byte where @p received differs from @p expected, or
/// nullopt when @p received is a prefix of @p expected (possibly all of it).
std::optional<std::size_t> first_difference(std::span<const std::uint8_t> expected,
                                            std::span<const std::uint8_t> received);

/// How an echo differs from what was sent, and the bug that usually causes it.
struct EchoMismatch {
    std::string reason;  ///< one line: "1200 bytes missing at offset 65536: ..."
    std::string hint;    ///< empty for a short echo (only the connection knows why it stopped)
};

/// nullopt when @p received equals @p expected; otherwise how they differ. From the first
/// wrong byte on, the received bytes are looked for in what was sent (payloads are
/// random, so 32 bytes identify a place): later -- bytes are missing; earlier -- bytes
/// are repeated; nowhere -- bytes nobody sent. Also "got 100 of 4096 bytes (all 100
/// correct)" and "got 4100 bytes, 4 more than the 4096 sent".
std::optional<EchoMismatch> describe_echo_mismatch(std::span<const std::uint8_t> expected,
                                                   std::span<const std::uint8_t> received);

}  // namespace c10k::grader
