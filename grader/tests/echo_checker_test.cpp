#include <catch2/catch.hpp>

#include "3-test_kinds/echo_checker.hpp"

using namespace c10k::grader;

TEST_CASE("echo checker: random payloads differ between calls and have the asked size") {
    std::mt19937_64 random(42);
    Bytes a = random_bytes(1001, random);
    Bytes b = random_bytes(1001, random);
    CHECK(a.size() == 1001);
    CHECK(a != b);
}

TEST_CASE("echo checker: an exact echo has no mismatch") {
    std::mt19937_64 random(1);
    Bytes sent = random_bytes(4096, random);
    CHECK_FALSE(describe_echo_mismatch(sent, sent));
    CHECK_FALSE(first_difference(sent, sent));
}

TEST_CASE("echo checker: the first differing byte is reported with both values") {
    Bytes sent = {1, 2, 3, 4, 5};
    Bytes got = {1, 2, 3, 0x7f, 0};
    CHECK(first_difference(sent, got) == 3u);
    CHECK(describe_echo_mismatch(sent, got) == "byte 3 differs: expected 0x04, got 0x7f");
}

TEST_CASE("echo checker: short and long echoes say by how much") {
    Bytes sent = {1, 2, 3, 4};
    CHECK(describe_echo_mismatch(sent, Bytes{1, 2}) == "got 2 of 4 bytes (all 2 correct)");
    CHECK(describe_echo_mismatch(sent, Bytes{1, 2, 3, 4, 4, 4}) == "got 6 bytes, 2 more than the 4 sent");
    CHECK_FALSE(first_difference(sent, Bytes{1, 2}));  // a correct prefix is not a difference
}
