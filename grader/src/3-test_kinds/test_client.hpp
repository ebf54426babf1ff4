#pragma once
/// @file test_client.hpp
/// @brief TestClient: one client connection whose every operation has a deadline.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "3-test_kinds/echo_checker.hpp"
#include "3-test_kinds/server_socket.hpp"
#include "c10k/fd.hpp"
#include "c10k/listener.hpp"
#include "deadline.hpp"

namespace c10k::grader {

/// What came back during TestClient::exchange.
struct Exchange {
    Bytes received;
    std::size_t sent = 0;
    bool eof = false;        ///< the server closed its side
    bool timed_out = false;  ///< the deadline passed first
    int error = 0;           ///< errno of a failed send/recv (e.g. ECONNRESET), else 0
    /// On a time-out: the server's end of the connection, looked at before the client gave up.
    std::optional<ServerSocketState> server_side;

    /// Why fewer than @p expected bytes came, and what to look at: "got 100 of 4096 bytes
    /// within 2.0 s; 3996 bytes the client sent sit unread in the server's receive queue",
    /// "server closed the connection after 0 of 4096 bytes".
    [[nodiscard]] StallDiagnosis explain_shortfall(std::size_t expected, const Deadline& deadline) const;
};

/// A nonblocking client socket driven with poll(), so no call can hang the grader.
class TestClient {
public:
    /// Connects to @p server; throws TestFailure("could not connect: ...") on failure.
    /// With the server's @p server_pid, a stalled exchange looks at the server's end of it.
    static TestClient connect(const SocketAddress& server, const Deadline& deadline, pid_t server_pid = 0);

    /// Sends @p data while reading whatever comes back (a server may echo before we
    /// finish sending; not reading would deadlock both sides). Stops when @p expect bytes
    /// arrived and everything is sent, or at EOF, an error or the deadline.
    /// With @p shutdown_after_send the write side is shut once all is sent; with
    /// @p until_eof it keeps reading until the server closes.
    Exchange exchange(std::span<const std::uint8_t> data, std::size_t expect, const Deadline& deadline,
                      bool shutdown_after_send = false, bool until_eof = false);

    /// Sends as much of @p data as the server takes before @p deadline, reading nothing
    /// back (a client that never reads). Returns the bytes sent.
    std::size_t send_without_reading(std::span<const std::uint8_t> data, const Deadline& deadline);
    /// shutdown(SHUT_WR): the server sees EOF; the client can still read.
    void shutdown_write();
    /// Closes with SO_LINGER 0, so the server gets a RST instead of a FIN.
    void reset();
    [[nodiscard]] int fd() const noexcept { return fd_.get(); }

private:
    TestClient(Fd fd, pid_t server_pid) : fd_(std::move(fd)), server_pid_(server_pid) {}
    Fd fd_;
    pid_t server_pid_ = 0;
};

/// Throws TestFailure unless @p echo holds exactly @p expected. The reason starts with
/// @p label (if any) and says how it differs: the first wrong byte, too many bytes, or
/// what arrived before the deadline, EOF or an error.
void require_exact_echo(const std::string& label, std::span<const std::uint8_t> expected,
                        const Exchange& echo, const Deadline& deadline);

}  // namespace c10k::grader
