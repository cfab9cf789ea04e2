// dspamctl's commands and what they share: exit codes, configuration
// loading and message input.
//
// Exit codes follow sysexits(3), as mail software does:
//   0  success                      65 bad input data (EX_DATAERR)
//   1  classify: at least one spam   66 an input file cannot be read (EX_NOINPUT)
//      (only with --exit-code)       69 the database is unavailable (EX_UNAVAILABLE)
//  64  usage error (EX_USAGE)        70 internal error (EX_SOFTWARE)
//                                    78 configuration error (EX_CONFIG)
#pragma once

#include <set>
#include <string>
#include <vector>

#include "engine/config.h"
#include "tools/dspamctl/arguments.h"

namespace dspamd::cli {

enum ExitCode : int {
    k_exit_ok = 0,
    k_exit_spam_found = 1,
    k_exit_usage = 64,
    k_exit_data_error = 65,
    k_exit_no_input = 66,
    k_exit_unavailable = 69,
    k_exit_software = 70,
    k_exit_config = 78,
};

// An input that cannot be read (EX_NOINPUT).
class InputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Options every command accepts.
inline const std::set<std::string> k_common_values{"config", "user"};
inline const std::set<std::string> k_common_flags{"verbose"};

std::set<std::string> with_common(std::set<std::string> own, const std::set<std::string>& common);

// --config FILE, else $DSPAMD_CONFIG, else the installed file; when that
// default file does not exist, the built-in defaults.
Config load_cli_config(const Arguments& args);

// The user a command acts for: --user, else the configured default user.
std::string cli_user(const Arguments& args, const Config& config);

struct Input {
    std::string name;   // file name, "-" for stdin
    std::string bytes;  // the whole message
};
// The messages named by the operands, or standard input when there are none.
// Throws InputError for a file that cannot be read.
std::vector<Input> read_inputs(const std::vector<std::string>& operands);
std::string read_file(const std::string& path);

int classify_command(const std::vector<std::string>& args);
int train_command(const std::vector<std::string>& args);
int retrain_command(const std::vector<std::string>& args);
int stats_command(const std::vector<std::string>& args);
int tokens_command(const std::vector<std::string>& args);
int db_command(const std::vector<std::string>& args);
int eval_command(const std::vector<std::string>& args);
int check_config_command(const std::vector<std::string>& args);
int history_command(const std::vector<std::string>& args);

// Runs `argv` as dspamctl does, mapping every error to its exit code.
int run_dspamctl(int argc, char** argv);

}  // namespace dspamd::cli
