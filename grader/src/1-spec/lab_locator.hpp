#pragma once
/// @file lab_locator.hpp
/// @brief Finds a lab from what a person types: "01", "1", "01-blocking" or "labs/01-blocking".

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace c10k::grader {

/// Where a lab's files are.
struct LabLocation {
    std::string name;                       ///< "01-blocking"
    std::filesystem::path spec;             ///< labs/01-blocking/grade.toml
    std::filesystem::path student_server;   ///< build/labs/01-blocking/server
    std::filesystem::path solution_server;  ///< build/solutions/01-blocking/server
    std::filesystem::path hidden_tests;     ///< solutions/01-blocking/hidden.toml (instructor-only; may not exist)
};

/// Thrown when no lab matches; what() lists the labs that exist.
class LabNotFound : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Every lab folder under @p source_root/labs, sorted ("01-blocking", ...).
std::vector<std::string> list_labs(const std::filesystem::path& source_root);

/// Resolves @p lab under @p source_root (sources) and @p build_root (binaries).
LabLocation locate_lab(const std::string& lab, const std::filesystem::path& source_root,
                       const std::filesystem::path& build_root);

}  // namespace c10k::grader
