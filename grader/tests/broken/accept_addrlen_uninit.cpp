// Broken on purpose (for lab 01): accept() with an addrlen that was never set (here the
// value garbage happened to hold: -1), so every accept fails with EINVAL. The server
// says so on stdout only -- "Accepted: -1" -- and keeps looping.
#include <netinet/in.h>

#include <cstdio>

#include "broken_server.hpp"

int main(int argc, char** argv) {
    c10k::Fd listener = broken::start_listening(argc, argv, "accept with an uninitialised addrlen");
    while (!c10k::stop_requested()) {
        sockaddr_in peer;
        socklen_t length = static_cast<socklen_t>(-1);  // the bug: should be sizeof peer
        int client = ::accept(listener.get(), reinterpret_cast<sockaddr*>(&peer), &length);
        std::printf("Accepted: %d\n", client);
        std::fflush(stdout);
        if (client >= 0) {
            broken::echo_until_eof(client);
            ::close(client);
        } else {
            ::usleep(100000);  // a real one would spin; this one only repeats itself ten times a second
        }
    }
}
