#include "registry.hpp"

#include <algorithm>

#include "../lab_spec.hpp"

namespace c10k::grader {

double TestContext::param(const std::string& name) const { return spec.params.at(name); }

Deadline TestContext::deadline() const { return Deadline(Seconds(param("timeout"))); }

const std::vector<TestKind>& test_kinds() {
    static const std::vector<TestKind> kinds = {
        {"echo", "one client sends `messages` messages of `size` random bytes, one at a time",
         {{"size", 4096}, {"messages", 20}, {"timeout", 5}},
         "read() returns as soon as *some* bytes arrive: write back exactly the n bytes it returned",
         run_echo},
        {"large_message", "one client sends `size` bytes at once while reading the echo",
         {{"size", 1 << 20}, {"timeout", 10}},
         "write() may take fewer bytes than asked: loop until every byte is written (write_all)",
         run_large_message},
        {"sequential_clients", "`clients` clients one after another, each echoes, closes, waits for EOF",
         {{"clients", 5}, {"size", 1024}, {"timeout", 5}},
         "after a client's EOF, close its socket and go back to accept() for the next one",
         run_sequential_clients},
        {"half_close", "the client sends `size` bytes, shuts its write side, expects all back then EOF",
         {{"size", 65536}, {"timeout", 5}},
         "read() returning 0 means the client has finished sending: echo what is left, then close",
         run_half_close},
        {"client_reset", "`rounds` clients each send `size` bytes, shut down and reset (RST); then one is served",
         {{"rounds", 20}, {"size", 65536}, {"timeout", 5}},
         "ignore SIGPIPE and treat ECONNRESET/EPIPE as 'this client is gone', never as fatal",
         run_client_reset},
        {"graceful_shutdown", "SIGTERM with an idle client connected: exit code 0 within `grace` seconds",
         {{"grace", 1}, {"timeout", 5}},
         "on EINTR check c10k::stop_requested() and leave the loop; return 0 from main",
         run_graceful_shutdown, true},
    };
    return kinds;
}

const TestKind* find_test_kind(std::string_view name) {
    const auto& kinds = test_kinds();
    auto found = std::ranges::find(kinds, name, &TestKind::name);
    return found == kinds.end() ? nullptr : &*found;
}

}  // namespace c10k::grader
