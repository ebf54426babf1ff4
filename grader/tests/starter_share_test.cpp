// The student writes the lesson: in every lab, at least 40% of the reference solution's
// logic lines are missing from the starter. A logic line is a line of code that is not a
// comment, blank, an #include or a lone brace; lines are compared after trimming and
// collapsing spaces, each starter line matching at most one solution line.

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "c10k_catch.hpp"

namespace fs = std::filesystem;

namespace {
std::vector<std::string> logic_lines(const fs::path& file) {
    std::ifstream in(file);
    REQUIRE(in);
    static const std::regex trailing_comment(R"(\s*//.*$)");
    static const std::regex spaces(R"(\s+)");
    std::vector<std::string> lines;
    bool in_block_comment = false;
    for (std::string line; std::getline(in, line);) {
        std::string text = std::regex_replace(line, spaces, " ");
        text.erase(0, text.find_first_not_of(' '));
        if (in_block_comment) {
            in_block_comment = text.find("*/") == std::string::npos;
            continue;
        }
        if (text.starts_with("/*")) {
            in_block_comment = text.find("*/") == std::string::npos;
            continue;
        }
        text = std::regex_replace(text, trailing_comment, "");
        while (!text.empty() && text.back() == ' ') text.pop_back();
        static const std::vector<std::string> skipped = {"{", "}", "};", "});", "})", "} else {", "namespace {"};
        if (text.empty() || text.starts_with("#include") || text.starts_with("} // namespace") ||
            std::find(skipped.begin(), skipped.end(), text) != skipped.end())
            continue;
        lines.push_back(text);
    }
    return lines;
}

// The share of @p solution's logic lines that @p starter does not have.
double share_left_to_student(const fs::path& solution, const fs::path& starter) {
    std::map<std::string, int> given;
    for (const auto& line : logic_lines(starter)) ++given[line];
    std::vector<std::string> lines = logic_lines(solution);
    int missing = 0;
    for (const auto& line : lines) {
        if (given[line] > 0) --given[line];
        else ++missing;
    }
    return lines.empty() ? 0 : double(missing) / double(lines.size());
}
}  // namespace

TEST_CASE("starters: the student writes at least 40% of every reference solution file's logic lines") {
    const fs::path root = C10K_SOURCE_DIR;
    int files = 0;
    for (const auto& entry : fs::directory_iterator(root / "solutions")) {
        // Every source file the solution and the starter both have: server.cpp, or lab
        // 09's one file per model (its given files live in labs/ only).
        for (const auto& file : fs::directory_iterator(entry.path())) {
            if (file.path().extension() != ".cpp") continue;
            fs::path starter = root / "labs" / entry.path().filename() / file.path().filename();
            if (!fs::exists(starter)) continue;
            ++files;
            double share = share_left_to_student(file.path(), starter);
            INFO(entry.path().filename().string() << "/" << file.path().filename().string() << ": "
                                                   << int(share * 100) << "% left to the student");
            CHECK(share >= 0.40);
        }
    }
    CHECK(files >= 11);  // labs 01-08, and 09's three models
}

TEST_CASE("starters: the measure counts what differs, not comments or braces") {
    fs::path dir = fs::temp_directory_path() / ("c10k-share-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "solution.cpp") << "#include <x>\n// why\nint f() {\n    return 1;  // one\n}\nint g() { return 2; }\n";
    std::ofstream(dir / "starter.cpp") << "#include <y>\n// TODO(student): g\nint f() {\n    return   1;\n}\nint g() { return 0; }\n";
    CHECK(share_left_to_student(dir / "solution.cpp", dir / "starter.cpp") == Approx(1.0 / 3));
    fs::remove_all(dir);
}
