#include "race_proxy/proxy_race_config.hpp"

#include <algorithm>
#include <sstream>

#include <toml++/toml.h>

#include "race/plan_errors.hpp"

namespace c10k::grader {
namespace {

long whole_number(const std::string& file, const toml::table& table, const char* key, long fallback, long low, long high) {
    const toml::node* node = table.get(key);
    if (!node) return fallback;
    auto value = node->value_exact<int64_t>();
    if (!value || *value < low || *value > high)
        plan_error(file, node, std::string("'") + key + "' must be a whole number from " + std::to_string(low) + " to " +
                             std::to_string(high));
    return static_cast<long>(*value);
}

std::vector<std::string> choice_list(const std::string& file, const toml::table& table, const char* key,
                                     const std::vector<std::string>& allowed, std::vector<std::string> fallback) {
    const toml::node* node = table.get(key);
    if (!node) return fallback;
    const toml::array* array = node->as_array();
    std::string known;
    for (const auto& name : allowed) known += (known.empty() ? "" : ", ") + name;
    if (!array || array->empty()) plan_error(file, node, std::string("'") + key + "' must be a list from: " + known);
    std::vector<std::string> out;
    for (const auto& item : *array) {
        auto name = item.value<std::string>();
        if (!name || std::ranges::find(allowed, *name) == allowed.end())
            plan_error(file, &item, std::string("'") + key + "' must be a list from: " + known);
        out.push_back(*name);
    }
    return out;
}

}  // namespace

std::string ProxyLoad::label() const {
    std::string out = std::to_string(connections) + " x ";
    out += size % 1024 == 0 ? std::to_string(size / 1024) + " KiB" : std::to_string(size) + " B";
    if (close) out += " close";
    if (workers > 1) out += ", " + std::to_string(workers) + " workers";
    return out;
}

const std::vector<std::string>& proxy_contestant_names() {
    static const std::vector<std::string> names = {"tinygate-threads", "tinygate-epoll", "tinygate-io_uring",
                                                   "nginx", "haproxy", "origin-direct"};
    return names;
}

ProxyRaceConfig load_proxy_race_config(const std::filesystem::path& path) {
    std::string file = path.filename().string();
    toml::table root = parse_plan_file(path.string(), file);
    reject_unknown_plan_keys(file, root, {"rounds", "seconds", "load_seconds", "clients", "contestants", "load"});
    ProxyRaceConfig config;
    config.rounds = static_cast<int>(whole_number(file, root, "rounds", 3, 1, 99));
    config.seconds = static_cast<int>(whole_number(file, root, "seconds", 1, 1, 60));
    if (const toml::node* node = root.get("load_seconds")) {
        auto value = node->value<double>();
        if (!value || *value < 0.1 || *value > 60) plan_error(file, node, "'load_seconds' must be a number from 0.1 to 60");
        config.load_seconds = *value;
    }
    config.clients = choice_list(file, root, "clients", {"wrk", "c10k-load"}, config.clients);
    config.contestants = choice_list(file, root, "contestants", proxy_contestant_names(), config.contestants);
    const toml::array* loads = root["load"].as_array();
    if (!loads || loads->empty()) plan_error(file, nullptr, "no [[load]] entries");
    for (const auto& node : *loads) {
        const toml::table* table = node.as_table();
        if (!table) plan_error(file, &node, "[[load]] must be a table");
        reject_unknown_plan_keys(file, *table, {"connections", "size", "close", "workers"});
        ProxyLoad load;
        load.connections = static_cast<int>(whole_number(file, *table, "connections", 50, 1, 5000));
        load.size = static_cast<std::size_t>(whole_number(file, *table, "size", 1024, 0, 1 << 24));
        load.workers = static_cast<int>(whole_number(file, *table, "workers", 1, 1, 64));
        if (const toml::node* close = table->get("close")) {
            auto value = close->value_exact<bool>();
            if (!value) plan_error(file, close, "'close' must be true or false");
            load.close = *value;
        }
        config.loads.push_back(load);
    }
    return config;
}

}  // namespace c10k::grader
