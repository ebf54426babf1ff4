// Broken on purpose (lab 09): one nonblocking send per piece of the response, its return
// value ignored. When the client's socket buffer is full, the rest of the piece is lost.
#include "broken_proxy.hpp"

int main(int argc, char** argv) {
    broken::ProxyParts parts;
    parts.to_client = [](int fd, std::string_view bytes) {
        ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        return n >= 0 || errno == EAGAIN;  // a short count is taken as "all sent"
    };
    return broken::run_proxy(argc, argv, parts);
}
