#pragma once
/// @file body_pattern.hpp
/// @brief The origin's response bodies: N bytes anyone can recompute from (seed, N), every
/// byte value included, so a client checks a relayed body byte for byte without storing it.

#include <cstddef>
#include <cstdint>
#include <string>

namespace c10k::origin {

/// Byte @p index of the body for @p seed.
std::uint8_t body_byte(std::uint64_t seed, std::uint64_t index);

/// Bytes [@p offset, @p offset + @p length) of the body for @p seed.
std::string body_bytes(std::uint64_t seed, std::uint64_t offset, std::size_t length);

}  // namespace c10k::origin
