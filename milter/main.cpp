// dspamd: the milter daemon. main() only reads the command line; everything
// else is in the dspamd_milter library (server.cpp and below).
//   dspamd [--config FILE] [--foreground] [--check-config]
#include <sysexits.h>

#include <cstring>
#include <iostream>

#include "engine/config.h"
#include "milter/server.h"

int main(int argc, char** argv) {
    dspamd::milter::ServerOptions options;
    options.config = dspamd::default_config_path();
    for (int i = 1; i < argc; ++i) {
        const char* arg = argv[i];
        if (std::strcmp(arg, "--config") == 0 && i + 1 < argc) {
            options.config = argv[++i];
        } else if (std::strncmp(arg, "--config=", 9) == 0) {
            options.config = arg + 9;
        } else if (std::strcmp(arg, "--foreground") == 0) {
            options.foreground = true;
        } else if (std::strcmp(arg, "--check-config") == 0) {
            options.check_config = true;
        } else {
            const bool help = std::strcmp(arg, "--help") == 0 || std::strcmp(arg, "-h") == 0;
            (help ? std::cout : std::cerr)
                << "usage: dspamd [--config FILE] [--foreground] [--check-config]\n"
                   "  --config FILE   the configuration (default $DSPAMD_CONFIG, else "
                << dspamd::default_config_path().string()
                << ")\n"
                   "  --foreground    stay in the foreground and log to stderr\n"
                   "  --check-config  read the configuration, report errors and exit\n";
            return help ? EX_OK : EX_USAGE;
        }
    }
    return dspamd::milter::run_server(options);
}
