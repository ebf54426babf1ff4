// Broken on purpose: complains and exits before listening.
#include <cstdio>

int main() {
    std::fprintf(stderr, "server: bind: Address already in use (pretending)\n");
    return 3;
}
