// Broken on purpose (lab 09): when a client goes away mid-response, its session just
// ends -- the client's socket and the origin connection are never closed.
#include "broken_proxy.hpp"

int main(int argc, char** argv) {
    broken::ProxyParts parts;
    parts.client_gone = [](broken::Fd& client, broken::Fd& upstream) {
        (void)client.release();
        (void)upstream.release();
    };
    return broken::run_proxy(argc, argv, parts);
}
