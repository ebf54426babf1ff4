// A leftover debug line (for the runner): "listening on port:0" is printed before the
// port is known, then the real announce. The grader must skip the first and grade.
#include <cstdio>

#include "broken_server.hpp"

int main(int argc, char** argv) {
    c10k::ServerOptions options = c10k::parse_server_cli(argc, argv, "a debug line that looks like the announce");
    std::printf("listening on port:%d\n", options.port);  // the leftover: port 0 until bind() picks one
    std::fflush(stdout);
    return broken::run(argc, argv, broken::echo_until_eof);
}
