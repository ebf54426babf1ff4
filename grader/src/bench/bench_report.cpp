#include "bench/bench_report.hpp"

#include <cstdio>

namespace c10k::grader {

namespace {
std::string load_line(const std::string& target, const LoadOptions& options) {
    std::string line = target + ": " + grouped(options.connections) + " connection" +
                       (options.connections == 1 ? "" : "s") + " x " + grouped(static_cast<long long>(options.message_size)) + " B";
    if (options.idle_connections) line += " + " + grouped(options.idle_connections) + " idle";
    line += ", " + std::to_string(options.pipeline) + " in flight each, " + std::to_string(options.threads) +
            " thread" + (options.threads == 1 ? "" : "s");
    return line;
}

double megabytes_per_second(const LoadOptions& options, const LoadResult& result) {
    return result.messages_per_second() * static_cast<double>(options.message_size) / 1e6;
}
}  // namespace

std::string bench_text(const std::string& target, const LoadOptions& options, const LoadResult& result) {
    char line[256];
    std::string out = "c10k-bench: " + load_line(target, options) + "\n";
    std::snprintf(line, sizeof line, "  messages  %s in %.2f s: %s msgs/s, %.1f MB/s each way\n",
                  grouped(result.messages).c_str(), result.seconds(),
                  grouped(static_cast<long long>(result.messages_per_second())).c_str(),
                  megabytes_per_second(options, result));
    out += line;
    const auto& l = result.latency;
    if (l.count()) {
        out += "  latency   p50 " + duration_text(l.quantile(0.5)) + "   p99 " + duration_text(l.quantile(0.99)) +
               "   p99.9 " + duration_text(l.quantile(0.999)) + "   max " + duration_text(l.max()) + "\n";
    }
    out += "  errors    " + std::to_string(result.errors) + (result.ok ? "\n" : " (" + result.failure + ")\n");
    return out;
}

nlohmann::json bench_json(const std::string& target, const LoadOptions& options, const LoadResult& result) {
    nlohmann::json out = {
        {"target", target},
        {"connections", options.connections},
        {"idle_connections", options.idle_connections},
        {"size", options.message_size},
        {"pipeline", options.pipeline},
        {"threads", options.threads},
        {"seconds", result.seconds()},
        {"messages", result.messages},
        {"msgs_per_s", result.messages_per_second()},
        {"mb_per_s", megabytes_per_second(options, result)},
        {"latency_us", latency_json(result.latency)},
        {"errors", result.errors},
        {"ok", result.ok},
    };
    if (!result.ok) out["failure"] = result.failure;
    return out;
}

}  // namespace c10k::grader
