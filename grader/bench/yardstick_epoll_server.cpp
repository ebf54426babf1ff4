// The yardstick: a plain epoll echo server written for speed, not for teaching.
// NOT a lab and not a reference solution: `make race` runs it beside lab 06's reference
// so the table says how far the teaching code is from a best effort with the same
// mechanism. The differences are the usual ones: a flat fd-indexed table instead of a map,
// echo straight from the read buffer (a copy only for what the socket did not take),
// and one epoll_wait per batch of up to 4096 events.

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <exception>
#include <vector>

#include "c10k/announce.hpp"
#include "c10k/fd.hpp"
#include "c10k/listener.hpp"
#include "c10k/open_files.hpp"
#include "c10k/server_cli.hpp"
#include "c10k/stop_signals.hpp"
#include "c10k/syscall_error.hpp"

namespace {

struct Client {
    bool open = false;
    bool watching_out = false;
    std::vector<char> unsent;  // what the socket did not take yet
};

class YardstickServer {
public:
    YardstickServer(int listener, const sigset_t& wait_mask)
        : listener_(listener), wait_mask_(wait_mask), epoll_(c10k::check_syscall(::epoll_create1(EPOLL_CLOEXEC), "epoll_create1")) {
        watch(listener_, EPOLLIN, EPOLL_CTL_ADD);
    }

    void run() {
        std::vector<epoll_event> ready(4096);
        while (!c10k::stop_requested()) {
            int count = ::epoll_pwait(epoll_.get(), ready.data(), static_cast<int>(ready.size()), -1, &wait_mask_);
            if (count < 0 && errno != EINTR) throw c10k::SyscallError("epoll_pwait", errno);
            for (int i = 0; i < count; ++i) {
                int fd = ready[i].data.fd;
                if (fd == listener_) accept_all();
                else if (ready[i].events & EPOLLOUT) flush(fd);
                else echo(fd);
            }
        }
        for (std::size_t fd = 0; fd < clients_.size(); ++fd)
            if (clients_[fd].open) ::close(static_cast<int>(fd));
    }

private:
    void watch(int fd, std::uint32_t events, int op) {
        epoll_event event{};
        event.events = events;
        event.data.fd = fd;
        c10k::check_syscall(::epoll_ctl(epoll_.get(), op, fd, &event), "epoll_ctl");
    }

    void accept_all() {
        for (;;) {
            int fd = ::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) return;  // EAGAIN, or a connection that went away: both mean "done"
            if (static_cast<std::size_t>(fd) >= clients_.size()) clients_.resize(static_cast<std::size_t>(fd) * 2);
            clients_[static_cast<std::size_t>(fd)].open = true;
            watch(fd, EPOLLIN, EPOLL_CTL_ADD);
        }
    }

    void close_client(int fd) {
        ::close(fd);  // also leaves the epoll set
        clients_[static_cast<std::size_t>(fd)] = Client{};
    }

    void echo(int fd) {
        ssize_t got = ::read(fd, buffer_, sizeof buffer_);
        if (got <= 0) {
            if (got == 0 || (errno != EAGAIN && errno != EINTR)) close_client(fd);
            return;
        }
        ssize_t put = ::write(fd, buffer_, static_cast<std::size_t>(got));
        if (put == got) return;
        if (put < 0 && errno != EAGAIN) return close_client(fd);
        // The socket is full: keep the rest and wait for room, not for more input.
        Client& client = clients_[static_cast<std::size_t>(fd)];
        std::size_t taken = put < 0 ? 0 : static_cast<std::size_t>(put);
        client.unsent.assign(buffer_ + taken, buffer_ + got);
        client.watching_out = true;
        watch(fd, EPOLLOUT, EPOLL_CTL_MOD);
    }

    void flush(int fd) {
        Client& client = clients_[static_cast<std::size_t>(fd)];
        ssize_t put = ::write(fd, client.unsent.data(), client.unsent.size());
        if (put < 0) {
            if (errno != EAGAIN) close_client(fd);
            return;
        }
        client.unsent.erase(client.unsent.begin(), client.unsent.begin() + put);
        if (client.unsent.empty()) {
            client.watching_out = false;
            watch(fd, EPOLLIN, EPOLL_CTL_MOD);
        }
    }

    int listener_;
    sigset_t wait_mask_;
    c10k::Fd epoll_;
    std::vector<Client> clients_ = std::vector<Client>(1024);
    char buffer_[64 * 1024];
};

}  // namespace

int main(int argc, char** argv) {
    c10k::ServerOptions options =
        c10k::parse_server_cli(argc, argv, "yardstick: a best-effort epoll echo server (for make race, not a lab)");
    try {
        c10k::install_stop_signals();
        sigset_t wait_mask = c10k::block_stop_signals();
        c10k::raise_open_file_limit();
        c10k::Fd listener = c10k::open_listener(options, SOMAXCONN, SOCK_NONBLOCK);
        c10k::announce_listening(listener.get());
        YardstickServer(listener.get(), wait_mask).run();
    } catch (const std::exception& error) {
        std::fprintf(stderr, "yardstick: %s\n", error.what());
        return 1;
    }
    return 0;
}
