#pragma once
/// @file message.hpp
/// @brief One HTTP/1.x message's start line and headers, as the parser read them.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace c10k::http {

struct Header {
    std::string name;   ///< as sent ("Content-Type"); compare without case
    std::string value;  ///< leading and trailing spaces removed
};

/// How a message's body ends (RFC 9112 section 6).
enum class BodyFraming {
    none,            ///< no body (a GET without Content-Length, HEAD/204/304 responses)
    content_length,  ///< exactly content_length bytes
    chunked,         ///< Transfer-Encoding: chunked
    until_close,     ///< a response that ends when the server closes (HTTP/1.0 style)
};

struct MessageHead {
    std::string method;                 ///< requests: "GET"
    std::string target;                 ///< requests: "/path?query"
    int status = 0;                     ///< responses: 200
    std::string reason;                 ///< responses: "OK"
    int version_minor = 1;              ///< the x of HTTP/1.x
    std::vector<Header> headers;        ///< in the order received
    bool keep_alive = true;             ///< the connection may carry another message after this one
    BodyFraming framing = BodyFraming::none;
    std::uint64_t content_length = 0;   ///< with BodyFraming::content_length

    /// The value of the first header called @p name (any case), or nullptr.
    [[nodiscard]] const std::string* header(std::string_view name) const;
};

/// The reason phrase of @p status for a status line ("Bad Gateway"), "Status" if unknown.
const char* reason_phrase(int status);

/// True when @p a and @p b are equal ignoring ASCII case (header names, tokens).
bool equals_ignoring_case(std::string_view a, std::string_view b);

}  // namespace c10k::http
