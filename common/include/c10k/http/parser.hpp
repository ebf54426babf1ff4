#pragma once
/// @file parser.hpp
/// @brief HTTP/1.x parsing for one direction of one connection, on llhttp (the parser of
/// Node.js, from Debian's node-llhttp). Every TinyGate model uses it the same way, so the
/// lab's lesson stays the I/O and the proxy's state machine, not string parsing.
///
/// Feed bytes as they arrive. The parser stops at the end of each message, so pipelined
/// requests are handled one at a time: after `message_complete`, call next_message() and
/// feed the rest. Body bytes come out decoded (chunk framing removed).

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "c10k/http/message.hpp"

namespace c10k::http {

/// Why a message cannot be parsed, and the status a server answers with.
enum class ParseError {
    none,
    malformed,       ///< 400: not HTTP/1.x, or ambiguous (Content-Length with Transfer-Encoding)
    head_too_large,  ///< 431: the start line and headers exceed the limit
};

class Parser {
public:
    enum class Kind { requests, responses };
    /// Body bytes, decoded, as they are parsed; the view is valid during the call only.
    using BodySink = std::function<void(std::string_view)>;

    struct Progress {
        std::size_t consumed = 0;        ///< bytes of the input that were used
        bool message_complete = false;   ///< the message ended: call next_message() before feeding more
        ParseError error = ParseError::none;
        std::string error_text;          ///< llhttp's reason, for a log line
    };

    explicit Parser(Kind kind, std::size_t max_head_bytes = 8192);
    ~Parser();
    Parser(Parser&&) noexcept;
    Parser& operator=(Parser&&) noexcept;

    /// Parses @p data up to the end of the current message (or all of it).
    Progress feed(std::string_view data, const BodySink& on_body);
    /// The peer closed: ends a body delimited by the close. message_complete says whether
    /// that completed a message; an error, whether a message was cut short.
    Progress finish(const BodySink& on_body);

    /// True once the current message's headers are all in: head() is complete.
    [[nodiscard]] bool head_complete() const;
    [[nodiscard]] const MessageHead& head() const;
    /// Responses only: the one being parsed answers a HEAD request, so it has no body
    /// whatever its headers say. Call before feeding it.
    void expect_no_body();
    /// After message_complete: start on the next message of the same connection.
    void next_message();

    struct State;  ///< llhttp and what its callbacks collect

private:
    std::unique_ptr<State> state_;
};

}  // namespace c10k::http
