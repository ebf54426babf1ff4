// io_uring, restricted. A ring created disabled (IORING_SETUP_R_DISABLED) accepts
// restrictions before it is enabled: here ACCEPT, RECV and SEND and nothing else, the
// whole of an echo server's needs. Anything else submitted to it completes with EACCES,
// and so does every io_uring_register call. Then seccomp: the filter a container runtime
// installs decides whether io_uring_setup works at all -- Docker 25 and later answer EPERM
// (moby#46762 took io_uring out of the default profile); this project's profile allows it.
//
//   c10k-demo-restricted [--small] [--out DIR]

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>

#include <liburing.h>

#include "c10k/fd.hpp"
#include "c10k/io_uring_support.hpp"
#include "c10k/listener.hpp"
#include "c10k/syscall_error.hpp"
#include "demo_report.hpp"
#include "loopback.hpp"

namespace {

using c10k::Fd;
using c10k::check_syscall;
using namespace c10k::demo;

std::string outcome(int result) { return result >= 0 ? "ok (" + std::to_string(result) + ")" : "-" + errno_name(-result); }

// liburing 2.3 declares io_uring_register_restrictions() and io_uring_enable_rings() but its
// shared library does not export them (Debian 12): the register calls themselves, then.
int register_restrictions(io_uring& ring, io_uring_restriction* restrictions, unsigned count) {
    long result = ::syscall(__NR_io_uring_register, ring.ring_fd, IORING_REGISTER_RESTRICTIONS, restrictions, count);
    return result < 0 ? -errno : 0;
}
int enable_rings(io_uring& ring) {
    long result = ::syscall(__NR_io_uring_register, ring.ring_fd, IORING_REGISTER_ENABLE_RINGS, nullptr, 0);
    return result < 0 ? -errno : 0;
}

// Submits one prepared SQE and returns its CQE's result.
int complete_one(io_uring& ring) {
    int submitted = io_uring_submit_and_wait(&ring, 1);
    if (submitted < 0) return submitted;
    io_uring_cqe* cqe = nullptr;
    int error = io_uring_wait_cqe(&ring, &cqe);
    if (error < 0) return error;
    int result = cqe->res;
    io_uring_cqe_seen(&ring, cqe);
    return result;
}

void restricted_ring(Demo& demo) {
    auto& table = demo.table("a ring restricted to ACCEPT, RECV and SEND (IORING_REGISTER_RESTRICTIONS)",
                             {"request", "allowed", "result"});
    io_uring ring{};
    io_uring_params params{};
    params.flags = IORING_SETUP_R_DISABLED;
    if (int error = io_uring_queue_init_params(8, &ring, &params); error < 0)
        throw std::runtime_error(c10k::io_uring_unavailable_reason(-error));
    io_uring_restriction allowed[3]{};
    const unsigned char ops[3] = {IORING_OP_ACCEPT, IORING_OP_RECV, IORING_OP_SEND};
    for (int i = 0; i < 3; ++i) {
        allowed[i].opcode = IORING_RESTRICTION_SQE_OP;
        allowed[i].sqe_op = ops[i];
    }
    int registered = register_restrictions(ring, allowed, 3);
    int enabled = registered < 0 ? registered : enable_rings(ring);
    if (registered < 0 || enabled < 0) {
        io_uring_queue_exit(&ring);
        throw std::runtime_error("io_uring_register_restrictions/enable_rings: " + outcome(registered < 0 ? registered : enabled) +
                                 " (Linux 5.10 or later)");
    }

    // The allowed part: accept a loopback client, receive its "ping", answer "pong".
    c10k::ServerOptions where;
    Fd listener = c10k::open_listener(where);
    Fd client = connect_to(c10k::local_port(listener.get()));  // the backlog completes it
    io_uring_prep_accept(io_uring_get_sqe(&ring), listener.get(), nullptr, nullptr, 0);
    int accepted = complete_one(ring);
    add_row(table, {"ACCEPT a loopback client", "yes", outcome(accepted)});
    Fd connection(accepted);
    char buffer[16] = {};
    check_syscall(::send(client.get(), "ping", 4, 0), "send");
    io_uring_prep_recv(io_uring_get_sqe(&ring), connection.get(), buffer, sizeof buffer, 0);
    add_row(table, {"RECV its \"ping\"", "yes", outcome(complete_one(ring))});
    io_uring_prep_send(io_uring_get_sqe(&ring), connection.get(), "pong", 4, 0);
    add_row(table, {"SEND \"pong\"", "yes", outcome(complete_one(ring))});

    // The forbidden part: each request completes with EACCES, and nothing happens.
    io_uring_prep_openat(io_uring_get_sqe(&ring), AT_FDCWD, "/etc/passwd", O_RDONLY, 0);
    int opened = complete_one(ring);
    add_row(table, {"OPENAT /etc/passwd", "no", outcome(opened)});
    if (opened >= 0) ::close(opened);
    io_uring_prep_read(io_uring_get_sqe(&ring), connection.get(), buffer, sizeof buffer, 0);
    add_row(table, {"READ from the connection", "no", outcome(complete_one(ring))});
    io_uring_prep_close(io_uring_get_sqe(&ring), connection.get());
    add_row(table, {"CLOSE the connection", "no", outcome(complete_one(ring))});
    iovec buffers{buffer, sizeof buffer};
    add_row(table, {"io_uring_register_buffers", "no", outcome(io_uring_register_buffers(&ring, &buffers, 1))});
    io_uring_queue_exit(&ring);
    char answer[8] = {};
    ::recv(client.get(), answer, sizeof answer, MSG_DONTWAIT);
    if (std::string(answer) != "pong") throw std::runtime_error("the client did not receive the ring's \"pong\"");
    for (const auto& row : table.rows) demo.figures()["ring"][row[0]] = row[2];
}

// A seccomp filter that answers @p error (0: allows) to the three io_uring calls.
void install_filter(int error) {
#if defined(__x86_64__)
    constexpr unsigned kArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
    constexpr unsigned kArch = AUDIT_ARCH_AARCH64;
#else
#error "the seccomp part of this demo knows x86-64 and arm64"
#endif
    const unsigned answer = error ? SECCOMP_RET_ERRNO | static_cast<unsigned>(error) : SECCOMP_RET_ALLOW;
    sock_filter program[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kArch, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 3, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_enter, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_register, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, answer),
    };
    sock_fprog filter{static_cast<unsigned short>(sizeof program / sizeof program[0]), program};
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &filter) != 0)
        ::_exit(100);
}

// io_uring_setup's result (0 or a negative errno) in a child process behind the filter.
int setup_behind_filter(int error) {
    pid_t child = check_syscall(::fork(), "fork");
    if (child == 0) {
        install_filter(error);
        io_uring ring{};
        int result = io_uring_queue_init(4, &ring, 0);
        ::_exit(result < 0 ? -result : 0);
    }
    int status = 0;
    for (int i = 0; i < 500 && ::waitpid(child, &status, WNOHANG) == 0; ++i) ::usleep(10000);
    if (!WIFEXITED(status)) {
        ::kill(child, SIGKILL);
        ::waitpid(child, &status, 0);
        throw std::runtime_error("the filtered child did not finish in 5 s");
    }
    if (WEXITSTATUS(status) == 100) throw std::runtime_error("seccomp(SECCOMP_SET_MODE_FILTER) failed");
    return -WEXITSTATUS(status);
}

// Does this project's profile let the io_uring calls through? Read from the file itself.
bool profile_allows_io_uring(const std::string& path) {
    std::ifstream file(path);
    std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    if (text.empty()) throw std::runtime_error("cannot read " + path);
    auto json = nlohmann::json::parse(text);
    for (const auto& rule : json.at("syscalls"))
        if (rule.value("action", "") == "SCMP_ACT_ALLOW")
            for (const auto& name : rule.at("names"))
                if (name == "io_uring_setup") return true;
    return false;
}

void seccomp_profiles(Demo& demo) {
    auto& table = demo.table("io_uring_setup behind a container's seccomp filter", {"filter", "io_uring_setup", "strerror"});
    const std::string profile = C10K_SOURCE_DIR "/docker/seccomp-io_uring.json";
    struct Row {
        std::string name;
        int error;
    };
    const Row rows[] = {{"none (this machine)", 0},
                        {"Docker 25+ default profile (io_uring not listed, EPERM)", EPERM},
                        {"a profile answering ENOSYS to what it does not list", ENOSYS},
                        {"docker/seccomp-io_uring.json (make docker-shell)", profile_allows_io_uring(profile) ? 0 : ENOSYS}};
    for (const auto& row : rows) {
        int result = setup_behind_filter(row.error);
        add_row(table, {row.name, outcome(result), result == 0 ? "" : std::strerror(-result)});
        demo.figures()["seccomp"][row.name] = result;
    }
}

}  // namespace

int main(int argc, char** argv) {
    Demo demo("restricted", "io_uring restricted to three opcodes, and behind seccomp", argc, argv);
    if (auto missing = c10k::probe_io_uring()) return demo.unavailable(*missing);
    try {
        restricted_ring(demo);
        seccomp_profiles(demo);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "c10k-demo-restricted: %s\n", error.what());
        return 1;
    }
    demo.note("A restricted ring is a sandbox for one ring; it cannot stop a process from making another ring.");
    demo.note("That is why container runtimes filter io_uring_setup itself with seccomp.");
    return demo.finish();
}
