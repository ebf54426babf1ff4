#include <sys/resource.h>

#include "c10k_catch.hpp"

#include "c10k/open_files.hpp"

TEST_CASE("raise_open_file_limit lifts the soft limit to the hard one") {
    rlimit before{};
    ::getrlimit(RLIMIT_NOFILE, &before);
    CHECK(c10k::raise_open_file_limit() == before.rlim_max);
    rlimit after{};
    ::getrlimit(RLIMIT_NOFILE, &after);
    CHECK(after.rlim_cur == after.rlim_max);
}
