#include "1-spec/lab_spec.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "3-test_kinds/registry.hpp"

namespace c10k::grader {
namespace {

// Every error names the file and line, so an instructor can fix the spec without the code.
class SpecReader {
public:
    explicit SpecReader(std::string source) : source_(std::move(source)) {}

    [[noreturn]] void fail(const toml::node* where, const std::string& what) const {
        std::ostringstream message;
        message << source_;
        if (where && where->source().begin.line > 0) message << ":" << where->source().begin.line;
        message << ": " << what;
        throw SpecError(message.str());
    }

    void reject_unknown_keys(const toml::table& table, const std::set<std::string>& known,
                             const std::string& where) const {
        for (auto&& [key, value] : table) {
            if (known.contains(std::string(key.str()))) continue;
            std::string list;
            for (const auto& name : known) list += (list.empty() ? "" : ", ") + name;
            fail(&value, where + ": unknown key '" + std::string(key.str()) + "' (known: " + list + ")");
        }
    }

    const toml::table& table(const toml::table& parent, const std::string& key, bool required) const {
        const toml::node* node = parent.get(key);
        static const toml::table empty;
        if (!node) {
            if (required) fail(&parent, "missing table [" + key + "]");
            return empty;
        }
        if (!node->is_table()) fail(node, "'" + key + "' must be a table");
        return *node->as_table();
    }

    std::string string(const toml::table& table, const std::string& key, const std::string& where,
                       std::optional<std::string> fallback = std::nullopt) const {
        const toml::node* node = table.get(key);
        if (!node) {
            if (fallback) return *fallback;
            fail(&table, where + ": missing '" + key + "'");
        }
        if (!node->is_string()) fail(node, where + ": '" + key + "' must be a string");
        return **node->as_string();
    }

    double number(const toml::table& table, const std::string& key, const std::string& where,
                  std::optional<double> fallback, double minimum = 0) const {
        const toml::node* node = table.get(key);
        if (!node) {
            if (fallback) return *fallback;
            fail(&table, where + ": missing '" + key + "'");
        }
        auto value = node->value<double>();  // integers convert too
        if (!value || node->is_boolean()) fail(node, where + ": '" + key + "' must be a number");
        if (*value < minimum)
            fail(node, where + ": '" + key + "' must be at least " + format(minimum));
        return *value;
    }

    std::vector<std::string> strings(const toml::table& table, const std::string& key,
                                     const std::string& where) const {
        std::vector<std::string> result;
        const toml::node* node = table.get(key);
        if (!node) return result;
        if (!node->is_array()) fail(node, where + ": '" + key + "' must be a list of strings");
        for (const toml::node& item : *node->as_array()) {
            if (!item.is_string()) fail(&item, where + ": '" + key + "' must hold only strings");
            result.push_back(**item.as_string());
        }
        return result;
    }

    static std::string format(double value) {
        std::ostringstream out;
        out << value;
        return out.str();
    }

private:
    std::string source_;
};

TestSpec read_test(const SpecReader& reader, const toml::table& table, std::size_t index) {
    TestSpec test;
    std::string where = "test #" + std::to_string(index + 1);
    test.name = reader.string(table, "name", where);
    where = "test '" + test.name + "'";
    test.kind = reader.string(table, "kind", where);
    const TestKind* kind = find_test_kind(test.kind);
    if (!kind) {
        std::string list;
        for (const auto& k : test_kinds()) list += (list.empty() ? "" : ", ") + k.name;
        reader.fail(table.get("kind"), where + ": unknown kind '" + test.kind + "' (known: " + list + ")");
    }
    test.points = reader.number(table, "points", where, std::nullopt);
    test.hint = reader.string(table, "hint", where, "");
    test.server_args = reader.strings(table, "args", where);
    test.ring = reader.strings(table, "ring", where);
    for (const auto& feature : test.ring)
        if (feature != "sqpoll" && feature != "send_zc")
            reader.fail(table.get("ring"), where + ": unknown ring feature '" + feature + "' (known: sqpoll, send_zc)");
    if (const toml::node* extra = table.get("extra_credit")) {
        if (!extra->is_boolean()) reader.fail(extra, where + ": 'extra_credit' must be true or false");
        test.extra_credit = **extra->as_boolean();
    }

    std::set<std::string> known = {"name", "kind", "points", "hint", "args", "extra_credit", "ring", "small"};
    for (const auto& [param, fallback] : kind->defaults) {
        known.insert(param);
        test.params[param] = reader.number(table, param, where, fallback);
    }
    reader.reject_unknown_keys(table, known, where + " (kind " + test.kind + ")");
    // `small = { clients = 2000, p99_ms = 150 }`: the figures for a small machine (a
    // platform's half CPU, 768 MB), written beside the full ones; only the kind's parameters.
    if (table.contains("small")) {
        const toml::table& small = reader.table(table, "small", true);
        std::set<std::string> params;
        for (const auto& [param, fallback] : kind->defaults) params.insert(param);
        reader.reject_unknown_keys(small, params, where + ": small");
        for (const auto& [key, value] : small)
            test.small_machine[std::string(key.str())] = reader.number(small, std::string(key.str()), where + ": small", std::nullopt);
    }
    return test;
}

SyscallSpec read_syscalls(const SpecReader& reader, const toml::table& table) {
    const std::string where = "[syscalls]";
    reader.reject_unknown_keys(table,
                               {"name", "args", "required", "forbidden", "max_threads", "per_message_max",
                                "max_per_message", "nonblocking_clients", "load", "mechanism_points",
                                "budget_points"},
                               where);
    SyscallSpec spec;
    spec.name = reader.string(table, "name", where, "");
    spec.args = reader.strings(table, "args", where);
    if (const toml::node* flag = table.get("nonblocking_clients")) {
        if (!flag->is_boolean()) reader.fail(flag, where + ": 'nonblocking_clients' must be true or false");
        spec.nonblocking_clients = **flag->as_boolean();
    }
    const toml::table& family_max = reader.table(table, "max_per_message", false);
    for (auto&& [family, value] : family_max)
        spec.family_max[std::string(family.str())] =
            reader.number(family_max, std::string(family.str()), "[syscalls] max_per_message", std::nullopt);
    spec.required = reader.strings(table, "required", where);
    spec.forbidden = reader.strings(table, "forbidden", where);
    if (table.contains("max_threads"))
        spec.max_threads = static_cast<int>(reader.number(table, "max_threads", where, {}, 1));
    if (table.contains("per_message_max"))
        spec.per_message_max = reader.number(table, "per_message_max", where, {});
    spec.mechanism_points = reader.number(table, "mechanism_points", where, 0);
    spec.budget_points = reader.number(table, "budget_points", where, 0);
    if (spec.budget_points > 0 && !spec.per_message_max)
        reader.fail(table.get("budget_points"), where + ": budget_points needs per_message_max");

    const toml::table& load = reader.table(table, "load", false);
    const std::string load_where = "[syscalls] load";
    reader.reject_unknown_keys(load, {"connections", "size", "messages", "timeout", "protocol"}, load_where);
    const LoadSpec fallback;  // the defaults live in lab_spec.hpp, once
    spec.load.connections = static_cast<int>(reader.number(load, "connections", load_where, fallback.connections, 1));
    spec.load.size = static_cast<std::size_t>(reader.number(load, "size", load_where, double(fallback.size), 1));
    spec.load.messages = static_cast<long>(reader.number(load, "messages", load_where, double(fallback.messages), 1));
    spec.load.timeout = reader.number(load, "timeout", load_where, fallback.timeout, 1);
    spec.load.protocol = reader.string(load, "protocol", load_where, fallback.protocol);
    if (spec.load.protocol != "echo" && spec.load.protocol != "http")
        reader.fail(load.get("protocol"), load_where + ": protocol must be \"echo\" or \"http\", not \"" +
                                              spec.load.protocol + "\"");
    return spec;
}

}  // namespace

namespace {

std::string read_spec_file(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw SpecError(file.string() + ": cannot read the spec file (does the lab exist?)");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

toml::table parse_toml(std::string_view text, const std::string& source_name) {
    try {
        return toml::parse(text, source_name);
    } catch (const toml::parse_error& error) {
        std::ostringstream message;
        message << source_name << ":" << error.source().begin.line << ": not valid TOML: " << error.description();
        throw SpecError(message.str());
    }
}

std::vector<TestSpec> read_tests(const SpecReader& reader, const toml::table& root, bool hidden) {
    const toml::node* tests = root.get("test");
    if (!tests || !tests->is_array_of_tables()) reader.fail(tests, "no tests: add at least one [[test]] table");
    std::vector<TestSpec> result;
    std::size_t index = 0;
    for (const toml::node& node : *tests->as_array()) {
        result.push_back(read_test(reader, *node.as_table(), index++));
        result.back().hidden = hidden;
    }
    return result;
}

}  // namespace

double LabSpec::max_score() const {
    double total = 0;
    for (const auto& test : tests)
        if (!test.extra_credit) total += test.points;
    for (const auto& audit : syscalls) total += audit.mechanism_points + audit.budget_points;
    return total;
}

LabSpec parse_lab_spec(std::string_view toml_text, const std::string& source_name) {
    SpecReader reader(source_name);
    toml::table root = parse_toml(toml_text, source_name);
    reader.reject_unknown_keys(root, {"lab", "server", "limits", "syscalls", "test"}, "top level");

    LabSpec spec;
    spec.source = source_name;
    const toml::table& lab = reader.table(root, "lab", true);
    reader.reject_unknown_keys(lab, {"id", "title", "requires", "when_missing", "leaderboard"}, "[lab]");
    spec.id = reader.string(lab, "id", "[lab]");
    spec.title = reader.string(lab, "title", "[lab]");
    spec.required_features = reader.strings(lab, "requires", "[lab]");
    for (const auto& feature : spec.required_features)
        if (feature != "io_uring")
            reader.fail(lab.get("requires"), "[lab]: unknown requirement '" + feature + "' (known: io_uring)");
    std::string when_missing = reader.string(lab, "when_missing", "[lab]", "skip");
    if (when_missing != "skip" && when_missing != "fail")
        reader.fail(lab.get("when_missing"), "[lab]: when_missing must be \"skip\" or \"fail\", not '" + when_missing + "'");
    spec.fail_when_missing = when_missing == "fail";
    if (const toml::node* leaderboard = lab.get("leaderboard")) {
        if (!leaderboard->is_boolean()) reader.fail(leaderboard, "[lab]: 'leaderboard' must be true or false");
        spec.leaderboard = **leaderboard->as_boolean();
    }

    const toml::table& server = reader.table(root, "server", false);
    reader.reject_unknown_keys(server, {"announce_timeout", "origin"}, "[server]");
    if (const toml::node* origin = server.get("origin")) {
        if (!origin->is_boolean()) reader.fail(origin, "[server]: 'origin' must be true or false");
        spec.origin = **origin->as_boolean();
    }
    spec.announce_timeout = reader.number(server, "announce_timeout", "[server]", LabSpec{}.announce_timeout, 0.1);

    const toml::table& limits = reader.table(root, "limits", false);
    reader.reject_unknown_keys(limits, {"cpu_seconds", "memory_mb", "open_files", "processes", "lab_seconds"},
                               "[limits]");
    const LimitsSpec fallback;
    spec.limits.cpu_seconds = reader.number(limits, "cpu_seconds", "[limits]", fallback.cpu_seconds, 1);
    spec.limits.memory_mb = reader.number(limits, "memory_mb", "[limits]", fallback.memory_mb, 64);
    spec.limits.open_files = reader.number(limits, "open_files", "[limits]", fallback.open_files, 16);
    spec.limits.processes = reader.number(limits, "processes", "[limits]", fallback.processes, 1);
    spec.limits.lab_seconds = reader.number(limits, "lab_seconds", "[limits]", fallback.lab_seconds, 1);

    // [syscalls] for one audit, [[syscalls]] for several (e.g. one per server mode).
    if (const toml::node* audits = root.get("syscalls")) {
        if (audits->is_table()) {
            spec.syscalls.push_back(read_syscalls(reader, *audits->as_table()));
        } else if (audits->is_array_of_tables()) {
            for (const toml::node& audit : *audits->as_array())
                spec.syscalls.push_back(read_syscalls(reader, *audit.as_table()));
        } else {
            reader.fail(audits, "'syscalls' must be a table or an array of tables");
        }
    }

    spec.tests = read_tests(reader, root, false);
    return spec;
}


LabSpec load_lab_spec(const std::filesystem::path& file) {
    return parse_lab_spec(read_spec_file(file), file.string());
}

std::vector<TestSpec> load_hidden_tests(const std::filesystem::path& file) {
    const std::string source = file.string();
    SpecReader reader(source);
    toml::table root = parse_toml(read_spec_file(file), source);
    reader.reject_unknown_keys(root, {"test"}, "hidden tests (only [[test]] tables)");
    return read_tests(reader, root, true);
}

}  // namespace c10k::grader
