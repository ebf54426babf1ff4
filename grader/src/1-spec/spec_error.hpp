#pragma once
/// @file spec_error.hpp
/// @brief The error every file the grader reads reports a mistake with: lab specs and the
/// races' plan files. A header of its own, so the races need not link the spec reader.

#include <stdexcept>

namespace c10k::grader {

/// A spec that cannot be used; what() reads "grade.toml:12: test 'echo': unknown kind 'ecko' ...".
class SpecError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace c10k::grader
