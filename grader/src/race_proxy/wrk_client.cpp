#include "race_proxy/wrk_client.hpp"

#include <regex>

#include "2-runner/program_path.hpp"
#include "2-runner/sandboxed_process.hpp"
#include "deadline.hpp"
#include "test_failure.hpp"

namespace c10k::grader {
namespace {

// "1.23ms" -> 1230 (microseconds).
double to_us(double value, const std::string& unit) {
    if (unit == "us") return value;
    if (unit == "ms") return value * 1e3;
    if (unit == "s") return value * 1e6;
    if (unit == "m") return value * 60e6;
    return -1;
}

}  // namespace

WrkResult parse_wrk_output(const std::string& text) {
    WrkResult result;
    std::smatch match;
    static const std::regex total(R"((\d+) requests in ([0-9.]+)(us|ms|s|m),)");
    static const std::regex rate(R"(Requests/sec:\s+([0-9.]+))");
    static const std::regex percentile(R"(\n\s+(50|99)%\s+([0-9.]+)(us|ms|s|m))");
    static const std::regex socket_errors(R"(Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+))");
    static const std::regex non_2xx(R"(Non-2xx or 3xx responses: (\d+))");
    if (!std::regex_search(text, match, total) ) {
        result.failure = "wrk printed no report";
        return result;
    }
    result.requests = std::stol(match[1]);
    result.seconds = to_us(std::stod(match[2]), match[3]) / 1e6;
    if (std::regex_search(text, match, rate)) result.requests_per_s = std::stod(match[1]);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), percentile); it != std::sregex_iterator(); ++it) {
        double us = to_us(std::stod((*it)[2]), (*it)[3]);
        ((*it)[1] == "50" ? result.p50_us : result.p99_us) = us;
    }
    std::string errors;
    if (std::regex_search(text, match, socket_errors)) {
        for (int i = 1; i <= 4; ++i) result.errors += std::stol(match[i]);
        errors = match.str(0);
    }
    if (std::regex_search(text, match, non_2xx)) {
        result.errors += std::stol(match[1]);
        errors += (errors.empty() ? "" : "; ") + match.str(0);
    }
    result.ok = result.requests > 0 && result.errors == 0;
    if (result.requests == 0) result.failure = "wrk completed no request";
    else if (result.errors > 0) result.failure = "wrk saw errors: " + errors;
    return result;
}

WrkResult run_wrk(const WrkRun& run) {
    WrkResult result;
    auto wrk = find_program("wrk");
    if (!wrk) {
        result.failure = "wrk is not installed: make deps-race installs it";
        return result;
    }
    std::vector<std::string> command{*wrk, "--latency", "-t", std::to_string(std::min(run.threads, run.connections)),
                                     "-c", std::to_string(run.connections), "-d", std::to_string(run.seconds) + "s",
                                     "--timeout", "5s"};
    if (run.close) command.insert(command.end(), {"-H", "Connection: close"});
    command.push_back("http://127.0.0.1:" + std::to_string(run.port) + run.path);
    SandboxLimits limits = tool_limits();
    limits.join_network_of = run.network_pid;
    try {
        SandboxedProcess process(command, limits);
        auto status = process.wait_exit(Deadline(Seconds(run.seconds + 15)));
        if (!status) {
            process.stop(Seconds(0));
            result.failure = "wrk did not finish within " + std::to_string(run.seconds + 15) + " s";
            return result;
        }
        std::string report = process.stdout_head();
        result = parse_wrk_output(report);
        if (!status->clean() && result.failure.empty()) result.failure = "wrk " + status->describe();
        if (!result.failure.empty() && !process.stderr_tail().empty()) result.failure += "; wrk said: " + process.stderr_tail();
        result.ok = result.failure.empty();
    } catch (const TestFailure& failure) {
        result.failure = std::string("wrk could not start: ") + failure.what();
    }
    return result;
}

}  // namespace c10k::grader
