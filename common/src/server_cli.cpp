#include "c10k/server_cli.hpp"

#include <cstdlib>

namespace c10k {

void add_server_options(CLI::App& app, ServerOptions& options) {
    app.add_option("--port,-p", options.port, "TCP port to listen on (0 = any free port)")
        ->required();
    app.add_option("--host", options.host, "address to listen on (IPv4 or IPv6 literal)")
        ->capture_default_str();
}

ServerOptions parse_server_cli(int argc, char** argv, const std::string& description) {
    CLI::App app{description};
    ServerOptions options;
    add_server_options(app, options);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        std::exit(app.exit(e));
    }
    return options;
}

}  // namespace c10k
