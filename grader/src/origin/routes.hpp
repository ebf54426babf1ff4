#pragma once
/// @file routes.hpp
/// @brief What the origin answers to each request: a plan the connection loop carries
/// out. Kept apart from the sockets so the routes read as a table, and test as one.
///
///   GET|HEAD /bytes/N[?seed=S]   N body bytes (body_pattern.hpp), Content-Length
///   GET /chunked/N[?seed=S]      the same bytes, chunked (pieces of varying size)
///   GET /close/N[?seed=S]        the same bytes, HTTP/1.0 style: no length, then close
///   POST|PUT /echo               the request body back, Content-Length
///   GET /headers                 the request's headers, one "name: value" line each
///   GET /status/CODE             that status; a body only where the status allows one
///   GET /slow/MS                 "slow\n" after MS milliseconds
///   GET /silent                  never answers (the connection stays open)
///   GET /reset/N                 promises N bytes, sends half, then resets the connection
///   GET /count                   connections accepted so far, as decimal text

#include <cstdint>
#include <string>
#include <vector>

#include "c10k/http/message.hpp"

namespace c10k::origin {

struct ResponsePlan {
    int status = 200;
    std::vector<http::Header> headers;          ///< besides the framing headers
    http::BodyFraming framing = http::BodyFraming::content_length;
    std::string body;                           ///< small bodies, as is
    std::uint64_t generated_bytes = 0;          ///< large bodies: this many from body_pattern
    std::uint64_t seed = 0;
    bool omit_body = false;                     ///< HEAD: the headers of the body, not the body
    int delay_ms = 0;                           ///< wait this long before answering
    bool never_answer = false;
    bool reset_halfway = false;                 ///< send half the body, then RST
    bool close_after = false;                   ///< close the connection after this response
};

/// The plan for @p request with body @p request_body; @p connections_accepted feeds /count.
ResponsePlan plan_response(const http::MessageHead& request, const std::string& request_body,
                           std::uint64_t connections_accepted);

/// The status line and headers of @p plan (framing headers included), ready to send.
std::string response_head(const ResponsePlan& plan, std::uint64_t body_length);

}  // namespace c10k::origin
