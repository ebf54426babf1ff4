// TinyGate, epoll model: not written yet on this branch (lab 09 is work in progress).
#include <cstdio>

#include "proxy.hpp"

namespace tinygate {
int run_epoll(c10k::Fd, const ProxyConfig&) {
    std::fprintf(stderr, "server: --model epoll is not written yet\n");
    return 1;
}
}  // namespace tinygate
