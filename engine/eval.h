// The TREC spam-track online protocol (shared/corpus/README.md): for each
// message of an index, in order, classify it (recording verdict and score),
// then give immediate feedback: a wrong verdict is corrected through its
// signature, so the training mode under test decides what is learned.
#pragma once

#include <chrono>
#include <cstddef>
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
    double seconds = 0.0;
    double msgs_per_s = 0.0;
    long peak_rss_kb = 0;
    // Filled by the caller, which owns the store: the storage cost of the run.
    std::int64_t learned = 0;      // messages whose counts were learned (*_learned totals)
    std::int64_t token_rows = -1;  // token rows in the store after the run; -1: not counted
};

struct EvalOptions {
    std::string user = "eval";
    std::ostream* scores = nullptr;  // "<path> <gold> <verdict> <score>" a line, when set
    std::function<void(const EvalProgress&)> progress;  // called now and then
};

EvalResult run_eval(Filter& filter, const std::vector<IndexEntry>& index,
                    const EvalOptions& options);

}  // namespace dspamd
