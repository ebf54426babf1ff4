// What 10,000 idle connections cost as 10,000 threads (lab 02's model) and as one epoll
// loop (lab 06's): memory, resident and virtual, the kernel's stacks, the time to accept
// them all, and the context switches per message when every connection sends one.
//
//   c10k-demo-threads_cost [--small] [--out DIR]
//
// Each server is a child process of this one (fork), so its memory is its own; this
// process is the client. Both are killed at the end, whatever happened.

#include <netinet/in.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "c10k/fd.hpp"
#include "c10k/listener.hpp"
#include "c10k/open_files.hpp"
#include "c10k/syscall_error.hpp"
#include "demo_report.hpp"
#include "loopback.hpp"

namespace {

using c10k::Fd;
using c10k::check_syscall;
using namespace c10k::demo;

// -- the two servers (in the child) ------------------------------------------------------

void echo_until_closed(int fd) {
    char buffer[512];
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0)
        if (::write(fd, buffer, static_cast<std::size_t>(n)) != n) break;
    ::close(fd);
}

// A thread per connection; tells @p ready once @p expected connections are accepted.
[[noreturn]] void serve_with_threads(int listener, long expected, int ready) {
    for (long accepted = 0;;) {
        int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        try {
            std::thread(echo_until_closed, fd).detach();
        } catch (const std::system_error&) {  // out of threads: say so, once
            (void)::write(ready, "T", 1);
            ::pause();
        }
        if (++accepted == expected) (void)::write(ready, "A", 1);
    }
}

[[noreturn]] void serve_with_epoll(int listener, long expected, int ready) {
    ::fcntl(listener, F_SETFL, O_NONBLOCK);  // accept until EAGAIN, never block
    int epoll = ::epoll_create1(0);
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = listener;
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event);
    std::vector<epoll_event> events(512);
    char buffer[512];
    for (long accepted = 0;;) {
        int n = ::epoll_wait(epoll, events.data(), static_cast<int>(events.size()), -1);
        for (int i = 0; i < n; ++i) {
            int fd = events[i].data.fd;
            if (fd == listener) {
                int connection;
                while ((connection = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    epoll_event interest{};
                    interest.events = EPOLLIN;
                    interest.data.fd = connection;
                    ::epoll_ctl(epoll, EPOLL_CTL_ADD, connection, &interest);
                    if (++accepted == expected) (void)::write(ready, "A", 1);
                }
                continue;
            }
            ssize_t got = ::read(fd, buffer, sizeof buffer);
            if (got <= 0) {
                ::close(fd);
                continue;
            }
            (void)::write(fd, buffer, static_cast<std::size_t>(got));  // 8 bytes: the buffer takes them
        }
    }
}

// -- the client and the measurements (in this process) ----------------------------------

std::map<std::string, long> proc_status(pid_t pid) {
    std::map<std::string, long> fields;
    std::ifstream file("/proc/" + std::to_string(pid) + "/status");
    std::string key;
    long value;
    while (file >> key) {
        if (key.back() == ':' && (file >> value)) fields[key.substr(0, key.size() - 1)] = value;
        file.ignore(1 << 12, '\n');
        file.clear();
    }
    return fields;
}

long context_switches(pid_t pid) {
    long total = 0;
    for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
        std::ifstream file(task.path() / "status");
        std::string line;
        while (std::getline(file, line))
            if (line.rfind("voluntary_ctxt_switches:", 0) == 0 || line.rfind("nonvoluntary_ctxt_switches:", 0) == 0)
                total += std::stol(line.substr(line.find(':') + 1));
    }
    return total;
}

long kernel_stack_kb() {
    std::ifstream file("/proc/meminfo");
    std::string key;
    long value = 0;
    while (file >> key >> value) {
        if (key == "KernelStack:") return value;
        file.ignore(1 << 12, '\n');
    }
    return -1;
}

// Reads one status byte from the server within @p seconds; 0 on timeout.
char await(int fd, double seconds) {
    pollfd p{fd, POLLIN, 0};
    char byte = 0;
    if (::poll(&p, 1, static_cast<int>(seconds * 1000)) == 1 && ::read(fd, &byte, 1) == 1) return byte;
    return 0;
}

struct Figures {
    double accept_s = -1, round_s = -1;
    long rss_kb = -1, vm_kb = -1, threads = -1, kernel_stack_kb = -1;
    double switches_per_message = -1;
};

Figures measure(bool threads, long connections) {
    long stacks_before = kernel_stack_kb();
    c10k::ServerOptions where;
    Fd listener = c10k::open_listener(where, 4096);
    int status_pipe[2];
    check_syscall(::pipe2(status_pipe, O_CLOEXEC), "pipe2");
    pid_t server = check_syscall(::fork(), "fork");
    if (server == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlives the demo
        ::close(status_pipe[0]);
        if (threads) serve_with_threads(listener.get(), connections, status_pipe[1]);
        serve_with_epoll(listener.get(), connections, status_pipe[1]);
    }
    Fd ready(status_pipe[0]);
    ::close(status_pipe[1]);
    Figures f;
    std::string failure;
    std::vector<Fd> clients;
    try {
        double start = now_s();
        for (long i = 0; i < connections; ++i) {
            clients.push_back(connect_to(c10k::local_port(listener.get())));
        }
        char answer = await(ready.get(), 60);
        if (answer != 'A')
            throw std::runtime_error(answer == 'T' ? "the server could not create another thread (ulimit -u, threads-max, pids.max)"
                                                   : "the server did not accept every connection within 60 s");
        f.accept_s = now_s() - start;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));  // idle: every thread blocked in read
        auto status = proc_status(server);
        f.rss_kb = status["VmRSS"];
        f.vm_kb = status["VmSize"];
        f.threads = status["Threads"];
        long stacks = kernel_stack_kb();
        f.kernel_stack_kb = stacks < 0 || stacks_before < 0 ? -1 : stacks - stacks_before;

        // One message on every connection, then every echo.
        long switches_before = context_switches(server);
        start = now_s();
        for (auto& client : clients) check_syscall(::write(client.get(), "message!", 8), "write");
        char echo[8];
        for (auto& client : clients) {
            if (::recv(client.get(), echo, sizeof echo, MSG_WAITALL) != 8) throw std::runtime_error("no echo within 5 s");
        }
        f.round_s = now_s() - start;
        f.switches_per_message = static_cast<double>(context_switches(server) - switches_before) / static_cast<double>(connections);
    } catch (const std::exception& error) {
        failure = error.what();
    }
    ::kill(server, SIGKILL);
    ::waitpid(server, nullptr, 0);
    if (!failure.empty()) throw std::runtime_error(failure);
    return f;
}

}  // namespace

int main(int argc, char** argv) {
    Demo demo("threads_cost", "10,000 idle connections: 10,000 threads or one epoll loop", argc, argv);
    long connections = demo.small() ? 500 : 10000;
    // Client and server each hold one descriptor per connection.
    auto limit = static_cast<long>(c10k::raise_open_file_limit());
    if (limit < connections + 64) {
        demo.note("ulimit -n is " + std::to_string(limit) + ": measured with fewer connections (as root: ulimit -n 20000).");
        connections = std::max(100L, limit - 64);
    }
    auto& table = demo.table(number(static_cast<double>(connections)) + " idle loopback connections",
                             {"server", "threads", "resident", "virtual", "kernel stacks", "time to accept all",
                              "switches / message", "echo round"});
    struct Case {
        bool threads;
        const char* name;
    };
    for (const Case c : {Case{true, "a thread per connection"}, Case{false, "one epoll loop"}}) {
        try {
            Figures f = measure(c.threads, connections);
            add_row(table, {c.name, number(static_cast<double>(f.threads)), bytes(static_cast<double>(f.rss_kb) * 1024),
                            bytes(static_cast<double>(f.vm_kb) * 1024),
                            f.kernel_stack_kb < 0 ? "?" : bytes(static_cast<double>(f.kernel_stack_kb) * 1024),
                            duration_us(f.accept_s * 1e6), number(f.switches_per_message, 2), duration_us(f.round_s * 1e6)});
            demo.figures()[c.name] = {{"connections", connections}, {"threads", f.threads}, {"rss_kb", f.rss_kb},
                                      {"virtual_kb", f.vm_kb}, {"kernel_stack_kb", f.kernel_stack_kb},
                                      {"accept_s", f.accept_s}, {"switches_per_message", f.switches_per_message},
                                      {"echo_round_s", f.round_s}};
        } catch (const std::exception& error) {
            add_row(table, {c.name, error.what()});
        }
    }
    demo.note("Virtual: each thread reserves an 8 MiB stack (ulimit -s) it mostly never touches; resident is what it did.");
    demo.note("Kernel stacks: /proc/meminfo KernelStack grew by this much (16 KiB per thread on x86-64), machine-wide.");
    demo.note("Switches per message: the server's context switches while every connection sent one message and got its echo.");
    return demo.finish();
}
