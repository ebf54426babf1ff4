// MSG_ZEROCOPY (SO_ZEROCOPY; completions on the error queue, SO_EE_CODE_ZEROCOPY_COPIED)
// and IORING_OP_SEND_ZC (a notification CQE; with IORING_SEND_ZC_REPORT_USAGE its res
// carries IORING_NOTIF_USAGE_ZC_COPIED). For a loopback peer the kernel must copy: the
// receiver's socket cannot keep a reference to the sender's pages, so both report copied.
#include "send_zc_probe.hpp"

#include <arpa/inet.h>
#include <liburing.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <thread>
#include <vector>

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif
#ifndef IORING_SEND_ZC_REPORT_USAGE  // kernel 6.2; liburing 2.3's header predates it
#define IORING_SEND_ZC_REPORT_USAGE (1U << 3)
#endif
#ifndef IORING_NOTIF_USAGE_ZC_COPIED
#define IORING_NOTIF_USAGE_ZC_COPIED (1U << 31)
#endif

namespace zerocopy {
namespace {

constexpr std::size_t kChunk = 64 * 1024;

double thread_cpu() {
    timespec now{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

// A connected loopback pair: [0] sends, [1] receives.
bool connected_pair(int fds[2]) {
    int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    bool ok = ::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
              ::listen(listener, 1) == 0 &&
              ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) == 0;
    fds[0] = ok ? ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0) : -1;
    ok = ok && ::connect(fds[0], reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    fds[1] = ok ? ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC) : -1;
    ::close(listener);
    return ok && fds[1] >= 0;
}

// MSG_ZEROCOPY completions: ranges of sends, each with the copied code or not.
void drain_error_queue(int fd, SendResult& result) {
    for (;;) {
        char control[128];
        msghdr message{};
        message.msg_control = control;
        message.msg_controllen = sizeof control;
        if (::recvmsg(fd, &message, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) return;
        for (cmsghdr* c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c)) {
            auto* error = reinterpret_cast<sock_extended_err*>(CMSG_DATA(c));
            if (error->ee_origin != SO_EE_ORIGIN_ZEROCOPY) continue;
            long sends = static_cast<long>(error->ee_data - error->ee_info) + 1;  // [ee_info, ee_data]
            result.notifications += sends;
            if (error->ee_code & SO_EE_CODE_ZEROCOPY_COPIED) result.copied += sends;
        }
    }
}

void send_loop(int fd, const std::string& mode, double seconds, SendResult& result) {
    static char chunk[kChunk];
    io_uring ring{};
    bool uring = mode == "SEND_ZC";
    if (uring) {
        if (int error = io_uring_queue_init(64, &ring, 0); error < 0) {
            result.note = std::string("io_uring: ") + std::strerror(-error);
            return;
        }
    }
    if (mode == "MSG_ZEROCOPY") {
        int on = 1;
        if (::setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, &on, sizeof on) != 0) {
            result.note = std::string("SO_ZEROCOPY: ") + std::strerror(errno);
            return;
        }
    }
    double cpu_start = thread_cpu();
    std::size_t sent = 0;
    auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    long in_flight = 0;  // SEND_ZC: sends whose notification has not come yet
    while (std::chrono::steady_clock::now() < end) {
        if (uring) {
            io_uring_sqe* sqe = io_uring_get_sqe(&ring);
            io_uring_prep_send_zc(sqe, fd, chunk, kChunk, 0, 0);
            sqe->ioprio |= IORING_SEND_ZC_REPORT_USAGE;
            io_uring_submit(&ring);
            ++in_flight;
            // Reap until this send completed; notifications come when the pages are free.
            for (bool done = false; !done || in_flight > 8;) {
                io_uring_cqe* cqe = nullptr;
                if (io_uring_wait_cqe(&ring, &cqe) < 0) break;
                if (cqe->flags & IORING_CQE_F_NOTIF) {
                    --in_flight;
                    ++result.notifications;
                    if (static_cast<unsigned>(cqe->res) & IORING_NOTIF_USAGE_ZC_COPIED) ++result.copied;
                } else {
                    if (cqe->res > 0) sent += static_cast<std::size_t>(cqe->res);
                    if (!(cqe->flags & IORING_CQE_F_MORE)) --in_flight;  // no notification will follow
                    done = true;
                }
                io_uring_cqe_seen(&ring, cqe);
            }
        } else {
            ssize_t n = ::send(fd, chunk, kChunk, mode == "MSG_ZEROCOPY" ? MSG_ZEROCOPY : 0);
            if (n < 0 && errno != ENOBUFS) break;  // ENOBUFS: too many sends awaiting completion
            if (n > 0) sent += static_cast<std::size_t>(n);
            if (mode == "MSG_ZEROCOPY") drain_error_queue(fd, result);
        }
    }
    result.gbytes = static_cast<double>(sent) / 1e9;
    if (result.gbytes > 0) result.cpu_s_per_gb = (thread_cpu() - cpu_start) / result.gbytes;
    if (uring) {
        // The last notifications, so the count is complete.
        __kernel_timespec wait{0, 200'000'000};
        io_uring_cqe* cqe = nullptr;
        while (in_flight > 0 && io_uring_wait_cqe_timeout(&ring, &cqe, &wait) == 0) {
            if (cqe->flags & IORING_CQE_F_NOTIF) {
                --in_flight;
                ++result.notifications;
                if (static_cast<unsigned>(cqe->res) & IORING_NOTIF_USAGE_ZC_COPIED) ++result.copied;
            }
            io_uring_cqe_seen(&ring, cqe);
        }
        io_uring_queue_exit(&ring);
    } else if (mode == "MSG_ZEROCOPY") {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        drain_error_queue(fd, result);
    }
}

}  // namespace

SendResult probe_send(const std::string& mode, double seconds) {
    SendResult result;
    result.mode = mode;
    int fds[2] = {-1, -1};
    if (!connected_pair(fds)) {
        result.note = std::string("a loopback connection failed: ") + std::strerror(errno);
        return result;
    }
    std::thread reader([&] {
        std::vector<char> sink(256 * 1024);
        while (::recv(fds[1], sink.data(), sink.size(), 0) > 0) {
        }
    });
    send_loop(fds[0], mode, seconds, result);
    ::shutdown(fds[0], SHUT_RDWR);  // the reader sees the end
    reader.join();
    ::close(fds[0]);
    ::close(fds[1]);
    return result;
}

}  // namespace zerocopy
