// The TREC spam-track online protocol (shared/corpus/README.md): for each
// message of an index, in order, classify it (recording verdict and score),
// then give immediate feedback: a wrong verdict is corrected through its
// signature, so the training mode under test decides what is learned.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "engine/filter.h"
#include "engine/metrics.h"

namespace dspamd {

struct IndexEntry {
    bool spam = false;
    std::string path;                 // as written in the index
    std::filesystem::path resolved;   // relative to the index's directory
};

// Reads a TREC index ("spam|ham PATH" a line). Throws std::runtime_error with
// file:line on a malformed line.
std::vector<IndexEntry> read_index(const std::filesystem::path& index);

struct EvalProgress {
    std::size_t done = 0;
    std::size_t total = 0;
    std::size_t errors = 0;
    double seconds = 0.0;
};

struct EvalResult {
    Metrics metrics;
    std::size_t messages = 0;
    std::size_t whitelisted = 0;     // verdicts decided by the sender whitelist
    std::size_t noise_messages = 0;  // messages where BNR dropped tokens
    std::size_t noise_tokens = 0;    // tokens BNR dropped, over all messages
    double seconds = 0.0;
    double msgs_per_s = 0.0;
    long peak_rss_kb = 0;
    // What the run left in the store: messages whose tokens are in the counts
    // (the user's *_learned totals, corrections included) and token rows.
    std::int64_t learned = 0;
    std::int64_t token_rows = 0;
    // Storage cost of learning; 0 when nothing was learned.
    double rows_per_learned() const {
        return learned > 0 ? static_cast<double>(token_rows) / static_cast<double>(learned) : 0.0;
    }
};

struct EvalOptions {
    std::string user = "eval";
    std::ostream* scores = nullptr;  // "<path> <gold> <verdict> <score>" a line, when set
    std::function<void(const EvalProgress&)> progress;  // called now and then
};

EvalResult run_eval(Filter& filter, const std::vector<IndexEntry>& index,
                    const EvalOptions& options);

}  // namespace dspamd
