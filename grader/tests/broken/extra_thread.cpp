// Broken on purpose (for single-thread labs): a correct blocking echo server that also
// starts a "watchdog" thread.
#include <thread>

#include "broken_server.hpp"

int main(int argc, char** argv) {
    std::thread([] {
        for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
    }).detach();
    return broken::run(argc, argv, broken::echo_until_eof);
}
