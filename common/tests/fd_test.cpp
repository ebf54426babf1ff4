#include <fcntl.h>
#include <unistd.h>

#include "c10k_catch.hpp"

#include "c10k/fd.hpp"

namespace {
bool is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }
}  // namespace

TEST_CASE("Fd closes its descriptor when it goes out of scope") {
    int raw = -1;
    {
        c10k::Fd fd{::open("/dev/null", O_RDONLY)};
        raw = fd.get();
        REQUIRE(fd.valid());
        REQUIRE(is_open(raw));
    }
    CHECK_FALSE(is_open(raw));
}

TEST_CASE("Fd moves ownership: the source is left empty and closes nothing") {
    c10k::Fd first{::open("/dev/null", O_RDONLY)};
    int raw = first.get();
    c10k::Fd second = std::move(first);
    CHECK_FALSE(first.valid());
    CHECK(first.get() == -1);
    CHECK(second.get() == raw);
    first = c10k::Fd{};  // destroying/assigning the empty one must not close raw
    CHECK(is_open(raw));

    c10k::Fd third{::open("/dev/null", O_RDONLY)};
    int third_raw = third.get();
    third = std::move(second);  // move-assign closes what third held before
    if (third_raw != raw) CHECK_FALSE(is_open(third_raw));
    CHECK(third.get() == raw);
    CHECK(is_open(raw));
}

TEST_CASE("Fd::release gives the descriptor away without closing it") {
    c10k::Fd fd{::open("/dev/null", O_RDONLY)};
    int raw = fd.release();
    CHECK_FALSE(fd.valid());
    CHECK(is_open(raw));
    ::close(raw);
}

TEST_CASE("Fd::reset closes the old descriptor and takes the new one") {
    c10k::Fd fd{::open("/dev/null", O_RDONLY)};
    int old = fd.get();
    int fresh = ::open("/dev/null", O_RDONLY);
    fd.reset(fresh);
    CHECK(fd.get() == fresh);
    // `old` may have been reused by `fresh`; check only when it was not.
    if (old != fresh) CHECK_FALSE(is_open(old));
    fd.reset();
    CHECK_FALSE(fd.valid());
    CHECK_FALSE(is_open(fresh));
}
