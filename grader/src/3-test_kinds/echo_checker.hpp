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

/// nullopt when @p received equals @p expected; otherwise one line saying how they
/// differ: "byte 4096 differs: expected 0x3a, got 0x00", "got 100 of 4096 bytes
/// (all 100 correct)", or "got 4100 bytes, 4 more than the 4096 sent".
std::optional<std::string> describe_echo_mismatch(std::span<const std::uint8_t> expected,
                                                  std::span<const std::uint8_t> received);

}  // namespace c10k::grader
