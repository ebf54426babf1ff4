// Broken on purpose (lab 09): of the pipelined requests waiting, the newest is answered
// first. Each response is right -- for another request than the client expects there.
#include "broken_proxy.hpp"

int main(int argc, char** argv) {
    broken::ProxyParts parts;
    parts.next_request = [](std::deque<broken::Request>& waiting) {
        broken::Request last = std::move(waiting.back());
        waiting.pop_back();
        return last;
    };
    return broken::run_proxy(argc, argv, parts);
}
