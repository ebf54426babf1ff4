#include "3-test_kinds/server_socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <fstream>
#include <sstream>

namespace c10k::grader {
namespace {

// "0100007F:1F90" (IPv4) or a 32-digit IPv6 address, then ':' and the port in hex.
std::uint16_t port_of(const std::string& address) {
    auto colon = address.rfind(':');
    return colon == std::string::npos ? 0 : static_cast<std::uint16_t>(std::stoul(address.substr(colon + 1), nullptr, 16));
}

std::optional<ServerSocketState> search(const std::string& table, std::uint16_t server_port,
                                        std::uint16_t client_port) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // the column titles
    while (std::getline(in, line)) {
        // sl local rem st tx_queue:rx_queue tr:when retrnsmt uid timeout inode
        std::istringstream fields(line);
        std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout;
        unsigned long inode = 0;
        if (!(fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >> inode))
            continue;
        if (port_of(local) != server_port || port_of(remote) != client_port) continue;
        ServerSocketState found;
        found.tcp_state = static_cast<int>(std::stoul(state, nullptr, 16));
        auto colon = queues.find(':');
        found.unsent = static_cast<long>(std::stoul(queues.substr(0, colon), nullptr, 16));
        found.unread = static_cast<long>(std::stoul(queues.substr(colon + 1), nullptr, 16));
        found.accepted = inode != 0;  // a connection in the listen queue has no file yet
        return found;
    }
    return std::nullopt;
}

std::uint16_t port_from(const sockaddr_storage& address) {
    if (address.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
    if (address.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
    return 0;
}

}  // namespace

std::optional<ServerSocketState> find_server_socket(pid_t server, std::uint16_t server_port,
                                                    std::uint16_t client_port) {
    if (server <= 0 || server_port == 0 || client_port == 0) return std::nullopt;
    std::string net = "/proc/" + std::to_string(server) + "/net/";
    try {
        if (auto found = search(net + "tcp", server_port, client_port)) return found;
        return search(net + "tcp6", server_port, client_port);
    } catch (const std::exception&) {  // a line we do not understand: no diagnosis, no crash
        return std::nullopt;
    }
}

StallDiagnosis diagnose_stall(const std::optional<ServerSocketState>& state) {
    if (!state)
        return {"", "the server stopped echoing this client: `strace -f -p PID` shows where it waits"};
    if (!state->accepted)
        return {"; the server never accepted this connection (it still waits in the listen queue)",
                "accept() is failing or never called again: check its return value and errno (an uninitialised "
                "addrlen gives EINVAL, EMFILE means out of descriptors) and what your loop waits on"};
    if (state->unread > 0)
        return {"; " + std::to_string(state->unread) + " bytes the client sent sit unread in the server's receive queue",
                "the server stopped reading this client while data was waiting: with EPOLLET read until EAGAIN "
                "(or a short read), and keep watching every client that may still send"};
    return {"; the server read everything the client sent, and nothing waits in its send queue",
            "bytes were read but never written back: a short write()/send() whose remainder was never sent, "
            "or a buffer reused before it was sent"};
}

std::uint16_t local_port(int fd) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return 0;
    return port_from(address);
}

std::uint16_t peer_port(int fd) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return 0;
    return port_from(address);
}

}  // namespace c10k::grader
