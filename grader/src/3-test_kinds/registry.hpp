#pragma once
/// @file registry.hpp
/// @brief Test kinds: the checks a spec's `[[test]]` entries can name.
///
/// A kind is one function that drives a running server and throws TestFailure on
/// the first thing that is wrong. Its parameters and their defaults are declared
/// here, so the spec parser can reject unknown ones and fill in the rest.

#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "c10k/listener.hpp"
#include "deadline.hpp"
#include "load/echo_load.hpp"

namespace c10k::grader {

struct TestSpec;
class SandboxedProcess;
class TestClient;
class ProcessWatch;

/// What a test kind gets to work with.
struct TestContext {
    const TestSpec& spec;
    SocketAddress server_address;
    SandboxedProcess& server;
    std::mt19937_64& random;
    std::vector<std::string>& steps;  ///< what was done, shown under a failure and with --verbose
    SandboxedProcess* origin = nullptr;  ///< lab 09: the origin behind the proxy (else nullptr)
    std::uint16_t origin_port = 0;

    /// The spec's value for @p name (defaults already filled in).
    [[nodiscard]] double param(const std::string& name) const;
    /// The `timeout` parameter, as a Deadline starting now.
    [[nodiscard]] Deadline deadline() const;
    /// A client connected to the server, whose stalls can be diagnosed.
    [[nodiscard]] TestClient connect(const Deadline& deadline) const;
    /// Runs @p load against the server. When it fails, throws TestFailure: @p prefix, the
    /// load's reason and, for a stall, what the server's end of a waiting connection shows.
    LoadResult run_load(LoadOptions load, const std::string& prefix = "") const;
};

/// A registered test kind.
struct TestKind {
    std::string name;                        ///< as written in grade.toml: kind = "echo"
    std::string summary;                     ///< one line for docs and --list-kinds
    /// Every parameter it takes, with its default, in documentation order.
    std::vector<std::pair<std::string, double>> defaults;
    std::string hint;                        ///< shown when it fails, unless the spec sets one
    std::function<void(TestContext&)> run;
    bool ends_server = false;                ///< the test stops the server itself (shutdown)
};

/// Every kind, in documentation order.
const std::vector<TestKind>& test_kinds();
/// The kind called @p name, or nullptr.
const TestKind* find_test_kind(std::string_view name);
/// "size (4096), messages (20), timeout (5)": a kind's parameters as grader/README.md
/// lists them (sizes of whole MiB as "1 MiB").
std::string parameters_text(const TestKind& kind);
/// What `c10k-grade --list-kinds` prints: every kind, its summary and its parameters.
std::string list_test_kinds();

// One function per kind, each in test_kinds/<name>.cpp.
void run_echo(TestContext& context);
void run_large_message(TestContext& context);
void run_sequential_clients(TestContext& context);
void run_half_close(TestContext& context);
void run_client_reset(TestContext& context);
void run_graceful_shutdown(TestContext& context);
void run_concurrent(TestContext& context);
void run_churn(TestContext& context);
void run_idle_clients(TestContext& context);
void run_latency(TestContext& context);
void run_never_reading_client(TestContext& context);
void run_idle_cost(TestContext& context);
void run_http_bodies(TestContext& context);
void run_http_keepalive(TestContext& context);
void run_http_pipelining(TestContext& context);
void run_http_upstream_errors(TestContext& context);
void run_http_bad_input(TestContext& context);
void run_http_slow_client(TestContext& context);
void run_http_client_abort(TestContext& context);
void run_http_clients(TestContext& context);
void run_http_headers(TestContext& context);

// After every test the server survived (after_every_test.cpp).
/// Throws TestFailure when the server burns CPU with no client connected.
void check_idle_cpu(TestContext& context);
/// Throws TestFailure when the test's `ring` features were not seen by @p watch.
void check_ring_features(const TestSpec& test, ProcessWatch& watch, std::vector<std::string>& steps);

}  // namespace c10k::grader
