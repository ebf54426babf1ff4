// SQPOLL: with IORING_SETUP_SQPOLL a kernel thread ("iou-sqp-PID") polls the submission
// queue, so submitting needs no syscall -- while that thread burns a CPU. An echo over
// loopback, one message in flight, four ways: no SQPOLL; SQPOLL with the server waiting for
// completions (io_uring_enter to wait); SQPOLL with the server spinning on the completion
// queue too (no syscalls at all, two CPUs busy); SQPOLL with its thread pinned to the
// client's CPU, which is what a 2-core machine does to you anyway.
//
//   c10k-demo-sqpoll [--small] [--out DIR]

#include <liburing.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "c10k/fd.hpp"
#include "c10k/io_uring_support.hpp"
#include "c10k/syscall_error.hpp"
#include "demo_report.hpp"
#include "loopback.hpp"
#include "kernel_counter.hpp"

namespace {

using c10k::Fd;
using c10k::check_syscall;
using namespace c10k::demo;

constexpr std::size_t kMessage = 64;

enum class Way { plain, sqpoll_wait, sqpoll_spin, sqpoll_on_client_cpu };

struct Figures {
    long messages = 0;
    double seconds = 0;
    long server_syscalls = -1;      // -1: not countable here
    double server_cpu = 0;          // seconds
    double sq_thread_cpu = -1;      // seconds; -1 when there is none
};

// The kernel thread's CPU time in seconds: /proc/self/task/*/comm "iou-sqp-PID".
std::optional<double> sq_thread_cpu() {
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
        std::string comm;
        std::getline(std::ifstream(task.path() / "comm"), comm);
        if (comm.rfind("iou-sqp", 0) != 0) continue;
        double ns = 0;
        if (std::ifstream(task.path() / "schedstat") >> ns) return ns * 1e-9;  // time on a CPU, ns
    }
    return std::nullopt;
}

void pin_to(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    ::pthread_setaffinity_np(::pthread_self(), sizeof set, &set);
}

// Waits for the next completion the way the case says: in the kernel, or spinning.
int next_completion(io_uring& ring, bool spin) {
    io_uring_cqe* cqe = nullptr;
    int error = 0;
    if (spin) {
        while ((error = io_uring_peek_cqe(&ring, &cqe)) == -EAGAIN) {
        }
    } else {
        error = io_uring_wait_cqe(&ring, &cqe);
    }
    if (error < 0) return error;
    int result = cqe->res;
    io_uring_cqe_seen(&ring, cqe);
    return result;
}

// The echo server: recv one message, send it back, until the client closes.
void serve(int connection, Way way, int sq_cpu, Figures& out, std::string& failure) {
    io_uring ring{};
    io_uring_params params{};
    if (way != Way::plain) {
        params.flags = IORING_SETUP_SQPOLL;
        params.sq_thread_idle = 200;  // ms of nothing before the thread sleeps
        if (way == Way::sqpoll_on_client_cpu) {
            params.flags |= IORING_SETUP_SQ_AFF;
            params.sq_thread_cpu = static_cast<unsigned>(sq_cpu);
        }
    }
    if (int error = io_uring_queue_init_params(8, &ring, &params); error < 0) {
        failure = "io_uring_queue_init_params: " + errno_name(-error);
        ::shutdown(connection, SHUT_RDWR);
        return;
    }
    std::optional<KernelCounter> syscalls;
    try {
        syscalls = KernelCounter::tracepoint("raw_syscalls:sys_enter", 0, false);  // this thread only
    } catch (const std::runtime_error&) {
    }
    long calls_before = syscalls ? syscalls->value() : -1;
    double cpu_before = thread_cpu_s();
    bool spin = way == Way::sqpoll_spin || way == Way::sqpoll_on_client_cpu;
    char buffer[kMessage];
    for (;;) {
        io_uring_prep_recv(io_uring_get_sqe(&ring), connection, buffer, sizeof buffer, MSG_WAITALL);
        io_uring_submit(&ring);  // with SQPOLL: no syscall while the kernel thread is awake
        int got = next_completion(ring, spin);
        if (got == 0) break;     // the client closed: the window is over
        if (got < 0) {
            failure = "the server's recv: " + errno_name(-got);
            break;
        }
        io_uring_prep_send(io_uring_get_sqe(&ring), connection, buffer, static_cast<unsigned>(got), 0);
        io_uring_submit(&ring);
        if (int sent = next_completion(ring, spin); sent != got) {
            failure = "the server's send: " + (sent < 0 ? errno_name(-sent) : std::to_string(sent) + " of " + std::to_string(got));
            break;
        }
        ++out.messages;
    }
    out.server_cpu = thread_cpu_s() - cpu_before;
    if (syscalls) out.server_syscalls = syscalls->value() - calls_before;
    io_uring_queue_exit(&ring);
}

Figures measure(Way way, double seconds) {
    const int cpus = static_cast<int>(std::thread::hardware_concurrency());
    const int client_cpu = cpus - 1;
    auto [client, connection] = connected_pair(2);

    Figures figures;
    std::string failure, server_failure;
    std::thread server([&] { serve(connection.get(), way, client_cpu, figures, server_failure); });
    if (way == Way::sqpoll_on_client_cpu) pin_to(client_cpu);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the ring is up
    double sq_before = sq_thread_cpu().value_or(0);
    char message[kMessage], echo[kMessage];
    std::memset(message, 'm', sizeof message);
    double start = now_s();
    for (long sent = 0; now_s() - start < seconds; ++sent) {
        if (::send(client.get(), message, sizeof message, 0) != static_cast<ssize_t>(sizeof message)) break;
        // EINTR: a socket with a receive timeout is not restarted after io_uring's task-work
        // notification (TIF_NOTIFY_SIGNAL) interrupts it: carry on with what is missing.
        ssize_t got = 0;
        while (got < static_cast<ssize_t>(sizeof echo)) {
            ssize_t n = ::recv(client.get(), echo + got, sizeof echo - static_cast<std::size_t>(got), MSG_WAITALL);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                got = n;
                break;
            }
            got += n;
        }
        if (got != static_cast<ssize_t>(sizeof echo)) {
            failure = "no echo within 2 s (message " + std::to_string(sent + 1) + ", recv " + std::to_string(got) +
                      (got < 0 ? ", " + errno_name(errno) : "") + ")";
            break;
        }
    }
    figures.seconds = now_s() - start;
    if (auto sq = sq_thread_cpu()) figures.sq_thread_cpu = *sq - sq_before;
    ::shutdown(client.get(), SHUT_RDWR);  // the server's recv completes with 0: it returns
    server.join();
    if (way == Way::sqpoll_on_client_cpu) {
        cpu_set_t all;
        CPU_ZERO(&all);
        for (int i = 0; i < cpus; ++i) CPU_SET(i, &all);
        ::pthread_setaffinity_np(::pthread_self(), sizeof all, &all);
    }
    if (!server_failure.empty()) throw std::runtime_error(server_failure);
    if (!failure.empty()) throw std::runtime_error(failure);
    return figures;
}

}  // namespace

int main(int argc, char** argv) {
    Demo demo("sqpoll", "SQPOLL: syscalls per message fall to ~0, a kernel thread burns a CPU", argc, argv);
    if (auto missing = c10k::probe_io_uring()) return demo.unavailable(*missing);
    const double seconds = demo.small() ? 0.3 : 1.0;
    const unsigned cpus = std::thread::hardware_concurrency();
    struct Case {
        Way way;
        const char* name;
    };
    const Case cases[] = {{Way::plain, "no SQPOLL"},
                          {Way::sqpoll_wait, "SQPOLL, server waits for completions"},
                          {Way::sqpoll_spin, "SQPOLL, server spins on completions"},
                          {Way::sqpoll_on_client_cpu, "SQPOLL + spin, SQ thread on the client's CPU"}};
    auto& table = demo.table("echo of " + std::to_string(kMessage) + " B, one message in flight, " + std::to_string(cpus) +
                                 " CPUs",
                             {"", "msgs/s", "server syscalls / msg", "server thread CPU", "SQ thread CPU"});
    bool counted = true;
    for (const auto& c : cases) {
        Figures f;
        try {
            f = measure(c.way, seconds);
        } catch (const std::exception& error) {
            add_row(table, {c.name, error.what()});
            continue;
        }
        double n = static_cast<double>(std::max<long>(1, f.messages));
        counted = counted && f.server_syscalls >= 0;
        add_row(table, {c.name, number(static_cast<double>(f.messages) / f.seconds),
                        f.server_syscalls < 0 ? "?" : number(static_cast<double>(f.server_syscalls) / n, 2),
                        number(100 * f.server_cpu / f.seconds) + " %",
                        f.sq_thread_cpu < 0 ? "none" : number(100 * f.sq_thread_cpu / f.seconds) + " %"});
        demo.figures()[c.name] = {{"messages", f.messages}, {"seconds", f.seconds},
                                  {"server_syscalls", f.server_syscalls}, {"server_cpu_s", f.server_cpu},
                                  {"sq_thread_cpu_s", f.sq_thread_cpu}};
    }
    if (!counted)
        demo.note("syscalls: ? -- " + tracepoints_unavailable().value_or("the syscall tracepoint could not be opened"));
    demo.note("CPU: % of one CPU over the window. The SQ thread spins as long as it finds work, and sleeps after");
    demo.note("200 ms of none (sq_thread_idle). With " + std::to_string(cpus) +
              " CPUs, a spinning server and the SQ thread leave the client a share of a core.");
    return demo.finish();
}
