#pragma once
/// @file server_cli.hpp
/// @brief The command line every lab server shares: `server --port P [--host H]`.

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

namespace c10k {

/// Where the server listens.
struct ServerOptions {
    std::string host = "127.0.0.1";  ///< IPv4 or IPv6 literal, e.g. 127.0.0.1 or ::1
    std::uint16_t port = 0;          ///< 0 lets the kernel pick a free port
};

/// Adds `--port` (required) and `--host` to @p app, storing into @p options.
/// Labs with extra flags (e.g. `--edge`) add theirs to the same app.
void add_server_options(CLI::App& app, ServerOptions& options);

/// Parses a command line that has only the shared options. On `--help` it prints
/// usage and exits 0; on a bad argument it prints the reason and exits non-zero.
ServerOptions parse_server_cli(int argc, char** argv, const std::string& description);

}  // namespace c10k
