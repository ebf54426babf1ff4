// Broken on purpose (for lab 05): nonblocking sockets, and a short send() is taken as
// done: the rest of that buffer is dropped, and the echo goes on with the next read.
#include <poll.h>
#include <sys/socket.h>

#include <fcntl.h>

#include "broken_server.hpp"

int main(int argc, char** argv) {
    return broken::run(argc, argv, [](int client) {
        ::fcntl(client, F_SETFL, ::fcntl(client, F_GETFL) | O_NONBLOCK);
        int small = 4096;  // a small send buffer: every large send() is short, every run
        ::setsockopt(client, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
        char buffer[65536];
        for (;;) {
            pollfd pfd{client, POLLIN, 0};
            if (::poll(&pfd, 1, -1) < 0) return;
            ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
            if (n == 0 || (n < 0 && errno != EAGAIN)) return;
            if (n > 0) {
                pollfd out{client, POLLOUT, 0};
                ::poll(&out, 1, -1);
                ::send(client, buffer, static_cast<std::size_t>(n), MSG_NOSIGNAL);  // the bug: a short send's rest is lost
            }
        }
    });
}
