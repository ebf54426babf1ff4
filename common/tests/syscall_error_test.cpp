#include <sys/socket.h>

#include "c10k_catch.hpp"

#include "c10k/syscall_error.hpp"

TEST_CASE("check_syscall passes results through unchanged") {
    CHECK(c10k::check_syscall(7, "read") == 7);
    CHECK(c10k::check_syscall(0L, "write") == 0L);
}

TEST_CASE("check_syscall names the call and the errno text when it fails") {
    try {
        c10k::check_syscall(::bind(-1, nullptr, 0), "bind");
        FAIL("bind(-1) should have failed");
    } catch (const c10k::SyscallError& error) {
        CHECK(error.call() == "bind");
        CHECK(error.code().value() == EBADF);
        CHECK(std::string(error.what()) == "bind: Bad file descriptor");
    }
}
