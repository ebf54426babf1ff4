// The thundering herd: N threads wait for connections on one listening socket. With plain
// epoll every thread's epoll instance is woken for every connection, one wins accept() and
// the rest find nothing (EAGAIN); EPOLLEXCLUSIVE (Linux 4.5) wakes one waiter; SO_REUSEPORT
// (Linux 3.9) gives each thread a listener of its own, and the kernel picks one per connection.
//
//   c10k-demo-herd [--small] [--out DIR]
//
// The client connects once at a time and waits for the server's close, so each connection
// is one event, and the figures per connection are exact counts, not estimates.

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <optional>
#include <cerrno>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "c10k/fd.hpp"
#include "c10k/listener.hpp"
#include "c10k/syscall_error.hpp"
#include "demo_report.hpp"
#include "kernel_counter.hpp"
#include "loopback.hpp"

namespace {

using c10k::Fd;
using c10k::check_syscall;
using namespace c10k::demo;

enum class Mode { shared, exclusive, reuseport };

struct Waiter {
    long wakeups = 0;         // epoll_wait returned with an event
    long failed_accepts = 0;  // ...but another thread had taken the connection
    long accepted = 0;
    long switches = 0;        // context switches while waiting (getrusage)
    long traced = -1;         // the same, as perf's sched:sched_switch tracepoint counts them (-1: not allowed)
};

long context_switches() {
    rusage usage{};
    ::getrusage(RUSAGE_THREAD, &usage);
    return usage.ru_nvcsw + usage.ru_nivcsw;
}

// One thread's loop: its own epoll instance watching @p listener.
void wait_for_connections(int listener, bool exclusive, const std::atomic<bool>& stop, Waiter& out) {
    Fd epoll(check_syscall(::epoll_create1(EPOLL_CLOEXEC), "epoll_create1"));
    epoll_event interest{};
    interest.events = EPOLLIN | (exclusive ? EPOLLEXCLUSIVE : 0u);
    check_syscall(::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, listener, &interest), "epoll_ctl");
    std::optional<c10k::demo::KernelCounter> sched_switch;  // where perf events are allowed
    try {
        sched_switch = c10k::demo::KernelCounter::tracepoint("sched:sched_switch", 0, false);
    } catch (const std::runtime_error&) {
    }
    long switches_before = context_switches();
    long traced_before = sched_switch ? sched_switch->value() : 0;
    while (!stop.load()) {
        epoll_event event{};
        int n = ::epoll_wait(epoll.get(), &event, 1, 50);  // wakes every 50 ms to see `stop`
        if (n <= 0) continue;
        ++out.wakeups;
        int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            ++out.failed_accepts;  // EAGAIN: woken for a connection another thread took
            continue;
        }
        ++out.accepted;
        ::close(fd);  // the client waits for this close before its next connection
    }
    out.switches = context_switches() - switches_before;
    if (sched_switch) out.traced = sched_switch->value() - traced_before;
}

struct Result {
    std::vector<Waiter> waiters;
    long connections = 0;
    double seconds = 0;
};

Result run(Mode mode, int threads, int connections) {
    c10k::ServerOptions where;
    where.host = "127.0.0.1";
    where.port = 0;
    std::vector<Fd> listeners;
    listeners.push_back(c10k::open_listener(where, SOMAXCONN, SOCK_NONBLOCK, mode == Mode::reuseport));
    where.port = c10k::local_port(listeners[0].get());
    if (mode == Mode::reuseport)
        for (int i = 1; i < threads; ++i) listeners.push_back(c10k::open_listener(where, SOMAXCONN, SOCK_NONBLOCK, true));

    Result result;
    result.waiters.resize(threads);
    std::atomic<bool> stop{false};
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i) {
        int listener = listeners[mode == Mode::reuseport ? i : 0].get();
        pool.emplace_back([&, i, listener] {
            try {
                wait_for_connections(listener, mode == Mode::exclusive, stop, result.waiters[i]);
            } catch (const std::exception& error) {
                std::fprintf(stderr, "herd: %s\n", error.what());
            }
        });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // every thread in epoll_wait

    std::string failure;
    try {
        double start = now_s(), deadline = start + 30;
        for (; result.connections < connections && now_s() < deadline; ++result.connections) {
            Fd client = connect_to(where.port, 2);  // a lost close would not hang the demo
            char byte;
            if (::read(client.get(), &byte, 1) != 0) throw std::runtime_error("the server did not close a connection within 2 s");
        }
        result.seconds = now_s() - start;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // late wakeups of the last connection
    } catch (const std::exception& error) {
        failure = error.what();
    }
    stop = true;  // the waiters see it within 50 ms, whatever happened
    for (auto& thread : pool) thread.join();
    if (!failure.empty()) throw std::runtime_error(failure);
    return result;
}

}  // namespace

int main(int argc, char** argv) {
    Demo demo("herd", "N threads wait on one listening socket: who wakes for each connection", argc, argv);
    const int threads = demo.small() ? 4 : 8;
    const int connections = demo.small() ? 200 : 2000;
    struct Case {
        Mode mode;
        const char* name;
    };
    const Case cases[] = {{Mode::shared, "epoll, shared listener"},
                          {Mode::exclusive, "EPOLLEXCLUSIVE"},
                          {Mode::reuseport, "SO_REUSEPORT, a listener each"}};
    auto& table = demo.table(std::to_string(threads) + " threads, " + number(connections) + " connections one at a time",
                             {"", "threads woken / conn", "epoll_wait returned / conn", "failed accepts / conn",
                              "time / conn", "threads that accepted"});
    c10k::grader::BarTable bars{"mode", {"threads woken", "epoll_wait returned", "failed accepts"}, {}, {}};
    for (const auto& c : cases) {
        Result r;
        try {
            r = run(c.mode, threads, connections);
        } catch (const std::exception& error) {
            add_row(table, {c.name, error.what()});
            continue;
        }
        Waiter sum;
        sum.traced = 0;
        int busy = 0;
        for (const auto& w : r.waiters) {
            sum.wakeups += w.wakeups;
            sum.failed_accepts += w.failed_accepts;
            sum.accepted += w.accepted;
            sum.switches += w.switches;
            sum.traced = w.traced < 0 || sum.traced < 0 ? -1 : sum.traced + w.traced;
            busy += w.accepted > 0;
        }
        double n = static_cast<double>(std::max<long>(1, sum.accepted));
        add_row(table, {c.name, number(sum.switches / n, 2), number(sum.wakeups / n, 2),
                        number(sum.failed_accepts / n, 2), duration_us(r.seconds * 1e6 / n),
                        std::to_string(busy) + " of " + std::to_string(threads)});
        demo.figures()[c.name] = {{"connections", sum.accepted}, {"wakeups", sum.wakeups},
                                  {"failed_accepts", sum.failed_accepts}, {"context_switches", sum.switches},
                                  {"sched_switch_tracepoint", sum.traced},
                                  {"seconds", r.seconds}, {"threads_that_accepted", busy}};
        bars.rows.push_back(c.name);
        bars.values[{c.name, "threads woken"}] = sum.switches / n;
        bars.values[{c.name, "epoll_wait returned"}] = sum.wakeups / n;
        bars.values[{c.name, "failed accepts"}] = sum.failed_accepts / n;
    }
    demo.figures()["threads"] = threads;
    demo.note("Threads woken: the waiting threads' context switches (getrusage RUSAGE_THREAD), one per wakeup;");
    demo.note("where perf events are allowed the JSON has sched:sched_switch's count beside it, and they agree.");
    demo.note("A woken epoll_wait re-checks readiness and sleeps again when another thread took the connection,");
    demo.note("so most of the herd never returns to user space: only its context switches show it. The few that");
    demo.note("return before the winner's accept() make the failed accepts (EAGAIN).");
    demo.chart("wakeups", c10k::grader::bars(bars, "Per connection, " + std::to_string(threads) + " waiting threads",
                                             "per connection", false, c10k::grader::KeyPlace::right));
    return demo.finish();
}
