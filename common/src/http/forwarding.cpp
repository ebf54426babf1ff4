#include "c10k/http/forwarding.hpp"

#include <array>
#include <cstdio>

namespace c10k::http {
namespace {

constexpr std::array<std::string_view, 7> kHopByHop = {"Connection", "Keep-Alive", "Proxy-Connection", "TE",
                                                        "Trailer", "Transfer-Encoding", "Upgrade"};

// Does the comma-separated token list @p list hold @p token (any case)?
bool lists(std::string_view list, std::string_view token) {
    while (!list.empty()) {
        auto comma = list.find(',');
        std::string_view item = list.substr(0, comma);
        item.remove_prefix(std::min(item.find_first_not_of(" \t"), item.size()));
        item = item.substr(0, item.find_last_not_of(" \t") + 1);
        if (equals_ignoring_case(item, token)) return true;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return false;
}

std::string end_to_end_headers(const MessageHead& message) {
    std::string lines;
    for (const Header& header : message.headers)
        if (!is_hop_by_hop(message, header.name) && !equals_ignoring_case(header.name, "Content-Length"))
            lines += header.name + ": " + header.value + "\r\n";
    return lines;
}

}  // namespace

bool is_hop_by_hop(const MessageHead& message, std::string_view name) {
    for (std::string_view hop : kHopByHop)
        if (equals_ignoring_case(name, hop)) return true;
    for (const Header& header : message.headers)
        if (equals_ignoring_case(header.name, "Connection") && lists(header.value, name)) return true;
    return false;
}

std::string upstream_request_head(const MessageHead& request, std::string_view client_address) {
    std::string head = request.method + " " + request.target + " HTTP/1.1\r\n";
    std::string forwarded_for(client_address);
    for (const Header& header : request.headers) {
        if (equals_ignoring_case(header.name, "X-Forwarded-For")) {
            forwarded_for = header.value + ", " + std::string(client_address);
            continue;
        }
        if (!is_hop_by_hop(request, header.name) && !equals_ignoring_case(header.name, "Content-Length"))
            head += header.name + ": " + header.value + "\r\n";
    }
    head += "X-Forwarded-For: " + forwarded_for + "\r\n";
    if (request.framing == BodyFraming::content_length)
        head += "Content-Length: " + std::to_string(request.content_length) + "\r\n";
    if (request.framing == BodyFraming::chunked) head += "Transfer-Encoding: chunked\r\n";
    return head + "\r\n";  // HTTP/1.1 without Connection: close keeps the upstream connection open
}

ClientResponse client_response_head(const MessageHead& response, const MessageHead& request) {
    ClientResponse out;
    out.close_after = !request.keep_alive;
    bool client_reads_chunks = request.version_minor >= 1;
    out.framing = response.framing;
    if (request.method == "HEAD") out.framing = BodyFraming::none;
    if (out.framing == BodyFraming::until_close || (out.framing == BodyFraming::chunked && !client_reads_chunks)) {
        out.framing = client_reads_chunks ? BodyFraming::chunked : BodyFraming::until_close;
        if (!client_reads_chunks) out.close_after = true;
    }
    out.head = "HTTP/1." + std::to_string(request.version_minor >= 1 ? 1 : 0) + " " +
               std::to_string(response.status) + " " + (response.reason.empty() ? "Status" : response.reason) + "\r\n";
    out.head += end_to_end_headers(response);
    bool bodiless_status = response.status < 200 || response.status == 204 || response.status == 304;
    if (response.framing == BodyFraming::content_length)
        out.head += "Content-Length: " + std::to_string(response.content_length) + "\r\n";
    else if (out.framing == BodyFraming::chunked)
        out.head += "Transfer-Encoding: chunked\r\n";
    else if (request.method == "HEAD" && response.header("Content-Length"))
        out.head += "Content-Length: " + *response.header("Content-Length") + "\r\n";
    else if (out.framing == BodyFraming::none && request.method != "HEAD" && !bodiless_status)
        out.head += "Content-Length: 0\r\n";  // an empty body, said so: without it the client reads until close
    if (out.close_after) out.head += "Connection: close\r\n";
    else if (request.version_minor == 0) out.head += "Connection: keep-alive\r\n";
    out.head += "\r\n";
    return out;
}

std::string proxy_error_response(int status, bool close) {
    std::string body = std::to_string(status) + " " + reason_phrase(status) + "\n";
    return "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) + "\r\nContent-Type: text/plain\r\n" +
           "Content-Length: " + std::to_string(body.size()) + "\r\n" + (close ? "Connection: close\r\n" : "") +
           "\r\n" + body;
}

std::string chunk(std::string_view bytes) {
    char size_line[24];
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", bytes.size());
    std::string framed = size_line;
    framed.append(bytes);
    framed += "\r\n";
    return framed;
}

}  // namespace c10k::http
