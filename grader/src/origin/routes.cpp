#include "origin/routes.hpp"

#include <charconv>
#include <string_view>

namespace c10k::origin {
namespace {

// "/bytes/1024?seed=7" -> route "bytes", argument 1024, seed 7.
struct Target {
    std::string route;
    std::uint64_t argument = 0;
    std::uint64_t seed = 1;
    bool has_argument = false;
};

Target parse_target(std::string_view target) {
    Target parsed;
    std::string_view query;
    if (auto mark = target.find('?'); mark != std::string_view::npos) {
        query = target.substr(mark + 1);
        target = target.substr(0, mark);
    }
    if (target.starts_with('/')) target.remove_prefix(1);
    auto slash = target.find('/');
    parsed.route = std::string(target.substr(0, slash));
    if (slash != std::string_view::npos) {
        std::string_view number = target.substr(slash + 1);
        auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), parsed.argument);
        parsed.has_argument = error == std::errc{} && end == number.data() + number.size();
    }
    if (query.starts_with("seed=")) {
        query.remove_prefix(5);
        std::from_chars(query.data(), query.data() + query.size(), parsed.seed);
    }
    return parsed;
}

ResponsePlan text(int status, std::string body) {
    ResponsePlan plan;
    plan.status = status;
    plan.headers.push_back({"Content-Type", "text/plain"});
    plan.body = std::move(body);
    return plan;
}

}  // namespace

ResponsePlan plan_response(const http::MessageHead& request, const std::string& request_body,
                           std::uint64_t connections_accepted) {
    constexpr std::uint64_t kMaxBody = 1ULL << 30;  // 1 GiB: a typo in a test, not a request to honour
    Target target = parse_target(request.target);
    bool head = request.method == "HEAD";
    bool get = request.method == "GET" || head;
    ResponsePlan plan;
    if ((target.route == "bytes" || target.route == "chunked" || target.route == "close") && get &&
        target.has_argument && target.argument <= kMaxBody) {
        plan.headers.push_back({"Content-Type", "application/octet-stream"});
        plan.generated_bytes = target.argument;
        plan.seed = target.seed;
        plan.omit_body = head;
        if (target.route == "chunked") plan.framing = http::BodyFraming::chunked;
        if (target.route == "close") {
            plan.framing = http::BodyFraming::until_close;
            plan.close_after = true;
        }
    } else if (target.route == "echo" && (request.method == "POST" || request.method == "PUT")) {
        plan.headers.push_back({"Content-Type", "application/octet-stream"});
        plan.body = request_body;
    } else if (target.route == "headers" && get) {
        std::string listing;
        for (const http::Header& header : request.headers) listing += header.name + ": " + header.value + "\n";
        plan = text(200, listing);
    } else if (target.route == "status" && target.has_argument && target.argument >= 200 && target.argument < 600) {
        plan = text(static_cast<int>(target.argument), "status " + std::to_string(target.argument) + "\n");
        if (plan.status == 204 || plan.status == 304) {
            plan.body.clear();
            plan.headers.clear();
            plan.framing = http::BodyFraming::none;
        }
    } else if (target.route == "slow" && target.has_argument && target.argument <= 60000) {
        plan = text(200, "slow\n");
        plan.delay_ms = static_cast<int>(target.argument);
    } else if (target.route == "silent") {
        plan.never_answer = true;
    } else if (target.route == "reset" && target.has_argument && target.argument <= kMaxBody) {
        plan.generated_bytes = target.argument;
        plan.seed = target.seed;
        plan.reset_halfway = true;
    } else if (target.route == "count" && get) {
        plan = text(200, std::to_string(connections_accepted) + "\n");
    } else {
        plan = text(404, "no such route: " + request.target + "\n");
    }
    if (!request.keep_alive) plan.close_after = true;
    plan.omit_body = plan.omit_body || head;
    return plan;
}

std::string response_head(const ResponsePlan& plan, std::uint64_t body_length) {
    bool until_close = plan.framing == http::BodyFraming::until_close;
    std::string head = std::string(until_close ? "HTTP/1.0 " : "HTTP/1.1 ") + std::to_string(plan.status) + " " +
                       http::reason_phrase(plan.status) + "\r\n";
    for (const http::Header& header : plan.headers) head += header.name + ": " + header.value + "\r\n";
    if (plan.framing == http::BodyFraming::content_length) head += "Content-Length: " + std::to_string(body_length) + "\r\n";
    if (plan.framing == http::BodyFraming::chunked) head += "Transfer-Encoding: chunked\r\n";
    if (plan.close_after && !until_close) head += "Connection: close\r\n";
    return head + "\r\n";
}

}  // namespace c10k::origin
