// c10k-bench: load an echo server on loopback and measure it.
//
//   c10k-bench --port 5000 --connections 50 --size 64 --duration 5
//   c10k-bench --port 5000 -c 500 --size 4096 --pipeline 4 --threads 2 --json
//
// Exit status: 0 measured, 1 the server misbehaved (wrong bytes, closed, too slow to
// connect), 2 bad arguments or an address that is not loopback.

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>

#include "bench/bench_report.hpp"
#include "c10k/open_files.hpp"
#include "c10k/stop_signals.hpp"
#include "c10k/syscall_error.hpp"
#include "load/echo_load.hpp"
#include "load/local_only.hpp"

using namespace c10k::grader;

int main(int argc, char** argv) {
    CLI::App app{"c10k-bench: measure an echo server on loopback (ping-pong or pipelined, every byte checked)"};
    std::string host = "127.0.0.1";
    int port = 0;
    LoadOptions options;
    double duration = 5, warmup_timeout = 30;
    bool json = false;
    app.add_option("--host", host, "the server's address: 127.0.0.0/8 or ::1")->capture_default_str();
    app.add_option("--port,-p", port, "the server's port")->required()->check(CLI::Range(1, 65535));
    app.add_option("--connections,-c", options.connections, "connections sending messages")
        ->check(CLI::Range(1, 100000))->capture_default_str();
    app.add_option("--idle", options.idle_connections, "extra connections that echo once, then stay silent")
        ->check(CLI::Range(0, 100000))->capture_default_str();
    app.add_option("--size,-s", options.message_size, "bytes per message")
        ->check(CLI::Range(1, 16 << 20))->capture_default_str();
    app.add_option("--duration,-d", duration, "seconds to measure, after every connection's first echo")
        ->check(CLI::Range(0.1, 600.0))->capture_default_str();
    app.add_option("--pipeline", options.pipeline, "messages in flight per connection (1 = ping-pong)")
        ->check(CLI::Range(1, 1024))->capture_default_str();
    app.add_option("--threads,-t", options.threads, "client threads, each with its own epoll")
        ->check(CLI::Range(1, 64))->capture_default_str();
    app.add_option("--warmup-timeout", warmup_timeout, "seconds allowed for connecting and the first echoes")
        ->check(CLI::Range(1.0, 600.0))->capture_default_str();
    app.add_option("--seed", options.seed, "seed of the random payload")->capture_default_str();
    app.add_flag("--json", json, "print one JSON object instead of text");
    CLI11_PARSE(app, argc, argv);

    try {
        options.server = c10k::make_socket_address(host, static_cast<std::uint16_t>(port));
    } catch (const std::exception& error) {
        std::cerr << "c10k-bench: " << error.what() << "\n";
        return 2;
    }
    if (auto refusal = refuse_non_local_address(options.server); !refusal.empty()) {
        std::cerr << "c10k-bench: " << host << ": " << refusal << "\n";
        return 2;
    }
    std::signal(SIGPIPE, SIG_IGN);
    long needed = options.connections + options.idle_connections + 64L;
    try {
        rlim_t limit = c10k::raise_open_file_limit();
        if (static_cast<long>(limit) < needed) {
            std::cerr << "c10k-bench: " << needed << " connections need as many open files, but the limit is "
                      << limit << " (raise the hard limit: ulimit -Hn, or fewer --connections)\n";
            return 2;
        }
    } catch (const c10k::SyscallError& error) {
        std::cerr << "c10k-bench: " << error.what() << "\n";
        return 2;
    }
    options.duration = Seconds(duration);
    options.warmup_timeout = Seconds(warmup_timeout);

    bool progress = !json && ::isatty(STDERR_FILENO);
    if (progress) {
        options.on_progress = [duration](const LoadProgress& now) {
            std::fprintf(stderr, "\r  %4.1f / %.1f s   %s msgs/s   ", now.elapsed_seconds, duration,
                         grouped(static_cast<long long>(double(now.messages) / now.elapsed_seconds)).c_str());
        };
    }
    std::string target = host + ":" + std::to_string(port);
    LoadResult result = run_load(options);
    if (progress) std::fprintf(stderr, "\r\033[K");
    if (json) std::cout << bench_json(target, options, result).dump(2) << "\n";
    else std::cout << bench_text(target, options, result);
    return result.ok ? 0 : 1;
}
