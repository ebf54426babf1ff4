#pragma once
/// @file c10k_catch.hpp
/// @brief Catch2 for every test, v2 (Debian 12: one header) or v3 (Debian 13: a library of
/// headers), under the spelling the tests use: TEST_CASE, CHECK_THAT with Catch::Contains,
/// Catch::StartsWith, Catch::EndsWith, Catch::Equals, and Approx.

#if __has_include(<catch2/catch_test_macros.hpp>)  // Catch2 v3

#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <string>

// v2 named these in namespace Catch; v3 moved them to Catch::Matchers and renamed Contains
// (now ContainsSubstring, as Contains matches ranges). Adding the old names keeps one spelling.
namespace Catch {
using Matchers::EndsWith;
using Matchers::Equals;
using Matchers::StartsWith;
inline Matchers::StringContainsMatcher Contains(const std::string& text,
                                                CaseSensitive sensitivity = CaseSensitive::Yes) {
    return Matchers::ContainsSubstring(text, sensitivity);
}
}  // namespace Catch
using Catch::Approx;

#else  // Catch2 v2

#include <catch2/catch.hpp>

#endif
