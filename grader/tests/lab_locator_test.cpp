#include "c10k_catch.hpp"

#include "1-spec/lab_locator.hpp"

using namespace c10k::grader;

TEST_CASE("lab locator: 01, 1, 01-blocking and labs/01-blocking/ all find lab 01") {
    for (const char* name : {"01", "1", "01-blocking", "labs/01-blocking/", "labs/01-blocking"}) {
        INFO(name);
        LabLocation lab = locate_lab(name, C10K_SOURCE_DIR, "/b");
        CHECK(lab.name == "01-blocking");
        CHECK(lab.spec == std::filesystem::path(C10K_SOURCE_DIR) / "labs/01-blocking/grade.toml");
        CHECK(lab.student_server == "/b/labs/01-blocking/server");
        CHECK(lab.solution_server == "/b/solutions/01-blocking/server");
    }
}

TEST_CASE("lab locator: an unknown lab lists the labs that exist") {
    CHECK_THROWS_WITH(locate_lab("42", C10K_SOURCE_DIR, "/b"),
                      Catch::Contains("no lab '42'") && Catch::Contains("01-blocking"));
    CHECK_THROWS_WITH(locate_lab("01", "/nonexistent", "/b"), Catch::Contains("is --root right?"));
}
