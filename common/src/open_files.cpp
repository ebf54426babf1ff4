#include "c10k/open_files.hpp"

#include "c10k/syscall_error.hpp"

namespace c10k {

rlim_t raise_open_file_limit() {
    rlimit limit{};
    check_syscall(::getrlimit(RLIMIT_NOFILE, &limit), "getrlimit(RLIMIT_NOFILE)");
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        check_syscall(::setrlimit(RLIMIT_NOFILE, &limit), "setrlimit(RLIMIT_NOFILE)");
    }
    return limit.rlim_cur;
}

}  // namespace c10k
