#include "3-test_kinds/echo_checker.hpp"

#include <algorithm>
#include <cstdio>
#include <functional>

namespace c10k::grader {

Bytes random_bytes(std::size_t size, std::mt19937_64& random) {
    Bytes bytes(size);
    std::size_t i = 0;
    for (; i + 8 <= size; i += 8) {
        std::uint64_t word = random();
        for (int b = 0; b < 8; ++b) bytes[i + b] = static_cast<std::uint8_t>(word >> (8 * b));
    }
    for (std::uint64_t word = random(); i < size; ++i, word >>= 8)
        bytes[i] = static_cast<std::uint8_t>(word);
    return bytes;
}

std::optional<std::size_t> first_difference(std::span<const std::uint8_t> expected,
                                            std::span<const std::uint8_t> received) {
    std::size_t common = std::min(expected.size(), received.size());
    auto [at, _] = std::mismatch(expected.begin(), expected.begin() + common, received.begin());
    if (at == expected.begin() + common) return std::nullopt;
    return static_cast<std::size_t>(at - expected.begin());
}

namespace {

// Where @p needle occurs in @p haystack at or after @p from, or nullopt.
std::optional<std::size_t> find_bytes(std::span<const std::uint8_t> haystack, std::span<const std::uint8_t> needle,
                                      std::size_t from) {
    if (from >= haystack.size()) return std::nullopt;
    auto at = std::search(haystack.begin() + static_cast<std::ptrdiff_t>(from), haystack.end(),
                          std::boyer_moore_horspool_searcher(needle.begin(), needle.end()));
    if (at == haystack.end()) return std::nullopt;
    return static_cast<std::size_t>(at - haystack.begin());
}

EchoMismatch classify_difference(std::span<const std::uint8_t> expected, std::span<const std::uint8_t> received,
                                 std::size_t offset) {
    char line[240];
    constexpr std::size_t kProbe = 32;  // random bytes: 32 of them occur once
    std::size_t probe = std::min(kProbe, received.size() - offset);
    if (probe >= 16) {
        auto window = received.subspan(offset, probe);
        if (auto later = find_bytes(expected, window, offset + 1)) {
            std::size_t gap = *later - offset;
            // The skipped bytes may still come, further on: then the order is wrong, not the count.
            auto skipped = expected.subspan(offset, std::min(kProbe, gap));
            if (skipped.size() >= 16) {
                if (auto moved = find_bytes(received, skipped, offset + probe)) {
                    std::snprintf(line, sizeof line,
                                  "bytes out of order at offset %zu: the %zu bytes sent there arrive later, at "
                                  "offset %zu",
                                  offset, gap, *moved);
                    return {line, "two sends of one connection overlapped or were issued out of order: keep one "
                                  "send in flight per connection, and send in the order the bytes were read"};
                }
            }
            std::snprintf(line, sizeof line, "%zu bytes missing at offset %zu: the echo goes on with byte %zu of "
                                             "what was sent", gap, offset, *later);
            return {line, "a short write()/send() whose remainder was never sent: they may take fewer bytes than "
                          "asked; send the rest, from where it stopped, before anything else"};
        }
        if (auto earlier = find_bytes(expected.first(offset + probe - 1), window, 0); earlier && *earlier < offset) {
            std::snprintf(line, sizeof line, "bytes repeated at offset %zu: the echo sends byte %zu and on again "
                                             "(%zu bytes back)", offset, *earlier, offset - *earlier);
            return {line, "bytes sent twice: after a short write, continue from where it stopped (not from the "
                          "buffer's start), and send each buffer once"};
        }
    }
    std::snprintf(line, sizeof line, "byte %zu differs: expected 0x%02x, got 0x%02x", offset, expected[offset],
                  received[offset]);
    return {line, "bytes nobody sent: echo exactly the n bytes read() returned, from the buffer they were read "
                  "into, before that buffer is reused"};
}

}  // namespace

std::optional<EchoMismatch> describe_echo_mismatch(std::span<const std::uint8_t> expected,
                                                   std::span<const std::uint8_t> received) {
    char line[160];
    if (auto offset = first_difference(expected, received)) return classify_difference(expected, received, *offset);
    if (received.size() < expected.size()) {
        std::snprintf(line, sizeof line, "got %zu of %zu bytes (all %zu correct)", received.size(),
                      expected.size(), received.size());
        return EchoMismatch{line, ""};
    }
    if (received.size() > expected.size()) {
        std::snprintf(line, sizeof line, "got %zu bytes, %zu more than the %zu sent",
                      received.size(), received.size() - expected.size(), expected.size());
        return EchoMismatch{line, "more bytes than were sent: echo only the n bytes read() returned, each once"};
    }
    return std::nullopt;
}

}  // namespace c10k::grader
