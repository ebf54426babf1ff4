// The environment probe reads cgroup v2's limits the way a platform sets them: Gradescope's
// half CPU ("50000 100000") and 768 MB, or no limit at all ("max").

#include "c10k_catch.hpp"

#include "2-runner/environment_probe.hpp"

using namespace c10k::grader;

TEST_CASE("environment: cgroup cpu.max and memory.max, limited or not") {
    CHECK(parse_cpu_max("50000 100000") == 0.5);
    CHECK(parse_cpu_max("200000 100000") == 2.0);
    CHECK_FALSE(parse_cpu_max("max 100000"));
    CHECK_FALSE(parse_cpu_max(""));
    CHECK_FALSE(parse_cpu_max("-1 100000"));  // cgroup v1: unlimited
    CHECK(parse_memory_max("805306368") == 768);
    CHECK_FALSE(parse_memory_max("max"));
    CHECK_FALSE(parse_memory_max(""));
}

TEST_CASE("environment: half a CPU or 768 MB is a small machine, and the summary says what is missing") {
    EnvironmentProbe probe;
    probe.cpus = 0.5;
    probe.memory_mb = 768;
    probe.open_files = 1048576;
    probe.io_uring_missing = "io_uring_setup is blocked (ENOSYS)";
    CHECK(probe.small_machine());
    CHECK_THAT(probe.summary(), Catch::Contains("0.5 CPU") && Catch::Contains("768 MB") &&
                                    Catch::Contains("io_uring no: io_uring_setup is blocked") &&
                                    Catch::Contains("network namespaces no") && Catch::Contains("`small` figures"));
    probe.cpus = 2;
    probe.memory_mb = 4096;
    CHECK_FALSE(probe.small_machine());
}

TEST_CASE("environment: the probe of this machine names every fact") {
    EnvironmentProbe probe = probe_environment();
    CHECK(probe.cpus > 0);
    CHECK(probe.memory_mb > 0);
    CHECK_THAT(probe.summary(), Catch::Contains("io_uring") && Catch::Contains("strace") &&
                                    Catch::Contains("network namespaces") && Catch::Contains("file descriptors"));
}
