// Broken on purpose (lab 09): one client at a time. The accept loop itself runs each
// session -- blocking reads from the client, a blocking connect and reads from the
// origin -- so while one client is slow, or its origin silent, nobody else is served.
#include "broken_proxy.hpp"

int main(int argc, char** argv) {
    broken::ProxyParts parts;
    parts.start_session = [](std::function<void()> session) { session(); };
    return broken::run_proxy(argc, argv, parts);
}
