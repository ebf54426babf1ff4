#pragma once
// TinyGate: one reverse proxy, three I/O models. main.cpp reads the command line and
// calls one of the run_* functions below; each lives in its own file (threads.cpp,
// epoll.cpp, io_uring.cpp) over the same HTTP layer (c10k/http/*), so the three files
// diff into the lesson: how each model waits.

#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "c10k/fd.hpp"
#include "c10k/listener.hpp"

namespace tinygate {

struct ProxyConfig {
    c10k::SocketAddress upstream;                  ///< the origin
    int workers = 1;                               ///< event-loop models: loops (threads) to run
    std::chrono::milliseconds upstream_timeout{5000};  ///< no response head by then: 504
    std::size_t pool_size = 64;                    ///< idle keep-alive connections kept to the origin
};

/// Runs @p loop(0) on this thread and @p loop(1) ... @p loop(count - 1) on threads of their
/// own (the event-loop models' --workers), and returns the worst of their exit statuses.
inline int run_workers(int count, const std::function<int(int worker)>& loop) {
    std::vector<int> status(static_cast<std::size_t>(std::max(count, 1)), 0);
    std::vector<std::thread> threads;
    for (int i = 1; i < count; ++i) threads.emplace_back([&, i] { status[static_cast<std::size_t>(i)] = loop(i); });
    status[0] = loop(0);
    for (auto& thread : threads) thread.join();
    return *std::max_element(status.begin(), status.end());
}

/// A thread per client connection, blocking calls, one shared pool of upstream connections.
int run_threads(c10k::Fd listener, const ProxyConfig& config);
/// One epoll loop per worker, every socket nonblocking, a pool per loop.
int run_epoll(c10k::Fd listener, const ProxyConfig& config);
/// One io_uring per worker: accepts, reads, writes and connects are submitted, not called.
int run_io_uring(c10k::Fd listener, const ProxyConfig& config);

}  // namespace tinygate
