// Broken on purpose (for lab 02): every echoed message is handed to a logging thread
// through a mutex and a condition variable -- a lock in the message path, paid with
// futex() calls on every message.
#include <condition_variable>
#include <mutex>
#include <thread>

#include "broken_server.hpp"

namespace {

std::mutex log_mutex;
std::condition_variable log_wakeup;
long logged = 0;

void logger() {
    std::unique_lock lock(log_mutex);
    for (long seen = 0;; seen = logged) log_wakeup.wait(lock, [&] { return logged != seen; });
}

}  // namespace

int main(int argc, char** argv) {
    std::thread(logger).detach();
    return broken::run(argc, argv, [](int client) {
        char buffer[65536];
        for (;;) {
            ssize_t n = ::read(client, buffer, sizeof buffer);
            if (n <= 0 || ::write(client, buffer, static_cast<std::size_t>(n)) != n) return;
            {
                std::lock_guard lock(log_mutex);  // the bug: the logger is woken for every message
                ++logged;
            }
            log_wakeup.notify_one();
        }
    });
}
