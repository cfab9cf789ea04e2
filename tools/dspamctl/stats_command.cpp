// dspamctl stats: DSPAM's dspam_stats table, read from the statistics view.
#include <cstdio>
#include <iostream>

#include "engine/store_factory.h"
#include "tools/dspamctl/commands.h"

namespace dspamd::cli {

int stats_command(const std::vector<std::string>& argv) {
    Arguments args(argv, k_common_values, k_common_flags);
    if (args.operands().size() > 1) {
        throw UsageError("stats takes at most one user");
    }
    Config config = load_cli_config(args);
    std::unique_ptr<Store> store = open_store(config);
    std::optional<std::string_view> user;
    if (!args.operands().empty()) {
        user = args.operands().front();
    }
    std::vector<UserStats> rows = store->stats(user);
    if (user && rows.empty()) {
        std::cerr << "no statistics for user " << *user << "\n";
        return k_exit_data_error;
    }
    std::printf("%-24s %8s %8s %6s %6s %9s %8s %8s %8s %8s\n", "user", "TP", "TN", "FP", "FN",
                "accuracy", "spam-lrn", "inno-lrn", "spam-cf", "inno-cf");
    for (const auto& row : rows) {
        std::printf("%-24s %8lld %8lld %6lld %6lld %8.2f%% %8lld %8lld %8lld %8lld\n",
                    row.user.c_str(), static_cast<long long>(row.true_positives),
                    static_cast<long long>(row.true_negatives),
                    static_cast<long long>(row.false_positives),
                    static_cast<long long>(row.false_negatives), row.accuracy,
                    static_cast<long long>(row.totals.spam_learned),
                    static_cast<long long>(row.totals.innocent_learned),
                    static_cast<long long>(row.totals.spam_corpusfed),
                    static_cast<long long>(row.totals.innocent_corpusfed));
    }
    return k_exit_ok;
}

}  // namespace dspamd::cli
