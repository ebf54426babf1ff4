// A file to a socket: read()+write() copies every byte into user space and back out;
// sendfile() and splice() move page references instead; io_uring can do either (READ then
// SEND, or two SPLICEs through a pipe). Measured as the sender's CPU per GB. Then
// MSG_ZEROCOPY and IORING_OP_SEND_ZC to a loopback peer, with the kernel's own account of
// each send: "copied" -- a local receiver cannot keep the sender's pages, so it copies.
//
//   c10k-demo-copies [--small] [--out DIR]

#include <fcntl.h>
#include <liburing.h>
#include <netinet/in.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "c10k/fd.hpp"
#include "c10k/io_uring_support.hpp"
#include "c10k/syscall_error.hpp"
#include "demo_report.hpp"
#include "loopback.hpp"
#include "send_zc_probe.hpp"

namespace {

using c10k::Fd;
using c10k::check_syscall;
using namespace c10k::demo;

constexpr std::size_t kChunk = 128 * 1024;

// -- the ways to send the file once ------------------------------------------------------

void with_read_write(int file, int socket, std::size_t size) {
    static std::vector<char> buffer(kChunk);
    for (std::size_t offset = 0; offset < size;) {
        ssize_t got = check_syscall(::pread(file, buffer.data(), kChunk, static_cast<off_t>(offset)), "pread");
        if (got == 0) throw std::runtime_error("the file ended early");
        for (ssize_t sent = 0; sent < got;) sent += check_syscall(::write(socket, buffer.data() + sent, static_cast<std::size_t>(got - sent)), "write");
        offset += static_cast<std::size_t>(got);
    }
}

void with_sendfile(int file, int socket, std::size_t size) {
    off_t offset = 0;
    while (static_cast<std::size_t>(offset) < size) check_syscall(::sendfile(socket, file, &offset, size - static_cast<std::size_t>(offset)), "sendfile");
}

// The next completion's result; a failed request throws.
int completion(io_uring& ring) {
    io_uring_cqe* cqe = nullptr;
    if (int error = io_uring_wait_cqe(&ring, &cqe); error < 0) throw c10k::SyscallError("io_uring_wait_cqe", -error);
    int result = cqe->res;
    io_uring_cqe_seen(&ring, cqe);
    if (result < 0) throw c10k::SyscallError("an io_uring request", -result);
    return result;
}

void submit(io_uring& ring, unsigned wait_for) {
    if (int error = io_uring_submit_and_wait(&ring, wait_for); error < 0) throw c10k::SyscallError("io_uring_submit_and_wait", -error);
}

// A pipe that holds a whole chunk, so one splice moves it (the default holds 64 KiB).
std::pair<Fd, Fd> chunk_pipe() {
    int ends[2];
    check_syscall(::pipe2(ends, O_CLOEXEC), "pipe2");
    Fd in(ends[0]), out(ends[1]);
    check_syscall(::fcntl(out.get(), F_SETPIPE_SZ, static_cast<int>(kChunk)), "fcntl(F_SETPIPE_SZ)");
    return {std::move(in), std::move(out)};
}

void with_splice(int file, int socket, std::size_t size) {
    auto [in, out] = chunk_pipe();
    loff_t offset = 0;
    while (static_cast<std::size_t>(offset) < size) {
        ssize_t moved = check_syscall(::splice(file, &offset, out.get(), nullptr, kChunk, SPLICE_F_MOVE), "splice file->pipe");
        while (moved > 0) moved -= check_syscall(::splice(in.get(), nullptr, socket, nullptr, static_cast<std::size_t>(moved), SPLICE_F_MOVE), "splice pipe->socket");
    }
}

// A linked pair per chunk: READ into the buffer, then SEND it (MSG_WAITALL: all of it).
void with_uring_read_send(int file, int socket, std::size_t size) {
    static std::vector<char> buffer(kChunk);
    io_uring ring{};
    if (int error = io_uring_queue_init(4, &ring, 0); error < 0) throw c10k::SyscallError("io_uring_queue_init", -error);
    try {
        for (std::size_t offset = 0; offset < size; offset += kChunk) {
            auto length = static_cast<unsigned>(std::min(kChunk, size - offset));
            auto* read = io_uring_get_sqe(&ring);
            io_uring_prep_read(read, file, buffer.data(), length, offset);
            read->flags |= IOSQE_IO_LINK;
            io_uring_prep_send(io_uring_get_sqe(&ring), socket, buffer.data(), length, MSG_WAITALL);
            submit(ring, 2);
            if (completion(ring) != static_cast<int>(length) || completion(ring) != static_cast<int>(length))
                throw std::runtime_error("a short io_uring read or send");
        }
    } catch (...) {
        io_uring_queue_exit(&ring);
        throw;
    }
    io_uring_queue_exit(&ring);
}

// A linked pair per chunk: SPLICE file -> pipe, SPLICE pipe -> socket (again if the socket
// took less).
void with_uring_splice(int file, int socket, std::size_t size) {
    auto [in, out] = chunk_pipe();
    io_uring ring{};
    if (int error = io_uring_queue_init(4, &ring, 0); error < 0) throw c10k::SyscallError("io_uring_queue_init", -error);
    try {
        for (std::size_t offset = 0; offset < size; offset += kChunk) {
            auto length = static_cast<unsigned>(std::min(kChunk, size - offset));
            auto* into_pipe = io_uring_get_sqe(&ring);
            io_uring_prep_splice(into_pipe, file, static_cast<int64_t>(offset), out.get(), -1, length, SPLICE_F_MOVE);
            into_pipe->flags |= IOSQE_IO_LINK;
            io_uring_prep_splice(io_uring_get_sqe(&ring), in.get(), -1, socket, -1, length, SPLICE_F_MOVE);
            submit(ring, 2);
            if (completion(ring) != static_cast<int>(length)) throw std::runtime_error("a short splice into the pipe");
            for (unsigned left = length - static_cast<unsigned>(completion(ring)); left > 0;
                 left -= static_cast<unsigned>(completion(ring))) {
                io_uring_prep_splice(io_uring_get_sqe(&ring), in.get(), -1, socket, -1, left, SPLICE_F_MOVE);
                submit(ring, 1);
            }
        }
    } catch (...) {
        io_uring_queue_exit(&ring);
        throw;
    }
    io_uring_queue_exit(&ring);
}

// -- one way, measured -------------------------------------------------------------------

struct Figures {
    double gbytes = 0, seconds = 0, sender_cpu_s = 0;
};

// Sends the file over a loopback connection to a thread that reads and discards, until
// @p total bytes have gone or @p seconds have passed.
Figures measure(void (*way)(int, int, std::size_t), int file, std::size_t size, std::size_t total, double seconds) {
    auto [sender, receiver] = connected_pair(0);  // the sink reads until the sender's shutdown
    std::atomic<double> receiver_cpu{0};
    std::thread sink([&] {
        std::vector<char> buffer(256 * 1024);
        double start = thread_cpu_s();
        while (::read(receiver.get(), buffer.data(), buffer.size()) > 0) {
        }
        receiver_cpu = thread_cpu_s() - start;
    });
    Figures f;
    std::string failure;
    double cpu_before = process_cpu_s(), start = now_s();
    std::size_t sent = 0;
    try {
        while (sent < total && now_s() - start < seconds) {
            way(file, sender.get(), size);
            sent += size;
        }
    } catch (const std::exception& error) {
        failure = error.what();
    }
    f.seconds = now_s() - start;
    ::shutdown(sender.get(), SHUT_WR);  // the sink reads to the end, then returns
    sink.join();
    // The process's CPU (io_uring's io-wq workers are its threads) minus the sink's.
    f.sender_cpu_s = process_cpu_s() - cpu_before - receiver_cpu.load();
    f.gbytes = static_cast<double>(sent) / 1e9;
    if (!failure.empty()) throw std::runtime_error(failure);
    return f;
}

}  // namespace

int main(int argc, char** argv) {
    Demo demo("copies", "a file to a socket: copies, sendfile, splice, io_uring; zero-copy sends on loopback", argc, argv);
    const std::size_t size = demo.small() ? 8u << 20 : 64u << 20;
    const std::size_t total = demo.small() ? 64u << 20 : 2048u << 20;
    const double seconds = demo.small() ? 0.5 : 2.0;
    auto no_uring = c10k::probe_io_uring();
    auto path = demo.scratch() / "body";
    try {
        {
            Fd out(check_syscall(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), "open"));
            std::vector<char> block(1 << 20, 'b');
            for (std::size_t i = 0; i < size; i += block.size()) check_syscall(::write(out.get(), block.data(), block.size()), "write");
        }
        Fd file(check_syscall(::open(path.c_str(), O_RDONLY | O_CLOEXEC), "open"));  // in the page cache: written just now
        auto& table = demo.table("a " + bytes(static_cast<double>(size)) + " cached file to a loopback socket",
                                 {"way", "GB/s", "sender CPU s per GB", "copies into user space"});
        struct Way {
            const char* name;
            void (*run)(int, int, std::size_t);
            bool uring;
            const char* copies;
        };
        const Way ways[] = {{"read + write", with_read_write, false, "every byte, twice"},
                            {"sendfile", with_sendfile, false, "none"},
                            {"splice via a pipe", with_splice, false, "none"},
                            {"io_uring READ + SEND", with_uring_read_send, true, "every byte, twice"},
                            {"io_uring SPLICE x2", with_uring_splice, true, "none"}};
        for (const auto& way : ways) {
            if (way.uring && no_uring) {
                add_row(table, {way.name, "skipped: " + *no_uring});
                continue;
            }
            try {
                Figures f = measure(way.run, file.get(), size, total, seconds);
                add_row(table, {way.name, number(f.gbytes / f.seconds, 2), number(f.sender_cpu_s / f.gbytes, 3), way.copies});
                demo.figures()["file"][way.name] = {{"gbytes", f.gbytes}, {"seconds", f.seconds}, {"cpu_s_per_gb", f.sender_cpu_s / f.gbytes}};
            } catch (const std::exception& error) {
                add_row(table, {way.name, error.what()});
            }
        }
    } catch (const std::exception& error) {
        std::fprintf(stderr, "c10k-demo-copies: %s\n", error.what());
        return 1;
    }

    auto& sends = demo.table("64 KiB sends to a loopback peer", {"way", "GB/s", "sender CPU s per GB", "notifications", "of them \"copied\""});
    for (const char* mode : {"send", "MSG_ZEROCOPY", "SEND_ZC"}) {
        auto r = zerocopy::probe_send(mode, demo.small() ? 0.2 : 0.5);
        if (!r.note.empty()) {
            add_row(sends, {mode, r.note});
            continue;
        }
        add_row(sends, {mode, number(r.gbytes / (demo.small() ? 0.2 : 0.5), 2), number(r.cpu_s_per_gb, 3),
                        mode == std::string("send") ? "" : number(static_cast<double>(r.notifications)),
                        mode == std::string("send") ? "" : number(static_cast<double>(r.copied))});
        demo.figures()["send"][mode] = {{"gbytes", r.gbytes}, {"cpu_s_per_gb", r.cpu_s_per_gb},
                                        {"notifications", r.notifications}, {"copied", r.copied}};
    }
    demo.note("Sender CPU: this process's CPU time minus the receiving thread's (io_uring's io-wq workers included).");
    demo.note("Zero-copy sends pin the sender's pages until the peer has them; a loopback receiver cannot keep");
    demo.note("them, so the kernel copies after all and says so (\"copied\"). The gain needs a real NIC.");
    return demo.finish();
}
