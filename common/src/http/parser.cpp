#include "c10k/http/parser.hpp"

#include <llhttp.h>

#include <algorithm>

namespace c10k::http {

// What llhttp's callbacks collect. llhttp calls back with pieces of the input (a field
// may arrive in two feeds), so names and values are appended, not assigned.
struct Parser::State {
    llhttp_t llhttp{};
    llhttp_settings_t settings{};
    Kind kind;
    std::size_t max_head_bytes;
    std::size_t head_bytes_seen = 0;   // fed while the head was incomplete
    MessageHead head;
    std::string field, value;
    bool in_value = false;
    bool head_complete = false;
    bool message_complete = false;
    bool no_body = false;
    const BodySink* sink = nullptr;

    static State& of(llhttp_t* parser) { return *static_cast<State*>(parser->data); }

    void end_header() {
        if (field.empty() && value.empty()) return;
        auto trim = [](std::string& text) {
            text.erase(0, text.find_first_not_of(" \t"));
            text.erase(text.find_last_not_of(" \t") + 1);
        };
        trim(value);
        head.headers.push_back({std::move(field), std::move(value)});
        field.clear();
        value.clear();
        in_value = false;
    }

    State(Kind kind, std::size_t max_head_bytes) : kind(kind), max_head_bytes(max_head_bytes) {
        llhttp_settings_init(&settings);
        settings.on_method = [](llhttp_t* p, const char* at, size_t n) { return of(p).append(of(p).head.method, at, n); };
        settings.on_url = [](llhttp_t* p, const char* at, size_t n) { return of(p).append(of(p).head.target, at, n); };
        settings.on_status = [](llhttp_t* p, const char* at, size_t n) { return of(p).append(of(p).head.reason, at, n); };
        settings.on_header_field = [](llhttp_t* p, const char* at, size_t n) {
            State& s = of(p);
            if (s.in_value) s.end_header();
            return s.append(s.field, at, n);
        };
        settings.on_header_value = [](llhttp_t* p, const char* at, size_t n) {
            State& s = of(p);
            s.in_value = true;
            return s.append(s.value, at, n);
        };
        settings.on_headers_complete = [](llhttp_t* p) { return of(p).headers_complete(); };
        settings.on_body = [](llhttp_t* p, const char* at, size_t n) {
            State& s = of(p);
            if (s.sink && *s.sink) (*s.sink)(std::string_view(at, n));
            return 0;
        };
        settings.on_message_complete = [](llhttp_t* p) {
            of(p).message_complete = true;
            return static_cast<int>(HPE_PAUSED);  // one message at a time: the caller resumes
        };
        llhttp_init(&llhttp, kind == Kind::requests ? HTTP_REQUEST : HTTP_RESPONSE, &settings);
        llhttp.data = this;
    }

    int append(std::string& to, const char* at, size_t n) {
        to.append(at, n);
        return 0;
    }

    int headers_complete() {
        end_header();
        head_complete = true;
        head.version_minor = llhttp_get_http_minor(&llhttp);
        if (kind == Kind::responses) head.status = llhttp_get_status_code(&llhttp);
        head.keep_alive = llhttp_should_keep_alive(&llhttp) != 0;
        if (no_body) {
            head.framing = BodyFraming::none;
            return 1;  // llhttp: skip the body (a response to HEAD)
        }
        if (llhttp.flags & F_CHUNKED) {
            head.framing = BodyFraming::chunked;
        } else if (llhttp.flags & F_CONTENT_LENGTH) {
            head.content_length = llhttp.content_length;
            head.framing = head.content_length > 0 ? BodyFraming::content_length : BodyFraming::none;
        } else if (kind == Kind::responses && llhttp_message_needs_eof(&llhttp)) {
            head.framing = BodyFraming::until_close;
            head.keep_alive = false;
        }
        return 0;
    }

    Progress error_progress(std::size_t consumed, llhttp_errno_t error) {
        Progress progress;
        progress.consumed = consumed;
        progress.error = ParseError::malformed;
        const char* reason = llhttp_get_error_reason(&llhttp);
        progress.error_text = std::string(llhttp_errno_name(error)) + (reason ? std::string(": ") + reason : "");
        return progress;
    }
};

Parser::Parser(Kind kind, std::size_t max_head_bytes) : state_(std::make_unique<State>(kind, max_head_bytes)) {}
Parser::~Parser() = default;
Parser::Parser(Parser&&) noexcept = default;
Parser& Parser::operator=(Parser&&) noexcept = default;

Parser::Progress Parser::feed(std::string_view data, const BodySink& on_body) {
    State& s = *state_;
    s.sink = &on_body;
    Progress progress;
    while (progress.consumed < data.size() && !s.message_complete) {
        const char* start = data.data() + progress.consumed;
        std::size_t length = data.size() - progress.consumed;
        bool head_was_complete = s.head_complete;
        // Never more than one byte past the limit before the head is complete.
        if (!head_was_complete) length = std::min(length, s.max_head_bytes + 1 - s.head_bytes_seen);
        llhttp_errno_t error = llhttp_execute(&s.llhttp, start, length);
        std::size_t used = length;
        if (error == HPE_PAUSED) used = static_cast<std::size_t>(llhttp_get_error_pos(&s.llhttp) - start);
        else if (error != HPE_OK) return s.error_progress(progress.consumed, error);
        progress.consumed += used;
        if (!s.head_complete) {
            s.head_bytes_seen += used;
            if (s.head_bytes_seen > s.max_head_bytes) {
                progress.error = ParseError::head_too_large;
                progress.error_text = "request line and headers over " + std::to_string(s.max_head_bytes) + " bytes";
                break;
            }
        }
    }
    s.sink = nullptr;
    progress.message_complete = s.message_complete;
    return progress;
}

Parser::Progress Parser::finish(const BodySink& on_body) {
    State& s = *state_;
    s.sink = &on_body;
    llhttp_errno_t error = llhttp_finish(&s.llhttp);
    s.sink = nullptr;
    if (error != HPE_OK && error != HPE_PAUSED) return s.error_progress(0, error);
    Progress progress;
    progress.message_complete = s.message_complete;
    return progress;
}

bool Parser::head_complete() const { return state_->head_complete; }
const MessageHead& Parser::head() const { return state_->head; }
void Parser::expect_no_body() { state_->no_body = true; }

void Parser::next_message() {
    State& s = *state_;
    if (llhttp_get_errno(&s.llhttp) == HPE_PAUSED) llhttp_resume(&s.llhttp);
    s.head = MessageHead{};
    s.field.clear();
    s.value.clear();
    s.in_value = s.head_complete = s.message_complete = s.no_body = false;
    s.head_bytes_seen = 0;
}

}  // namespace c10k::http
