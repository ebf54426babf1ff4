#include "2-runner/network_namespace.hpp"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "test_failure.hpp"

namespace c10k::grader {

bool enter_fresh_network_namespace() noexcept {
    if (::unshare(CLONE_NEWNET) != 0) return false;
    int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0) return false;
    ifreq request{};
    std::memcpy(request.ifr_name, "lo", 3);
    bool up = ::ioctl(sock, SIOCGIFFLAGS, &request) == 0;
    request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
    up = up && ::ioctl(sock, SIOCSIFFLAGS, &request) == 0;
    ::close(sock);
    return up;
}

bool network_namespaces_available() {
    static const bool available = [] {
        pid_t child = ::fork();
        if (child == 0) ::_exit(enter_fresh_network_namespace() ? 0 : 1);
        if (child < 0) return false;
        int status = 0;
        while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {}
        return WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }();
    return available;
}

NetworkNamespaceGuard::NetworkNamespaceGuard(pid_t pid) {
    if (pid == 0) return;
    original_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    int target = ::open(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC);
    bool entered = original_ >= 0 && target >= 0 && ::setns(target, CLONE_NEWNET) == 0;
    int err = errno;
    if (target >= 0) ::close(target);
    if (!entered) {
        if (original_ >= 0) ::close(original_);
        original_ = -1;
        // No /proc/PID any more: the server exited first, which the test's verdict reports.
        if (err == ENOENT || err == ESRCH) throw TestFailure("could not connect: the server had already exited");
        throw TestFailure(std::string("grader: cannot join the server's network namespace: ") + std::strerror(err));
    }
}

NetworkNamespaceGuard::~NetworkNamespaceGuard() {
    if (original_ < 0) return;
    ::setns(original_, CLONE_NEWNET);
    ::close(original_);
}

std::string network_description(bool namespaces) {
    return namespaces ? "a fresh network namespace per server (its own loopback and ports)"
                      : "the host's loopback, --port 0 (no network namespaces here: they need root or CAP_SYS_ADMIN)";
}

}  // namespace c10k::grader
