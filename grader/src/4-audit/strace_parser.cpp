#include "4-audit/strace_parser.hpp"

#include <cctype>
#include <charconv>
#include <cstdlib>

namespace c10k::grader {
namespace {

bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

void skip_spaces(std::string_view& text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
}

// Several tracees writing into one file (-f without -ff) prefix each line with their
// pid: "[pid  1234] " on a terminal, "1234  " in a file written with -o.
void skip_pid_prefix(std::string_view& text) {
    if (text.starts_with("[pid")) {
        auto close = text.find(']');
        if (close != std::string_view::npos) text.remove_prefix(close + 1);
    } else {
        std::size_t digits = 0;
        while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
        if (digits > 0 && digits < text.size() && text[digits] == ' ') text.remove_prefix(digits);
    }
    skip_spaces(text);
}

std::optional<double> take_timestamp(std::string_view& text) {
    auto end = text.find(' ');
    if (end == std::string_view::npos) return std::nullopt;
    std::string stamp(text.substr(0, end));
    char* parsed_to = nullptr;
    double value = std::strtod(stamp.c_str(), &parsed_to);
    if (parsed_to != stamp.c_str() + stamp.size() || stamp.empty()) return std::nullopt;
    text.remove_prefix(end + 1);
    return value;
}

// " = 64", " = -1 EAGAIN (Resource temporarily unavailable)", " = ? ERESTARTSYS (...)"
void parse_result(std::string_view text, TracedCall& call) {
    skip_spaces(text);
    if (text.starts_with("?")) {
        text.remove_prefix(1);
    } else {
        long long value = 0;
        int base = 10;
        const char* begin = text.data();
        if (text.starts_with("0x")) {
            base = 16;
            begin += 2;
        }
        auto [end, ec] = std::from_chars(begin, text.data() + text.size(), value, base);
        if (ec != std::errc{}) return;
        call.result = value;
        text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    }
    skip_spaces(text);
    std::size_t length = 0;
    while (length < text.size() && (std::isupper(static_cast<unsigned char>(text[length])) ||
                                    std::isdigit(static_cast<unsigned char>(text[length]))))
        ++length;
    if (length > 0 && text[0] == 'E') call.error = std::string(text.substr(0, length));
}

}  // namespace

std::optional<TracedCall> parse_strace_line(std::string_view line) {
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    skip_pid_prefix(line);
    TracedCall call;
    auto timestamp = take_timestamp(line);
    if (!timestamp) return std::nullopt;
    call.timestamp = *timestamp;

    std::size_t name_length = 0;
    while (name_length < line.size() && is_name_char(line[name_length])) ++name_length;
    // Signals (---), exits (+++) and resumed halves (<...) do not start with a name.
    if (name_length == 0 || name_length >= line.size() || line[name_length] != '(')
        return std::nullopt;
    call.name = std::string(line.substr(0, name_length));
    line.remove_prefix(name_length + 1);

    if (line.ends_with("<unfinished ...>")) {
        call.arguments = std::string(line.substr(0, line.size() - 16));
        return call;  // entered but not (yet) returned: counts, result unknown
    }
    auto equals = line.rfind(") = ");
    if (equals == std::string_view::npos) {
        // e.g. "exit_group(0) = ?" always has " = "; anything else is a truncated line.
        equals = line.rfind(')');
        if (equals == std::string_view::npos) return std::nullopt;
        call.arguments = std::string(line.substr(0, equals));
        return call;
    }
    call.arguments = std::string(line.substr(0, equals));
    parse_result(line.substr(equals + 3), call);
    return call;
}

}  // namespace c10k::grader
