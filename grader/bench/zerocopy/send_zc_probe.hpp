#pragma once
// Zero-copy sends on loopback: plain send(), MSG_ZEROCOPY and io_uring's SEND_ZC, with
// what the kernel reports back about each zero-copy send -- whether it copied after all.

#include <string>

namespace zerocopy {

struct SendResult {
    std::string mode;          ///< "send", "MSG_ZEROCOPY", "SEND_ZC"
    double gbytes = 0;         ///< sent in the window
    double cpu_s_per_gb = 0;   ///< the sending thread's CPU
    long notifications = 0;    ///< zero-copy completions the kernel reported
    long copied = 0;           ///< ...of which say "the data was copied" (the copied flag)
    std::string note;          ///< why a mode could not run here
};

/// Sends 64 KiB chunks to a loopback peer that reads and discards, for @p seconds.
SendResult probe_send(const std::string& mode, double seconds);

}  // namespace zerocopy
