#include <netinet/in.h>

#include "c10k_catch.hpp"

#include "c10k/announce.hpp"
#include "c10k/listener.hpp"

TEST_CASE("the announce line for IPv4 is 'listening on HOST:PORT'") {
    auto address = c10k::make_socket_address("127.0.0.1", 4242);
    CHECK(c10k::format_listening_line(address.get(), address.length) == "listening on 127.0.0.1:4242");
}

TEST_CASE("the announce line brackets IPv6 hosts so the port follows the last ':'") {
    auto address = c10k::make_socket_address("::1", 8080);
    CHECK(c10k::format_listening_line(address.get(), address.length) == "listening on [::1]:8080");
}

TEST_CASE("make_socket_address rejects names with a message that says what to use") {
    CHECK_THROWS_WITH(c10k::make_socket_address("localhost", 1),
                      Catch::Contains("not an IPv4 or IPv6 address") && Catch::Contains("127.0.0.1"));
}

TEST_CASE("open_listener with port 0 gets a real port, which the announce line shows") {
    c10k::Fd listener = c10k::open_listener({"127.0.0.1", 0});
    sockaddr_in bound{};
    socklen_t length = sizeof bound;
    REQUIRE(::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&bound), &length) == 0);
    CHECK(ntohs(bound.sin_port) != 0);
    std::string line = c10k::format_listening_line(reinterpret_cast<sockaddr*>(&bound), length);
    CHECK(line == "listening on 127.0.0.1:" + std::to_string(ntohs(bound.sin_port)));
}

TEST_CASE("open_listener with reuse_port lets a second socket listen on the same port") {
    c10k::Fd first = c10k::open_listener({"127.0.0.1", 0}, SOMAXCONN, 0, true);
    std::uint16_t port = c10k::local_port(first.get());
    c10k::Fd second = c10k::open_listener({"127.0.0.1", port}, SOMAXCONN, 0, true);
    CHECK(c10k::local_port(second.get()) == port);
    CHECK_THROWS_WITH(c10k::open_listener({"127.0.0.1", port}), Catch::StartsWith("bind: Address already in use"));
}
