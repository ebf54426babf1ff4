#include "c10k_catch.hpp"

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
    CHECK(describe_echo_mismatch(sent, got)->reason == "byte 3 differs: expected 0x04, got 0x7f");
}

TEST_CASE("echo checker: short and long echoes say by how much") {
    Bytes sent = {1, 2, 3, 4};
    CHECK(describe_echo_mismatch(sent, Bytes{1, 2})->reason == "got 2 of 4 bytes (all 2 correct)");
    CHECK(describe_echo_mismatch(sent, Bytes{1, 2, 3, 4, 4, 4})->reason == "got 6 bytes, 2 more than the 4 sent");
    CHECK_FALSE(first_difference(sent, Bytes{1, 2}));  // a correct prefix is not a difference
}

TEST_CASE("echo checker: bytes missing where the stream resumes later are counted, with their offset") {
    std::mt19937_64 random(3);
    Bytes sent = random_bytes(100000, random);
    Bytes got(sent.begin(), sent.begin() + 65536);
    got.insert(got.end(), sent.begin() + 65536 + 1200, sent.end());  // a short send's rest never sent
    auto mismatch = describe_echo_mismatch(sent, got);
    REQUIRE(mismatch);
    CHECK(mismatch->reason == "1200 bytes missing at offset 65536: the echo goes on with byte 66736 of what was sent");
    CHECK_THAT(mismatch->hint, Catch::Contains("short write()/send() whose remainder was never sent"));
}

TEST_CASE("echo checker: repeated and reordered ranges are named as such") {
    std::mt19937_64 random(4);
    Bytes sent = random_bytes(8192, random);
    Bytes repeated(sent.begin(), sent.begin() + 4096);
    repeated.insert(repeated.end(), sent.begin() + 1000, sent.end());  // resent from byte 1000
    CHECK_THAT(describe_echo_mismatch(sent, repeated)->reason,
               Catch::StartsWith("bytes repeated at offset 4096: the echo sends byte 1000 and on again"));

    Bytes reordered(sent.begin(), sent.begin() + 2048);
    reordered.insert(reordered.end(), sent.begin() + 4096, sent.end());
    reordered.insert(reordered.end(), sent.begin() + 2048, sent.begin() + 4096);
    CHECK_THAT(describe_echo_mismatch(sent, reordered)->reason,
               Catch::StartsWith("bytes out of order at offset 2048: the 2048 bytes sent there arrive later"));

    Bytes garbage = sent;
    for (std::size_t i = 3000; i < 3100; ++i) garbage[i] = 0;
    CHECK_THAT(describe_echo_mismatch(sent, garbage)->reason, Catch::StartsWith("byte 3000 differs"));
}
