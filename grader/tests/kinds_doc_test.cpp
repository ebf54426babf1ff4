// grader/README.md documents the test kinds in a table; the registry is the truth. The
// table must name every kind, in the registry's order, with the same parameters and defaults.

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "c10k_catch.hpp"

#include "3-test_kinds/registry.hpp"

using namespace c10k::grader;

namespace {
struct Row {
    std::string kind, parameters;
};

// The rows of the table under "### Test kinds": | `kind` | what it does | parameters |
std::vector<Row> documented_kinds() {
    std::ifstream readme(C10K_SOURCE_DIR "/grader/README.md");
    std::vector<Row> rows;
    bool in_section = false;
    for (std::string line; std::getline(readme, line);) {
        if (line.starts_with("### ")) in_section = line == "### Test kinds";
        if (!in_section || !line.starts_with("| `")) continue;
        std::vector<std::string> cells;
        std::stringstream split(line.substr(1));
        for (std::string cell; std::getline(split, cell, '|');) cells.push_back(cell);
        REQUIRE(cells.size() >= 3);
        auto trim = [](std::string text) {
            text.erase(0, text.find_first_not_of(" `"));
            text.erase(text.find_last_not_of(" `") + 1);
            return text;
        };
        rows.push_back({trim(cells[0]), trim(cells[2])});
    }
    return rows;
}
}  // namespace

TEST_CASE("kinds: grader/README.md's table lists every registered kind with its parameters and defaults") {
    std::vector<Row> rows = documented_kinds();
    REQUIRE(rows.size() == test_kinds().size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const TestKind& kind = test_kinds()[i];
        INFO("row " << i + 1 << " of the table");
        CHECK(rows[i].kind == kind.name);
        CHECK(rows[i].parameters == parameters_text(kind));
    }
}

TEST_CASE("kinds: --list-kinds shows every kind with its summary and parameters") {
    std::string listing = list_test_kinds();
    for (const TestKind& kind : test_kinds()) {
        CHECK_THAT(listing, Catch::Contains(kind.name + "\n    " + kind.summary));
        CHECK_THAT(listing, Catch::Contains("parameters (default): " + parameters_text(kind)));
    }
}
