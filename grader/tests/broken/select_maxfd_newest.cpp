// Broken on purpose (for lab 03): select() with nfds taken from the newest client. Once
// a client leaves and a newcomer reuses its lower descriptor, every client above it is
// never looked at again.
#include <sys/select.h>

#include <map>

#include "broken_server.hpp"

int main(int argc, char** argv) {
    c10k::Fd listener = broken::start_listening(argc, argv, "select with nfds from the newest client");
    std::map<int, c10k::Fd> clients;
    int max_fd = listener.get();
    while (!c10k::stop_requested()) {
        fd_set readable;
        FD_ZERO(&readable);
        FD_SET(listener.get(), &readable);
        for (const auto& entry : clients) FD_SET(entry.first, &readable);
        if (::select(max_fd + 1, &readable, nullptr, nullptr, nullptr) < 0) continue;
        if (FD_ISSET(listener.get(), &readable)) {
            c10k::Fd client{::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC)};
            if (client) {
                max_fd = client.get();  // the bug: the newest, not the highest still open
                clients.emplace(client.get(), std::move(client));
            }
        }
        for (auto it = clients.begin(); it != clients.end();) {
            char buffer[65536];
            ssize_t n = FD_ISSET(it->first, &readable) ? ::read(it->first, buffer, sizeof buffer) : 1;
            bool keep = n > 0 && (!FD_ISSET(it->first, &readable) || ::write(it->first, buffer, n) == n);
            it = keep ? std::next(it) : clients.erase(it);
        }
    }
}
