// dspamctl's dispatcher and the helpers its commands share.
#include "tools/dspamctl/commands.h"

#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>

#include "engine/log.h"
#include "storage/embedded_cluster.h"
#include "storage/migrate.h"
#include "storage/store.h"

namespace dspamd::cli {
namespace {

constexpr const char* k_usage = R"(usage: dspamctl COMMAND [OPTIONS] [FILE...]

Commands:
  classify [--user U] [--dry-run] [--factors] [--exit-code] [FILE...]
                           classify messages (stdin when no FILE), learn them as the
                           user's training mode says and print the X-DSPAM headers
  train --class spam|innocent [--unlearn] [--user U] [FILE...]
                           learn messages as a class (corpus feeding); --unlearn
                           takes such a feeding back
  retrain --class spam|innocent [--user U] [--signature ID] [FILE...]
                           correct a classification, found by the message's
                           X-DSPAM-Signature (or by content when it has none)
  retrain --unlearn [--user U] [--signature ID] [FILE...]
                           take back all a classified message taught, by signature
  stats [USER]             the statistics table (DSPAM's dspam_stats)
  history [--user U] [--limit N]
                           the user's latest messages from the history table
  tokens [--tokenizer K] [FILE...]
                           print the tokens of a message, one "hash text" a line
  check-config             parse the configuration and report the first error
                           (also: dspamctl --check-config)
  db migrate|start|stop|status|purge [--days N]
                           database maintenance (start/stop: the embedded store)
  eval INDEX [--scores FILE] [--json] [--keep-store] [--store postgres|memory]
             [--tokenizer K] [--algorithm A] [--mode M] [--bnr] [--whitelist]
             [--sedation N] [--tct]
                           TREC-style online accuracy run on a fresh store
  eval INDEX --compare [KEY=VALUE,...]... [--jobs N] [--json] [--store S]
                           the same for every combination of the values of
                           [classifier] keys (tokenizer, algorithm, mode, ...),
                           each on a fresh store, N at a time: one table

Every command takes --config FILE (default: $DSPAMD_CONFIG, then the installed
dspamd.toml) and --verbose.

Exit codes: 0 ok; 1 classify --exit-code found spam; 64 usage; 65 bad input;
66 input not readable; 69 database unavailable; 70 internal error; 78 configuration.
)";

using Command = int (*)(const std::vector<std::string>&);

const std::map<std::string, Command>& commands() {
    static const std::map<std::string, Command> k_commands{
        {"classify", classify_command}, {"train", train_command},
        {"retrain", retrain_command},   {"stats", stats_command},
        {"tokens", tokens_command},     {"db", db_command},
        {"eval", eval_command},     {"check-config", check_config_command},
        {"history", history_command},
    };
    return k_commands;
}

}  // namespace

std::set<std::string> with_common(std::set<std::string> own, const std::set<std::string>& common) {
    own.insert(common.begin(), common.end());
    return own;
}

Config load_cli_config(const Arguments& args) {
    if (args.flag("verbose")) {
        log_set_verbose(true);
    }
    if (auto path = args.value("config")) {
        return load_config(*path);
    }
    std::filesystem::path path = default_config_path();
    std::error_code ec;
    if (!std::getenv("DSPAMD_CONFIG") && !std::filesystem::exists(path, ec)) {
        log_debug("no " + path.string() + ": using the built-in defaults");
        return Config{};
    }
    return load_config(path);
}

std::string cli_user(const Arguments& args, const Config& config) {
    std::string user = args.value_or("user", config.users.default_user);
    if (user.empty()) {
        throw UsageError("--user must not be empty");
    }
    return user;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw InputError(path + ": " + std::strerror(errno));
    }
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (in.bad()) {
        throw InputError(path + ": read error");
    }
    return std::move(bytes).str();
}

std::vector<Input> read_inputs(const std::vector<std::string>& operands) {
    std::vector<Input> inputs;
    if (operands.empty() || (operands.size() == 1 && operands[0] == "-")) {
        std::string bytes{std::istreambuf_iterator<char>(std::cin),
                          std::istreambuf_iterator<char>()};
        inputs.push_back({"-", std::move(bytes)});
        return inputs;
    }
    for (const auto& path : operands) {
        inputs.push_back({path, read_file(path)});
    }
    return inputs;
}

int check_config_command(const std::vector<std::string>& argv) {
    Arguments args(argv, {"config"}, k_common_flags);
    if (!args.operands().empty()) {
        throw UsageError("check-config takes no operands (use --config FILE)");
    }
    Config config = load_cli_config(args);
    std::cout << (config.source.empty() ? std::string("built-in defaults")
                                        : config.source.string())
              << ": configuration OK\n";
    return k_exit_ok;
}

int run_dspamctl(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        (args.empty() ? std::cerr : std::cout) << k_usage;
        return args.empty() ? k_exit_usage : k_exit_ok;
    }
    if (args[0] == "--check-config") {
        args[0] = "check-config";
    }
    auto it = commands().find(args[0]);
    if (it == commands().end()) {
        std::cerr << "dspamctl: unknown command \"" << args[0] << "\"\n" << k_usage;
        return k_exit_usage;
    }
    args.erase(args.begin());
    try {
        return it->second(args);
    } catch (const UsageError& e) {
        std::cerr << "dspamctl " << it->first << ": " << e.what() << "\n"
                  << "(dspamctl --help lists the commands and options)\n";
        return k_exit_usage;
    } catch (const ConfigError& e) {
        std::cerr << "dspamctl: " << e.what() << "\n";
        return k_exit_config;
    } catch (const InputError& e) {
        std::cerr << "dspamctl: " << e.what() << "\n";
        return k_exit_no_input;
    } catch (const StoreUnavailable& e) {
        std::cerr << "dspamctl: database unavailable: " << e.what() << "\n";
        return k_exit_unavailable;
    } catch (const ClusterError& e) {
        std::cerr << "dspamctl: embedded store: " << e.what() << "\n";
        return k_exit_unavailable;
    } catch (const MigrationError& e) {
        std::cerr << "dspamctl: schema migration: " << e.what() << "\n";
        return k_exit_software;
    } catch (const std::exception& e) {
        std::cerr << "dspamctl: internal error: " << e.what() << "\n";
        return k_exit_software;
    }
}

}  // namespace dspamd::cli
