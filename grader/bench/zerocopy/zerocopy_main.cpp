// c10k-zerocopy (the zero-copy section of make race-proxy): a proxy's body relay four ways,
// and zero-copy sends on loopback, measured in CPU per GB.
//
//   c10k-zerocopy [--seconds 1] [--sizes 65536,1048576] [--pairs 4] [--json FILE]
//
// Each pair: a client thread writes a body to the relay's upstream socket and waits until
// another client thread has read it all from the downstream socket, then sends the next.
// The relay thread moves the bytes (relay_*.cpp). Measured: bodies per second, and the
// relay's CPU -- its thread plus io_uring's worker threads -- per GB relayed.
// Exit status: 0 measured, 1 a mode failed, 2 bad arguments.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <semaphore>
#include <stdexcept>
#include <thread>

#include <CLI/CLI.hpp>
#include <liburing.h>
#include <nlohmann/json.hpp>

#include "relay.hpp"
#include "send_zc_probe.hpp"

namespace zerocopy {

void fail(const std::string& call, int error) { throw std::runtime_error(call + ": " + std::strerror(error)); }

namespace {

struct Mode {
    const char* name;
    RelayLoop loop;
    bool uring;
};
const Mode kModes[] = {{"read/write", relay_copy, false},
                       {"splice", relay_splice, false},
                       {"io_uring recv/send", relay_uring_copy, true},
                       {"io_uring splice", relay_uring_splice, true}};

struct RelayResult {
    std::string mode;
    std::size_t size = 0;
    double bodies_per_s = 0;
    double gbytes_per_s = 0;
    double cpu_s_per_gb = -1;
    std::string failure;
};

double ticks_to_seconds(unsigned long long ticks) { return static_cast<double>(ticks) / ::sysconf(_SC_CLK_TCK); }

// CPU of io_uring's worker threads (iou-wrk-*) in this process: splice runs there.
double io_worker_cpu() {
    double total = 0;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
        std::ifstream stat(task.path() / "stat");
        std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
        auto open = text.find('('), close = text.rfind(')');
        if (open == std::string::npos || text.compare(open + 1, 7, "iou-wrk") != 0) continue;
        unsigned long long utime = 0, stime = 0;
        std::sscanf(text.c_str() + close + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime);
        total += ticks_to_seconds(utime + stime);
    }
    return total;
}

double thread_cpu(pthread_t thread) {
    clockid_t clock;
    timespec now{};
    if (pthread_getcpuclockid(thread, &clock) != 0 || ::clock_gettime(clock, &now) != 0) return 0;
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

// Two connected loopback sockets; returns {client end, server end}.
std::pair<int, int> loopback_pair(int listener, const sockaddr_in& address) {
    int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (::connect(client, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) fail("connect", errno);
    int server = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (server < 0) fail("accept4", errno);
    return {client, server};
}

RelayResult run_relay(const Mode& mode, std::size_t size, int pair_count, double seconds) {
    RelayResult result;
    result.mode = mode.name;
    result.size = size;
    int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(listener, 64) != 0 ||
        ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0)
        fail("listen on 127.0.0.1", errno);
    std::vector<RelayPair> pairs;
    std::vector<int> writers, readers, all;
    for (int i = 0; i < pair_count; ++i) {
        auto [writer, from] = loopback_pair(listener, address);
        auto [to, reader] = loopback_pair(listener, address);
        // epoll loops read until EAGAIN; io_uring waits inside the kernel instead.
        if (!mode.uring) ::fcntl(from, F_SETFL, ::fcntl(from, F_GETFL) | O_NONBLOCK);
        pairs.push_back({from, to});
        writers.push_back(writer);
        readers.push_back(reader);
        all.insert(all.end(), {writer, from, to, reader});
    }
    ::close(listener);

    std::atomic<bool> stop_relay{false}, stop_clients{false};
    std::atomic<long> bodies{0};
    std::string relay_failure;
    std::thread relay([&] {
        try {
            mode.loop(pairs, stop_relay);
        } catch (const std::exception& error) {
            relay_failure = error.what();
        }
    });
    std::vector<std::thread> clients;
    std::vector<std::unique_ptr<std::binary_semaphore>> delivered;
    for (int i = 0; i < pair_count; ++i) delivered.push_back(std::make_unique<std::binary_semaphore>(0));
    for (int i = 0; i < pair_count; ++i) {
        clients.emplace_back([&, i] {  // the upstream: one body, then wait for its delivery
            std::vector<char> body(size, 'x');
            while (!stop_clients) {
                for (std::size_t sent = 0; sent < size;) {
                    ssize_t n = ::send(writers[i], body.data() + sent, size - sent, MSG_NOSIGNAL);
                    if (n <= 0) return;
                    sent += static_cast<std::size_t>(n);
                }
                while (!delivered[i]->try_acquire_for(std::chrono::milliseconds(50)))
                    if (stop_clients) return;
            }
        });
        clients.emplace_back([&, i] {  // the downstream: count whole bodies
            std::vector<char> sink(256 * 1024);
            std::size_t got = 0;
            for (ssize_t n; (n = ::recv(readers[i], sink.data(), sink.size(), 0)) > 0;) {
                got += static_cast<std::size_t>(n);
                for (; got >= size; got -= size) {
                    bodies.fetch_add(1, std::memory_order_relaxed);
                    delivered[i]->release();
                }
            }
        });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // warm-up: connections, io-wq workers
    long bodies_before = bodies.load();
    double cpu_before = thread_cpu(relay.native_handle()) + io_worker_cpu();
    auto start = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    double cpu_after = thread_cpu(relay.native_handle()) + io_worker_cpu();
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    long relayed = bodies.load() - bodies_before;

    stop_clients = true;
    stop_relay = true;
    relay.join();
    for (int fd : all) ::shutdown(fd, SHUT_RDWR);  // every client thread sees the end
    for (auto& client : clients) client.join();
    for (int fd : all) ::close(fd);

    result.failure = relay_failure;
    double gbytes = static_cast<double>(relayed) * static_cast<double>(size) / 1e9;
    result.bodies_per_s = static_cast<double>(relayed) / elapsed;
    result.gbytes_per_s = gbytes / elapsed;
    if (gbytes > 0) result.cpu_s_per_gb = (cpu_after - cpu_before) / gbytes;
    else if (result.failure.empty()) result.failure = "no body was relayed";
    return result;
}

std::string io_uring_problem() {
    io_uring ring;
    if (int error = io_uring_queue_init(2, &ring, 0); error < 0)
        return std::string("io_uring is not available here (") + std::strerror(-error) +
               "): its modes are skipped; a container's default seccomp profile blocks it";
    io_uring_queue_exit(&ring);
    return {};
}

}  // namespace
}  // namespace zerocopy

int main(int argc, char** argv) {
    using namespace zerocopy;
    CLI::App app{"c10k-zerocopy: a proxy's body relay four ways, and zero-copy sends on loopback"};
    double seconds = 1;
    std::vector<std::size_t> sizes{64 * 1024, 1024 * 1024};
    int pair_count = 4;
    std::filesystem::path json_file;
    app.add_option("--seconds", seconds, "measured per mode and size")->check(CLI::Range(0.1, 30.0))->capture_default_str();
    app.add_option("--sizes", sizes, "body sizes in bytes")->delimiter(',')->check(CLI::Range(1, 64 << 20));
    app.add_option("--pairs", pair_count, "upstream/downstream pairs the relay serves")->check(CLI::Range(1, 256))
        ->capture_default_str();
    app.add_option("--json", json_file, "write the results here too");
    CLI11_PARSE(app, argc, argv);
    std::signal(SIGPIPE, SIG_IGN);

    std::string uring_problem = io_uring_problem();
    nlohmann::json json{{"relay", nlohmann::json::array()}, {"send", nlohmann::json::array()}};
    bool failed = false;
    std::printf("relaying bodies (%d pairs, %.1f s each; CPU = the relay thread + io_uring's workers):\n", pair_count, seconds);
    std::printf("  %-20s %9s %12s %10s %14s\n", "mode", "body", "bodies/s", "GB/s", "CPU s per GB");
    for (std::size_t size : sizes) {
        for (const Mode& mode : kModes) {
            if (mode.uring && !uring_problem.empty()) continue;
            RelayResult result;
            try {
                result = run_relay(mode, size, pair_count, seconds);
            } catch (const std::exception& error) {
                result.mode = mode.name;
                result.size = size;
                result.failure = error.what();
            }
            std::string body = size % (1024 * 1024) == 0 ? std::to_string(size >> 20) + " MiB"
                                                         : std::to_string(size >> 10) + " KiB";
            if (!result.failure.empty()) {
                std::printf("  %-20s %9s failed: %s\n", result.mode.c_str(), body.c_str(), result.failure.c_str());
                failed = true;
            } else {
                std::printf("  %-20s %9s %12.0f %10.2f %14.3f\n", result.mode.c_str(), body.c_str(), result.bodies_per_s,
                            result.gbytes_per_s, result.cpu_s_per_gb);
            }
            json["relay"].push_back({{"mode", result.mode}, {"size", size}, {"bodies_per_s", result.bodies_per_s},
                                     {"gbytes_per_s", result.gbytes_per_s}, {"cpu_s_per_gb", result.cpu_s_per_gb},
                                     {"failure", result.failure}});
        }
    }
    if (!uring_problem.empty()) std::printf("  %s\n", uring_problem.c_str());

    std::printf("\nzero-copy sends to a loopback peer (64 KiB each, %.1f s; copied = notifications saying the kernel copied):\n",
                seconds);
    std::printf("  %-14s %10s %14s %14s %8s\n", "mode", "GB/s", "CPU s per GB", "notifications", "copied");
    for (const char* mode : {"send", "MSG_ZEROCOPY", "SEND_ZC"}) {
        if (std::string(mode) == "SEND_ZC" && !uring_problem.empty()) continue;
        SendResult result = probe_send(mode, seconds);
        if (!result.note.empty()) {
            std::printf("  %-14s not measured: %s\n", mode, result.note.c_str());
        } else {
            std::printf("  %-14s %10.2f %14.3f %14ld %8ld\n", mode, result.gbytes / seconds, result.cpu_s_per_gb,
                        result.notifications, result.copied);
        }
        json["send"].push_back({{"mode", mode}, {"gbytes_per_s", result.gbytes / seconds},
                                {"cpu_s_per_gb", result.cpu_s_per_gb}, {"notifications", result.notifications},
                                {"copied", result.copied}, {"note", result.note}});
    }
    std::printf("  On loopback the receiver cannot keep the sender's pages, so the kernel copies and says so:\n"
                "  zero-copy sends pay for their notifications and gain nothing here; they pay off on a NIC.\n");
    json["io_uring"] = uring_problem.empty() ? "available" : uring_problem;
    if (!json_file.empty()) std::ofstream(json_file) << json.dump(2) << "\n";
    return failed ? 1 : 0;
}
