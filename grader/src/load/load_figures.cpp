#include "load/load_figures.hpp"

#include <cstdio>

namespace c10k::grader {

std::string grouped(long long value) {
    std::string digits = std::to_string(value < 0 ? -value : value);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return value < 0 ? "-" + out : out;
}

std::string duration_text(std::uint64_t nanoseconds) {
    char text[32];
    double ns = static_cast<double>(nanoseconds);
    if (ns < 1e3) std::snprintf(text, sizeof text, "%.0f ns", ns);
    else if (ns < 1e6) std::snprintf(text, sizeof text, "%.0f us", ns / 1e3);
    else if (ns < 1e9) std::snprintf(text, sizeof text, "%.2f ms", ns / 1e6);
    else std::snprintf(text, sizeof text, "%.1f s", ns / 1e9);
    return text;
}

nlohmann::json latency_json(const LatencyHistogram& latency) {
    auto us = [](std::uint64_t ns) { return static_cast<double>(ns) / 1e3; };
    return {{"p50", us(latency.quantile(0.50))}, {"p99", us(latency.quantile(0.99))},
            {"p999", us(latency.quantile(0.999))}, {"max", us(latency.max())},
            {"mean", latency.mean() / 1e3}, {"samples", latency.count()}};
}

std::string formatted(const char* pattern, double value) {
    char text[64];
    std::snprintf(text, sizeof text, pattern, value);
    return text;
}

}  // namespace c10k::grader
