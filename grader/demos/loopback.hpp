#pragma once
/// @file loopback.hpp
/// @brief Loopback TCP connections for the demonstrations: every demo's traffic stays on
/// 127.0.0.1.

#include <cstdint>

#include "c10k/fd.hpp"

namespace c10k::demo {

/// A blocking TCP connection to 127.0.0.1:@p port. @p receive_timeout_s bounds every read
/// on it (0: none), so a demo whose server went quiet fails instead of hanging.
Fd connect_to(std::uint16_t port, int receive_timeout_s = 5);

/// Both ends of one loopback TCP connection, blocking.
struct LoopbackPair {
    Fd client;
    Fd server;
};
LoopbackPair connected_pair(int receive_timeout_s = 5);

}  // namespace c10k::demo
