#include "race/race_config.hpp"

#include <algorithm>
#include <sstream>

#include <toml++/toml.h>

#include "race/plan_errors.hpp"

namespace c10k::grader {
namespace {

template <typename T>
std::vector<T> numbers(const std::string& file, const toml::table& table, const char* key, long low, long high) {
    const toml::node* node = table.get(key);
    const toml::array* array = node ? node->as_array() : nullptr;
    if (!array || array->empty()) plan_error(file, node ? node : &table, std::string("'") + key + "' must be a list of numbers");
    std::vector<T> out;
    for (const auto& item : *array) {
        auto value = item.value<long>();
        if (!value || *value < low || *value > high)
            plan_error(file, &item, std::string("'") + key + "' holds numbers from " + std::to_string(low) + " to " +
                                  std::to_string(high));
        out.push_back(static_cast<T>(*value));
    }
    return out;
}

double seconds_in(const std::string& file, const toml::table& table, double fallback) {
    const toml::node* node = table.get("seconds");
    if (!node) return fallback;
    auto value = node->value<double>();
    if (!value || *value < 0.1 || *value > 60) plan_error(file, node, "'seconds' must be a number from 0.1 to 60");
    return *value;
}

std::string text(const std::string& file, const toml::table& table, const char* key, bool required) {
    const toml::node* node = table.get(key);
    if (!node) {
        if (required) plan_error(file, &table, std::string("missing '") + key + "'");
        return {};
    }
    auto value = node->value<std::string>();
    if (!value) plan_error(file, node, std::string("'") + key + "' must be a string");
    return *value;
}


std::vector<std::string> names(const std::string& file, const toml::table& table, const char* key) {
    const toml::array* array = table[key].as_array();
    if (!array) plan_error(file, &table, std::string("'") + key + "' must be a list of server names");
    std::vector<std::string> out;
    for (const auto& item : *array) {
        auto name = item.value<std::string>();
        if (!name) plan_error(file, &item, std::string("'") + key + "' must be a list of server names");
        out.push_back(*name);
    }
    return out;
}

RaceServer read_server(const std::string& file, const toml::table& table) {
    reject_unknown_plan_keys(file, table, {"name", "model", "binary", "args", "max_connections", "requires"});
    RaceServer server;
    server.name = text(file, table, "name", true);
    server.model = text(file, table, "model", true);
    server.binary = text(file, table, "binary", false);
    if (server.binary.empty()) server.binary = "solutions/" + server.name + "/server";
    server.requires_feature = text(file, table, "requires", false);
    if (!server.requires_feature.empty() && server.requires_feature != "io_uring")
        plan_error(file, table.get("requires"), "'requires' knows only \"io_uring\"");
    if (const toml::node* node = table.get("max_connections")) {
        auto value = node->value<long>();
        if (!value || *value < 1) plan_error(file, node, "'max_connections' must be a positive number");
        server.max_connections = static_cast<int>(*value);
    }
    if (const toml::node* node = table.get("args")) {
        const toml::array* array = node->as_array();
        if (!array) plan_error(file, node, "'args' must be a list of strings");
        for (const auto& item : *array) {
            auto value = item.value<std::string>();
            if (!value) plan_error(file, &item, "'args' must be a list of strings");
            server.args.push_back(*value);
        }
    }
    return server;
}

// A number of rounds, 1 to 99, under @p key; @p missing when absent (0: it is required).
int round_count(const std::string& file, const toml::table& table, const char* key, int missing) {
    const toml::node* count = table.get(key);
    if (!count && missing > 0) return missing;
    auto value = count ? count->value<long>() : std::nullopt;
    if (!value || *value < 1 || *value > 99)
        plan_error(file, count ? count : &table, std::string("'") + key + "' must be a number from 1 to 99");
    return static_cast<int>(*value);
}

}  // namespace

RaceConfig load_race_config(const std::filesystem::path& path) {
    std::string file = path.filename().string();
    toml::table root = parse_plan_file(path.string(), file);
    reject_unknown_plan_keys(file, root, {"loads", "idle_experiment", "rounds", "server", "checks"});
    RaceConfig config;
    const toml::table* loads = root["loads"].as_table();
    if (!loads) plan_error(file, nullptr, "missing the [loads] table");
    reject_unknown_plan_keys(file, *loads, {"connections", "sizes", "seconds"});
    config.connections = numbers<int>(file, *loads, "connections", 1, 15000);
    config.sizes = numbers<std::size_t>(file, *loads, "sizes", 1, 1 << 20);
    config.seconds = seconds_in(file, *loads, 1.0);

    if (const toml::table* idle = root["idle_experiment"].as_table()) {
        reject_unknown_plan_keys(file, *idle, {"servers", "idle", "seconds", "rounds"});
        config.idle_rounds = round_count(file, *idle, "rounds", 1);
        config.idle_counts = numbers<int>(file, *idle, "idle", 0, 15000);
        config.idle_seconds = seconds_in(file, *idle, 1.0);
        config.idle_servers = names(file, *idle, "servers");
    }
    if (const toml::table* rounds = root["rounds"].as_table()) {
        reject_unknown_plan_keys(file, *rounds, {"count", "servers", "connections", "size", "seconds"});
        config.rounds = round_count(file, *rounds, "count", 0);
        config.round_connections = numbers<int>(file, *rounds, "connections", 1, 15000);
        config.round_seconds = seconds_in(file, *rounds, 0.5);
        if (const toml::node* size = rounds->get("size")) {
            auto bytes = size->value<long>();
            if (!bytes || *bytes < 1 || *bytes > (1 << 20)) plan_error(file, size, "'size' must be a number of bytes");
            config.round_size = static_cast<std::size_t>(*bytes);
        }
        config.round_servers = names(file, *rounds, "servers");
    }
    const toml::array* servers = root["server"].as_array();
    if (!servers || servers->empty()) plan_error(file, nullptr, "no [[server]] entries");
    for (const auto& node : *servers) {
        const toml::table* table = node.as_table();
        if (!table) plan_error(file, &node, "[[server]] must be a table");
        config.servers.push_back(read_server(file, *table));
    }
    if (const toml::table* checks = root["checks"].as_table()) {
        reject_unknown_plan_keys(file, *checks, {"syscalls_per_message"});
        if (const toml::node* node = checks->get("syscalls_per_message")) {
            const toml::table* budgets = node->as_table();
            if (!budgets) plan_error(file, node, "'syscalls_per_message' must be a table: { \"server\" = budget, ... }");
            for (const auto& [name, value] : *budgets) {
                auto budget = value.value<double>();
                if (!budget || *budget <= 0) plan_error(file, &value, "the budget of '" + std::string(name.str()) + "' must be a number > 0");
                bool known = std::ranges::any_of(config.servers, [&](const RaceServer& s) { return s.name == name.str(); });
                if (!known) plan_error(file, &value, "[checks] names '" + std::string(name.str()) + "', which is no [[server]]");
                config.syscall_budgets[std::string(name.str())] = *budget;
            }
        }
    }
    for (const char* table : {"idle_experiment", "rounds"}) {
        for (const auto& name : std::string(table) == "rounds" ? config.round_servers : config.idle_servers) {
            bool known = false;
            for (const auto& server : config.servers) known = known || server.name == name;
            if (!known) plan_error(file, root[table].node(), std::string(table) + " names '" + name + "', which is no [[server]]");
        }
    }
    return config;
}

}  // namespace c10k::grader
