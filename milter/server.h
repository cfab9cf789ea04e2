// The daemon's life from a parsed command line: read the configuration,
// become a daemon, open the store, listen, drop privileges, serve until
// SIGTERM, drain. main() only parses the arguments and calls run_server.
#pragma once

#include <filesystem>

namespace dspamd::milter {

struct ServerOptions {
    std::filesystem::path config;  // --config FILE
    bool foreground = false;       // --foreground: no fork, log to stderr
    bool check_config = false;     // --check-config: read the file and exit
};

// Returns the process's exit status (sysexits.h).
int run_server(const ServerOptions& options);

}  // namespace dspamd::milter
