// dspamctl db: schema migrations, the embedded cluster's life cycle and
// purging of expired signatures, stale tokens and old history rows.
#include <iostream>

#include "engine/store_factory.h"
#include "storage/embedded_cluster.h"
#include "storage/migrate.h"
#include "storage/pg_store.h"
#include "tools/dspamctl/commands.h"

namespace dspamd::cli {
namespace {

EmbeddedCluster embedded_cluster(const Config& config) {
    if (!config.database.dsn.empty()) {
        throw UsageError("start, stop and status manage the embedded store; " +
                         config.source.string() + " configures database.dsn instead");
    }
    EmbeddedClusterOptions options;
    options.state_dir = config.state_dir;
    options.system_user = config.database.system_user;
    return EmbeddedCluster(options);
}

int parse_days(const Arguments& args, int fallback) {
    std::string text = args.value_or("days", std::to_string(fallback));
    try {
        std::size_t used = 0;
        int days = std::stoi(text, &used);
        if (used == text.size() && days >= 0) {
            return days;
        }
    } catch (const std::exception&) {
    }
    throw UsageError("--days must be a whole number of days, not \"" + text + "\"");
}

}  // namespace

int db_command(const std::vector<std::string>& argv) {
    Arguments args(argv, with_common({"days"}, k_common_values), k_common_flags);
    if (args.operands().size() != 1) {
        throw UsageError("db needs one of: migrate, start, stop, status, purge");
    }
    const std::string& action = args.operands().front();
    Config config = load_cli_config(args);

    if (action == "migrate") {
        MigrationReport report = migrate(database_dsn(config));
        for (const auto& name : report.applied) {
            std::cout << "applied " << name << "\n";
        }
        std::cout << "schema up to date (" << report.applied.size() << " applied, "
                  << report.already_applied.size() << " already there)\n";
        return k_exit_ok;
    }
    if (action == "start") {
        std::string dsn = embedded_cluster(config).start();
        migrate(dsn);
        std::cout << "embedded store running: " << dsn << "\n";
        return k_exit_ok;
    }
    if (action == "stop") {
        embedded_cluster(config).stop();
        std::cout << "embedded store stopped\n";
        return k_exit_ok;
    }
    if (action == "status") {
        EmbeddedCluster cluster = embedded_cluster(config);
        bool running = cluster.running();
        std::cout << "embedded store in " << cluster.data_dir().string() << ": "
                  << (running ? "running, " + cluster.dsn() : std::string("stopped")) << "\n";
        return running ? k_exit_ok : k_exit_unavailable;
    }
    if (action == "purge") {
        std::string dsn = database_dsn(config);
        migrate(dsn);
        PgStore store(PgStoreOptions{dsn, 1, config.database.connect_timeout_ms,
                                     config.database.statement_timeout_ms,
                                     config.database.max_retries});
        int days = parse_days(args, config.signatures.expire_days);
        std::cout << "purged " << store.purge_signatures(days) << " signatures older than " << days
                  << " days and " << store.purge_tokens() << " stale tokens\n";
        // dspamd purges the history once a day as well; this is for cron.
        const int history_days = config.history.expire_days;
        std::cout << "purged " << store.purge_history(history_days) << " history rows older than "
                  << history_days << " days\n";
        return k_exit_ok;
    }
    throw UsageError("unknown db action \"" + action + "\"");
}

}  // namespace dspamd::cli
