#pragma once
/// @file forwarding.hpp
/// @brief What a reverse proxy changes on the way through (RFC 9110 section 7.6): the
/// hop-by-hop headers stay behind, X-Forwarded-For names the client, and each side gets
/// the framing it can read. Every TinyGate model forwards with these, so none of them
/// re-implements header rules.

#include <string>
#include <string_view>

#include "c10k/http/message.hpp"

namespace c10k::http {

/// True for a header that belongs to one connection, not to the message: Connection,
/// Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade, and any header
/// the message's Connection header names.
bool is_hop_by_hop(const MessageHead& message, std::string_view name);

/// The request head to send upstream: HTTP/1.1, hop-by-hop headers removed,
/// @p client_address appended to X-Forwarded-For, a persistent connection to the origin,
/// and the body framed as received (Content-Length, or chunked).
std::string upstream_request_head(const MessageHead& request, std::string_view client_address);

/// The response head for the client and how its body travels.
struct ClientResponse {
    std::string head;
    BodyFraming framing = BodyFraming::none;  ///< how the proxy writes the body to the client
    bool close_after = false;                 ///< close the client connection after the body
};

/// The response head for the client of @p request: hop-by-hop headers removed. A
/// close-delimited body goes to an HTTP/1.1 client chunked, so its connection can stay
/// open; `Connection: close` when the client asked for it or is HTTP/1.0 without keep-alive.
/// A response to HEAD has no body, whatever its headers say.
ClientResponse client_response_head(const MessageHead& response, const MessageHead& request);

/// A complete small response the proxy makes itself (400, 431, 502, 504): a one-line
/// text body and `Connection: close` when @p close.
std::string proxy_error_response(int status, bool close);

/// Chunked framing for body bytes: the chunk header, the bytes, the chunk's end.
std::string chunk(std::string_view bytes);
/// The end of a chunked body.
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

}  // namespace c10k::http
