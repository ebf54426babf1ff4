#include "grade/server_symptoms.hpp"

namespace c10k::grader {
namespace {

constexpr const char* kRaiseLimitHint =
    "raise RLIMIT_NOFILE at start-up (setrlimit, soft limit up to the hard one): the grader, like a shell, starts "
    "servers with a soft limit of 1024";

bool mentions_emfile(const std::string& words) { return words.find("Too many open files") != std::string::npos; }

}  // namespace

std::string exit_hint(const ServerState& state) {
    if (mentions_emfile(state.last_words)) return kRaiseLimitHint;
    if (state.exit && !state.exit->exited)
        return "run the server by hand and repeat what this test does (gdb, or build with -fsanitize=address)";
    return "the server stopped by itself: its last words below say why. A server outlives every client's error: "
           "log it, drop that client, and keep serving the others";
}

std::optional<ServerSymptom> resource_symptom(const ServerState& state) {
    long limit = state.last.open_file_limit;
    int peak = state.peak_fds;
    if (limit > 0 && peak >= limit - 2)
        return ServerSymptom{" (the server held " + std::to_string(peak) + " descriptors: its limit is " +
                                 std::to_string(limit) + ")",
                             kRaiseLimitHint};
    if (mentions_emfile(state.last_words)) return ServerSymptom{"", kRaiseLimitHint};
    // Killed on the way past 1024 descriptors with room to spare: an array of 1024 indexed
    // by fd. The watch may not have seen the last few hundred accepts before the crash;
    // the test driving more than 1024 connections says as much.
    bool crashed = state.exit && !state.exit->exited;
    bool near_1024 = (peak >= 600 && peak <= 1100) || (state.clients > 1024 && peak <= 1100);
    if (crashed && near_1024 && limit > 1100)
        return ServerSymptom{" (it died on the way past 1024 descriptors, under its limit of " +
                                 std::to_string(limit) + ")",
                             "an array of 1024 indexed by fd overflowed (fd_set past FD_SETSIZE, or a "
                             "struct pollfd fds[1024]): check fd < FD_SETSIZE before FD_SET, or size the "
                             "array from the limit and index it by position"};
    if (state.address_space_limit_kib > 0 && state.last.virtual_kib > state.address_space_limit_kib * 9 / 10)
        return ServerSymptom{" (its address space had reached " + std::to_string(state.last.virtual_kib >> 10) +
                                 " of its " + std::to_string(state.address_space_limit_kib >> 10) + " MiB limit)",
                             "memory that is never given back: a thread per client that is never joined or "
                             "detached keeps its 8 MiB stack; detach it (or join it when it ends)"};
    return std::nullopt;
}

}  // namespace c10k::grader
