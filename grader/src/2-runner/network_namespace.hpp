#pragma once
/// @file network_namespace.hpp
/// @brief A fresh network namespace per server, where the machine allows it.
///
/// Each server then has its own loopback and its own port space: parallel gradings
/// cannot collide, and TIME_WAIT from one test cannot exhaust ports for the next. It
/// needs CAP_SYS_ADMIN (root, or a container started with it); elsewhere the grader
/// falls back to the host's loopback with `--port 0`, and the report says which.

#include <sys/types.h>

#include <string>

namespace c10k::grader {

/// True when this process may create network namespaces (probed once, in a child).
bool network_namespaces_available();

/// For the forked child, before exec: unshare(CLONE_NEWNET) and bring `lo` up. Only
/// async-signal-safe calls. Returns false if either step failed.
bool enter_fresh_network_namespace() noexcept;

/// While alive, the calling thread's sockets are created in the network namespace of
/// process @p pid (its clients can reach its loopback); restores the thread's own on exit.
/// With @p pid = 0 it does nothing (no namespace in use).
class NetworkNamespaceGuard {
public:
    explicit NetworkNamespaceGuard(pid_t pid);
    ~NetworkNamespaceGuard();
    NetworkNamespaceGuard(const NetworkNamespaceGuard&) = delete;
    NetworkNamespaceGuard& operator=(const NetworkNamespaceGuard&) = delete;

private:
    int original_ = -1;
};

/// One line for the report: which network the servers got.
std::string network_description(bool namespaces);

}  // namespace c10k::grader
