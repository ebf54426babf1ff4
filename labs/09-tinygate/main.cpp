// TinyGate's command line: where to listen, where the origin is, which model to run.
//   server --port P [--host H] --upstream HOST:PORT --model threads|epoll|io_uring
//          [--workers N] [--upstream-timeout SECONDS] [--pool N]
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <stdexcept>

#include "c10k/announce.hpp"
#include "c10k/open_files.hpp"
#include "c10k/server_cli.hpp"
#include "c10k/stop_signals.hpp"
#include "c10k/syscall_error.hpp"
#include "proxy.hpp"
#include "upstream.hpp"

int main(int argc, char** argv) {
    CLI::App app{"TinyGate: an HTTP/1.1 reverse proxy, three ways"};
    c10k::ServerOptions options;
    c10k::add_server_options(app, options);
    std::string upstream, model = "epoll";
    tinygate::ProxyConfig config;
    double timeout_seconds = 5;
    app.add_option("--upstream", upstream, "the origin, HOST:PORT")->required();
    app.add_option("--model", model, "threads, epoll or io_uring")->check(CLI::IsMember({"threads", "epoll", "io_uring"}));
    app.add_option("--workers", config.workers, "event loops (epoll, io_uring)")->check(CLI::Range(1, 64));
    app.add_option("--pool", config.pool_size, "idle keep-alive connections kept to the origin (per loop)")
        ->check(CLI::Range(1, 100000));
    app.add_option("--upstream-timeout", timeout_seconds, "seconds to wait for the origin's answer: then 504")
        ->check(CLI::Range(0.01, 600.0));
    CLI11_PARSE(app, argc, argv);
    try {
        config.upstream = tinygate::parse_upstream(upstream);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "server: %s\n", error.what());
        return 2;
    }
    config.upstream_timeout = std::chrono::milliseconds(static_cast<long>(timeout_seconds * 1000));
    c10k::install_stop_signals();
    c10k::raise_open_file_limit();
    // SO_REUSEPORT: event loops may open siblings of it (c10k::open_sibling_listener).
    c10k::Fd listener = c10k::open_listener(options, SOMAXCONN, 0, /*reuse_port=*/true);
    // Accepted sockets inherit TCP_NODELAY from the listener (Linux): a response that leaves
    // in two sends must not wait for the client's delayed ACK (Nagle: 40 ms a response).
    int one = 1;
    if (::setsockopt(listener.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) {
        c10k::log_syscall_error("setsockopt(TCP_NODELAY)", errno);
        return 1;
    }
    c10k::announce_listening(listener.get());
    if (model == "threads") return tinygate::run_threads(std::move(listener), config);
    if (model == "epoll") return tinygate::run_epoll(std::move(listener), config);
    return tinygate::run_io_uring(std::move(listener), config);
}
