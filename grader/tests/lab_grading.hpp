#pragma once
// Test helpers shared by the solution and starter tests: grade one build of a lab.

#include <string>

#include "c10k_catch.hpp"

#include "1-spec/lab_spec.hpp"
#include "c10k/io_uring_support.hpp"
#include "grade/grading.hpp"

/// True (after a WARN naming the reason) when io_uring is blocked here: the calling test
/// then returns early -- Catch2 2.x has no SKIP, and the grader itself skips these labs.
#define RETURN_IF_NO_IO_URING()                                  \
    if (auto io_uring_missing = c10k::probe_io_uring()) {        \
        WARN("skipped: " << *io_uring_missing);                  \
        return;                                                  \
    }

namespace test_support {

/// Grades build/<folder>/<lab>/server (folder: "labs" or "solutions") against the lab's spec.
inline c10k::grader::GradeReport grade_build(const std::string& folder, const std::string& lab) {
    c10k::grader::LabSpec spec = c10k::grader::load_lab_spec(C10K_SOURCE_DIR "/labs/" + lab + "/grade.toml");
    c10k::grader::GradeOptions options;
    options.lab_name = lab;
    options.server = C10K_BUILD_DIR "/" + folder + "/" + lab + "/server";
    return c10k::grader::grade_lab(spec, options);
}

}  // namespace test_support
