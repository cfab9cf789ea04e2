// dspamctl history: a user's most recent messages from the history table
// (DSPAM's per-user log), newest first.
#include <cstdio>
#include <ctime>
#include <iostream>

#include "engine/store_factory.h"
#include "tools/dspamctl/commands.h"

namespace dspamd::cli {
namespace {

constexpr std::size_t k_default_rows = 50;
constexpr std::size_t k_max_rows = 100'000;

std::string local_time(std::int64_t unix_seconds) {
    std::time_t t = static_cast<std::time_t>(unix_seconds);
    struct tm local {};
    localtime_r(&t, &local);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &local);
    return buffer;
}

}  // namespace

int history_command(const std::vector<std::string>& argv) {
    Arguments args(argv, with_common({"limit"}, k_common_values), k_common_flags);
    if (!args.operands().empty()) {
        throw UsageError("history takes no operands (use --user U)");
    }
    std::size_t limit = k_default_rows;
    if (auto text = args.value("limit")) {
        try {
            std::size_t used = 0;
            const unsigned long value = std::stoul(*text, &used);
            if (used != text->size() || value == 0 || value > k_max_rows) {
                throw std::out_of_range("limit");
            }
            limit = value;
        } catch (const std::exception&) {
            throw UsageError("--limit must be a number of rows in 1..100000, not \"" + *text +
                             "\"");
        }
    }
    Config config = load_cli_config(args);
    const std::string user = cli_user(args, config);
    std::unique_ptr<Store> store = open_store(config);
    const std::vector<HistoryEntry> rows = store->history(store->user_id(user), limit);
    std::printf("%-19s %-8s %-10s %-11s %-30s %s\n", "time", "result", "action", "probability",
                "sender", "subject");
    for (const HistoryEntry& row : rows) {
        std::printf("%-19s %-8s %-10s %-11.4f %-30s %s\n", local_time(row.time).c_str(),
                    row.result.c_str(), row.action.c_str(), row.probability,
                    row.sender.empty() ? "<>" : row.sender.c_str(), row.subject.c_str());
    }
    return k_exit_ok;
}

}  // namespace dspamd::cli
