#include "origin/body_pattern.hpp"

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
    std::uint64_t word = 0, word_index = ~0ULL;  // one mix per 8 bytes
    for (std::size_t i = 0; i < length; ++i) {
        std::uint64_t index = offset + i;
        if (index / 8 != word_index) {
            word_index = index / 8;
            word = mix(seed * 0x100000001b3ULL + word_index);
        }
        bytes[i] = static_cast<char>(word >> (8 * (index % 8)));
    }
    return bytes;
}

}  // namespace c10k::origin
