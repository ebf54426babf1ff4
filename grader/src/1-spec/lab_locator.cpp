#include "1-spec/lab_locator.hpp"

#include <algorithm>

namespace c10k::grader {

std::vector<std::string> list_labs(const std::filesystem::path& source_root) {
    std::vector<std::string> labs;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(source_root / "labs", error)) {
        std::string name = entry.path().filename().string();
        if (entry.is_directory() && name.size() > 3 && std::isdigit(static_cast<unsigned char>(name[0])) &&
            std::isdigit(static_cast<unsigned char>(name[1])) && name[2] == '-')
            labs.push_back(name);
    }
    std::ranges::sort(labs);
    return labs;
}

LabLocation locate_lab(const std::string& lab, const std::filesystem::path& source_root,
                       const std::filesystem::path& build_root) {
    std::string wanted = std::filesystem::path(lab).filename().string();  // accepts labs/01-blocking/
    if (wanted.empty()) wanted = std::filesystem::path(lab).parent_path().filename().string();
    if (wanted.size() == 1 && std::isdigit(static_cast<unsigned char>(wanted[0]))) wanted = "0" + wanted;
    std::vector<std::string> labs = list_labs(source_root);
    for (const auto& name : labs) {
        if (name == wanted || name.substr(0, 2) == wanted) {
            return {name, source_root / "labs" / name / "grade.toml", build_root / "labs" / name / "server",
                    build_root / "solutions" / name / "server", source_root / "solutions" / name / "hidden.toml"};
        }
    }
    std::string known;
    for (const auto& name : labs) known += (known.empty() ? "" : ", ") + name;
    throw LabNotFound("no lab '" + lab + "' under " + (source_root / "labs").string() +
                      (known.empty() ? " (no labs there: is --root right?)" : " (labs: " + known + ")"));
}

}  // namespace c10k::grader
