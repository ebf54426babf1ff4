#pragma once
/// @file server_symptoms.hpp
/// @brief What the server's own state says about a failed test: how it ended, what it
/// said last, how many descriptors it held against its limit, how large it had grown.
/// The client sees "connection closed"; these tell EMFILE from an overflowing array.

#include <optional>
#include <string>

#include "2-runner/process_watch.hpp"
#include "2-runner/sandboxed_process.hpp"

namespace c10k::grader {

/// A better reason suffix and hint than the client's view gave.
struct ServerSymptom {
    std::string reason;  ///< appended to the failure, e.g. " (it held 1024 descriptors: its limit)"
    std::string hint;
};

/// What the server was like at a failure.
struct ServerState {
    std::optional<ExitStatus> exit;  ///< set when it ended during the test
    std::string last_words;          ///< its last stderr and stdout lines
    ProcessSample last;              ///< the watch's last look at it alive
    int peak_fds = -1;
    long address_space_limit_kib = 0;  ///< the sandbox's RLIMIT_AS
    int clients = 0;                   ///< connections the test opened at once (its `clients`), if any
};

/// The hint for a server that ended during a test, from how it ended and what it said.
std::string exit_hint(const ServerState& state);

/// A symptom the descriptors or the address space show (at the limit; dead near 1024
/// under a higher limit; nearly out of address space), or nullopt.
std::optional<ServerSymptom> resource_symptom(const ServerState& state);

}  // namespace c10k::grader
