// Broken on purpose (lab 09): no upstream pool. Every origin connection is closed after
// its response, so every request pays a new connect -- and the origin counts them.
#include "broken_proxy.hpp"

int main(int argc, char** argv) {
    broken::ProxyParts parts;
    parts.reuse = [](broken::Pool&, broken::Fd upstream) { upstream.reset(); };
    return broken::run_proxy(argc, argv, parts);
}
