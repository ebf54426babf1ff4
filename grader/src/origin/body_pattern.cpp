#include "origin/body_pattern.hpp"

#include <bit>
#include <cstring>

namespace c10k::origin {
namespace {

// splitmix64: one well-mixed 64-bit word per 8 bytes of body.
std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

}  // namespace

std::uint8_t body_byte(std::uint64_t seed, std::uint64_t index) {
    return static_cast<std::uint8_t>(mix(seed * 0x100000001b3ULL + index / 8) >> (8 * (index % 8)));
}

std::string body_bytes(std::uint64_t seed, std::uint64_t offset, std::size_t length) {
    std::string bytes(length, '\0');
    std::size_t i = 0;
    // Whole words at once where the machine stores them in the pattern's byte order (byte k
    // of a word is word >> 8k): a 64 KiB body byte by byte was half of make race-proxy's
    // CPU time at 64 KiB, and every proxy waited for the origin alike.
    if constexpr (std::endian::native == std::endian::little) {
        for (; i < length && (offset + i) % 8 != 0; ++i) bytes[i] = static_cast<char>(body_byte(seed, offset + i));
        for (; i + 8 <= length; i += 8) {
            std::uint64_t word = mix(seed * 0x100000001b3ULL + (offset + i) / 8);
            std::memcpy(bytes.data() + i, &word, sizeof word);
        }
    }
    for (; i < length; ++i) bytes[i] = static_cast<char>(body_byte(seed, offset + i));
    return bytes;
}

}  // namespace c10k::origin
