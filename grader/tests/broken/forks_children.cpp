// Broken on purpose: a correct echo server that forks 20 sleeping children per client,
// some of which leave its process group (setsid) -- nothing may survive the grader.
#include <unistd.h>

#include "broken_server.hpp"

int main(int argc, char** argv) {
    return broken::run(argc, argv, [](int client) {
        for (int i = 0; i < 20; ++i) {
            if (::fork() == 0) {
                if (i % 2) ::setsid();  // escapes the group kill
                ::sleep(600);
                ::_exit(0);
            }
        }
        broken::echo_until_eof(client);
    });
}
