// The kernel's view of io_uring, through its tracepoints (kprobes are not built into every
// kernel; tracepoints are): for every request submitted, did it complete right there, did
// io_uring arm a poll and wait for the socket, or hand it to an io-wq worker thread? And
// how many completions did each request make (multishot: many)? For the references of labs 07 and 08
// under an echo load, then for files and splice in this process.
//
//   c10k-demo-kernel_view [--small] [--out DIR]

#include <fcntl.h>
#include <liburing.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

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

const char* const kEvents[] = {"io_uring:io_uring_submit_req", "io_uring:io_uring_poll_arm",
                               "io_uring:io_uring_queue_async_work", "io_uring:io_uring_complete"};

// One counter per tracepoint, for @p pid and every thread it creates from now on.
struct Tracepoints {
    explicit Tracepoints(pid_t pid) {
        for (const char* event : kEvents) counters.emplace(event, KernelCounter::tracepoint(event, pid, true));
    }
    std::map<std::string, long> values() const {
        std::map<std::string, long> out;
        for (const auto& [name, counter] : counters) out[name.substr(name.find(':') + 1)] = counter.value();
        return out;
    }
    std::map<std::string, KernelCounter> counters;
};

void add_counts(Demo& demo, Table& table, const std::string& name, std::map<std::string, long> counts, long units,
                const std::string& unit) {
    double submitted = static_cast<double>(counts["io_uring_submit_req"]);
    double per = submitted > 0 ? submitted : 1;
    double neither = submitted - static_cast<double>(counts["io_uring_poll_arm"] + counts["io_uring_queue_async_work"]);
    add_row(table, {name, number(static_cast<double>(units)) + " " + unit, number(submitted),
                    number(100 * std::max(0.0, neither) / per) + " %",
                    number(100 * static_cast<double>(counts["io_uring_poll_arm"]) / per) + " %",
                    number(100 * static_cast<double>(counts["io_uring_queue_async_work"]) / per) + " %",
                    number(static_cast<double>(counts["io_uring_complete"]) / per, 2)});
    nlohmann::json entry = counts;
    entry[unit] = units;
    demo.figures()[name] = entry;
}

// -- a reference server under an echo load ----------------------------------------------

// Starts @p server as a child that waits for a byte on a pipe before exec, so the
// counters are attached before its first thread or request.
struct Child {
    pid_t pid = -1;
    Fd go, output;
    ~Child() {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
    }
};

void start(Child& child, const std::string& server) {
    int go[2], out[2];
    check_syscall(::pipe2(go, O_CLOEXEC), "pipe2");
    check_syscall(::pipe2(out, O_CLOEXEC), "pipe2");
    child.pid = check_syscall(::fork(), "fork");
    if (child.pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlives the demo
        char byte;
        if (::read(go[0], &byte, 1) != 1) ::_exit(127);
        ::dup2(out[1], STDOUT_FILENO);
        ::execl(server.c_str(), server.c_str(), "--port", "0", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(go[0]);
    ::close(out[1]);
    child.go.reset(go[1]);
    child.output.reset(out[0]);
}

std::uint16_t announced_port(int output) {
    std::string text;
    char buffer[256];
    double deadline = now_s() + 10;
    pollfd p{output, POLLIN, 0};
    while (now_s() < deadline && ::poll(&p, 1, 100) >= 0) {
        if (!(p.revents & (POLLIN | POLLHUP))) continue;
        ssize_t n = ::read(output, buffer, sizeof buffer);
        if (n <= 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
        std::smatch m;
        if (std::regex_search(text, m, std::regex(R"(listening on .*:(\d+)\n)"))) return static_cast<std::uint16_t>(std::stoi(m[1]));
    }
    throw std::runtime_error("the server did not announce its port within 10 s");
}

// @p connections clients, @p rounds times: a message on each, then each echo.
long echo_load(std::uint16_t port, int connections, int rounds) {
    std::vector<Fd> clients;
    for (int i = 0; i < connections; ++i) clients.push_back(connect_to(port));
    char message[64], echo[64];
    std::memset(message, 'k', sizeof message);
    for (int r = 0; r < rounds; ++r) {
        for (auto& c : clients) check_syscall(::send(c.get(), message, sizeof message, 0), "send");
        for (auto& c : clients)
            if (::recv(c.get(), echo, sizeof echo, MSG_WAITALL) != static_cast<ssize_t>(sizeof echo))
                throw std::runtime_error("no echo within 5 s");
    }
    return static_cast<long>(connections) * rounds;
}

void reference_under_load(Demo& demo, Table& table, const std::string& lab, int connections, int rounds) {
    // The reference; in the student handout (no solutions/), the student's own build.
    std::string server = std::string(C10K_BUILD_DIR) + "/solutions/" + lab + "/server", label = lab;
    if (!std::filesystem::exists(server)) {
        server = std::string(C10K_BUILD_DIR) + "/labs/" + lab + "/server";
        label = "your " + lab;
    }
    if (!std::filesystem::exists(server)) {
        add_row(table, {lab, "not built: run make"});
        return;
    }
    try {
        Child child;
        start(child, server);
        Tracepoints counters(child.pid);
        check_syscall(::write(child.go.get(), "g", 1), "write");
        long messages = echo_load(announced_port(child.output.get()), connections, rounds);
        add_counts(demo, table, label + " (echo)", counters.values(), messages, "messages");
    } catch (const std::exception& error) {  // a student's server that does not echo yet
        add_row(table, {label + " (echo)", error.what()});
    }
}

// -- files and splice, in this process --------------------------------------------------

// Submits @p count requests that @p prepare makes, waits for them all, checks them.
void run_ring(unsigned count, const std::function<void(io_uring&, unsigned)>& prepare) {
    io_uring ring{};
    if (int error = io_uring_queue_init(count, &ring, 0); error < 0) throw c10k::SyscallError("io_uring_queue_init", -error);
    for (unsigned i = 0; i < count; ++i) prepare(ring, i);
    int error = io_uring_submit_and_wait(&ring, count);
    for (unsigned done = 0; error >= 0 && done < count; ++done) {
        io_uring_cqe* cqe = nullptr;
        error = io_uring_wait_cqe(&ring, &cqe);
        if (error >= 0 && cqe->res < 0) error = cqe->res;
        if (error >= 0) io_uring_cqe_seen(&ring, cqe);
    }
    io_uring_queue_exit(&ring);
    if (error < 0) throw c10k::SyscallError("an io_uring request", -error);
}

void files_and_splice(Demo& demo, Table& table, unsigned count) {
    const std::size_t size = 256 * 1024;
    auto path = demo.scratch() / "file";
    {
        Fd out(check_syscall(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), "open"));
        std::vector<char> block(size * count, 'f');
        if (::write(out.get(), block.data(), block.size()) != static_cast<ssize_t>(block.size())) throw c10k::SyscallError("write", errno);
        check_syscall(::fsync(out.get()), "fsync");
    }
    Fd file(check_syscall(::open(path.c_str(), O_RDONLY | O_CLOEXEC), "open"));
    std::vector<char> buffer(size * count);
    auto reads = [&](io_uring& ring, unsigned i) {
        io_uring_prep_read(io_uring_get_sqe(&ring), file.get(), buffer.data() + i * size, size, i * size);
    };
    {
        Tracepoints counters(0);
        run_ring(count, reads);
        add_counts(demo, table, "file READ, in the page cache", counters.values(), count, "reads");
    }
    {
        ::posix_fadvise(file.get(), 0, 0, POSIX_FADV_DONTNEED);
        Tracepoints counters(0);
        run_ring(count, reads);
        add_counts(demo, table, "file READ, on the disk", counters.values(), count, "reads");
    }
    {
        std::vector<std::pair<Fd, Fd>> pipes;
        for (unsigned i = 0; i < count; ++i) {
            int ends[2];
            check_syscall(::pipe2(ends, O_CLOEXEC), "pipe2");
            pipes.emplace_back(Fd(ends[0]), Fd(ends[1]));
        }
        Tracepoints counters(0);
        run_ring(count, [&](io_uring& ring, unsigned i) {
            io_uring_prep_splice(io_uring_get_sqe(&ring), file.get(), static_cast<int64_t>(i * size), pipes[i].second.get(), -1,
                                 16 * 1024, 0);
        });
        add_counts(demo, table, "SPLICE file -> pipe", counters.values(), count, "splices");
    }
}

}  // namespace

int main(int argc, char** argv) {
    Demo demo("kernel_view", "io_uring seen from its tracepoints: inline, poll-armed or handed to io-wq", argc, argv);
    if (auto missing = c10k::probe_io_uring()) return demo.unavailable(*missing);
    if (auto missing = tracepoints_unavailable()) return demo.unavailable(*missing);
    for (const char* event : kEvents)
        if (!tracepoint_exists(event))
            return demo.unavailable(std::string("this kernel has no ") + event + " tracepoint (Linux 5.18 or later names them so)");
    auto& table = demo.table("per request, as the kernel saw it",
                             {"workload", "work", "requests", "neither polled nor punted", "poll armed", "to io-wq",
                              "completions / request"});
    try {
        int rounds = demo.small() ? 100 : 1000;
        reference_under_load(demo, table, "07-io_uring", 16, rounds);
        reference_under_load(demo, table, "08-io_uring-advanced", 16, rounds);
        files_and_splice(demo, table, demo.small() ? 16 : 64);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "c10k-demo-kernel_view: %s\n", error.what());
        return 1;
    }
    demo.note("Counted with perf_event_open on the io_uring:* tracepoints of the server (and its threads).");
    demo.note("Poll armed: the socket had nothing yet, so io_uring waits for it without a thread. To io-wq: the");
    demo.note("request could not be done without blocking, and a worker thread does it (splice always does).");
    demo.note("Completions per request above 1: one multishot request (lab 08's recv) completing once per message.");
    return demo.finish();
}
