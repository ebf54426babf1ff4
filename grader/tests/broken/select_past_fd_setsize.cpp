// Broken on purpose: a select() server without the FD_SETSIZE check. Built with
// _FORTIFY_SOURCE, glibc aborts the moment FD_SET is handed fd 1024 (without it, the
// write past the fd_set would corrupt the stack silently).
#include <sys/select.h>

#include <map>

#include "broken_server.hpp"
#include "c10k/open_files.hpp"

int main(int argc, char** argv) {
    c10k::raise_open_file_limit();
    c10k::Fd listener = broken::start_listening(argc, argv, "select without the FD_SETSIZE check");
    std::map<int, c10k::Fd> clients;
    while (!c10k::stop_requested()) {
        fd_set readable;
        FD_ZERO(&readable);
        FD_SET(listener.get(), &readable);
        int max_fd = listener.get();
        for (const auto& entry : clients) {
            FD_SET(entry.first, &readable);  // the bug: entry.first may be >= FD_SETSIZE
            max_fd = std::max(max_fd, entry.first);
        }
        if (::select(max_fd + 1, &readable, nullptr, nullptr, nullptr) < 0) continue;
        if (FD_ISSET(listener.get(), &readable)) {
            c10k::Fd client{::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC)};
            if (client) clients.emplace(client.get(), std::move(client));
        }
        for (auto it = clients.begin(); it != clients.end();) {
            char buffer[65536];
            ssize_t n = FD_ISSET(it->first, &readable) ? ::read(it->first, buffer, sizeof buffer) : 1;
            bool keep = n > 0 && (!FD_ISSET(it->first, &readable) || ::write(it->first, buffer, n) == n);
            it = keep ? std::next(it) : clients.erase(it);
        }
    }
}
