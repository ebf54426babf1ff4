#pragma once
/// @file plan_errors.hpp
/// @brief The races' plan files (race.toml, race-proxy.toml) name a mistake the same way:
/// "race.toml:12: what is wrong", as a SpecError.

#include <initializer_list>
#include <sstream>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "1-spec/spec_error.hpp"

namespace c10k::grader {

/// Throws SpecError "FILE:LINE: @p what", the line of @p where when it has one.
[[noreturn]] inline void plan_error(const std::string& file, const toml::node* where, const std::string& what) {
    std::ostringstream message;
    message << file;
    if (where && where->source().begin.line > 0) message << ":" << where->source().begin.line;
    message << ": " << what;
    throw SpecError(message.str());
}

/// Reads @p path as TOML; a syntax error becomes "FILE:LINE: not valid TOML: ...".
inline toml::table parse_plan_file(const std::string& path, const std::string& file) {
    try {
        return toml::parse_file(path);
    } catch (const toml::parse_error& error) {
        std::ostringstream message;
        message << file << ":" << error.source().begin.line << ": not valid TOML: " << error.description();
        throw SpecError(message.str());
    }
}

/// Throws plan_error for the first key of @p table not in @p known.
inline void reject_unknown_plan_keys(const std::string& file, const toml::table& table,
                                     std::initializer_list<std::string_view> known) {
    for (const auto& [key, node] : table) {
        bool ok = false;
        for (auto k : known) ok = ok || key.str() == k;
        if (!ok) plan_error(file, &node, "unknown key '" + std::string(key.str()) + "'");
    }
}

}  // namespace c10k::grader
