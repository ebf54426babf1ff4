#include "c10k/fd.hpp"

#include <unistd.h>

#include <utility>

namespace c10k {

Fd::~Fd() { reset(); }

Fd::Fd(Fd&& other) noexcept : fd_(other.release()) {}

Fd& Fd::operator=(Fd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
}

int Fd::release() noexcept { return std::exchange(fd_, -1); }

void Fd::reset(int fd) noexcept {
    // close() is not retried on EINTR: on Linux the descriptor is gone either way.
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
}

}  // namespace c10k
