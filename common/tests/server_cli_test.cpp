#include "c10k_catch.hpp"

#include "c10k/server_cli.hpp"

namespace {
c10k::ServerOptions parse(std::vector<std::string> args) {
    CLI::App app{"test"};
    c10k::ServerOptions options;
    c10k::add_server_options(app, options);
    std::reverse(args.begin(), args.end());  // CLI11 takes a reversed vector
    app.parse(args);
    return options;
}
}  // namespace

TEST_CASE("server CLI: --port is read, --host defaults to 127.0.0.1") {
    auto options = parse({"--port", "8080"});
    CHECK(options.port == 8080);
    CHECK(options.host == "127.0.0.1");
}

TEST_CASE("server CLI: --host takes IPv6 literals and --port 0 means any") {
    auto options = parse({"--host", "::1", "--port", "0"});
    CHECK(options.host == "::1");
    CHECK(options.port == 0);
}

TEST_CASE("server CLI: a missing or out-of-range port is an error") {
    CHECK_THROWS_AS(parse({}), CLI::RequiredError);
    CHECK_THROWS_AS(parse({"--port", "70000"}), CLI::ParseError);
    CHECK_THROWS_AS(parse({"--port", "http"}), CLI::ParseError);
}
