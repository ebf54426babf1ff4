// Broken on purpose (for lab 05): a poll() server whose sockets are blocking. One client
// that never reads fills its socket buffers, write() blocks, and every client waits.
#include <poll.h>

#include <map>
#include <vector>

#include "broken_server.hpp"
#include "c10k/open_files.hpp"

int main(int argc, char** argv) {
    c10k::raise_open_file_limit();
    c10k::Fd listener = broken::start_listening(argc, argv, "poll with blocking writes");
    std::map<int, c10k::Fd> clients;
    while (!c10k::stop_requested()) {
        std::vector<pollfd> fds{{listener.get(), POLLIN, 0}};
        for (const auto& entry : clients) fds.push_back({entry.first, POLLIN, 0});
        if (::poll(fds.data(), fds.size(), -1) < 0) continue;
        for (std::size_t i = 1; i < fds.size(); ++i) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char buffer[65536];
            ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
            bool keep = n > 0;
            for (ssize_t done = 0; keep && done < n;) {  // the bug: blocks while this client does not read
                ssize_t w = ::write(fds[i].fd, buffer + done, static_cast<std::size_t>(n - done));
                keep = w > 0;
                done += w;
            }
            if (!keep) clients.erase(fds[i].fd);
        }
        if (fds[0].revents & POLLIN) {
            c10k::Fd client{::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC)};
            if (client) clients.emplace(client.get(), std::move(client));
        }
    }
}
