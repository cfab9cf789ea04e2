// Loading a TREC index and its messages into memory for the benchmarks, so
// that disk reads stay out of the timings.
#pragma once

#include <string>
#include <vector>

#include "engine/eval.h"

namespace dspamd::bench {

struct LoadedMessage {
    bool spam = false;
    std::string bytes;
};

inline std::vector<LoadedMessage> load_corpus(const std::string& index_path) {
    std::vector<LoadedMessage> messages;
    for (const auto& entry : read_index(index_path)) {
        messages.push_back({entry.spam, {}});
        std::FILE* f = std::fopen(entry.resolved.c_str(), "rb");
        if (!f) {
            continue;
        }
        char buffer[65536];
        for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, f)) > 0;) {
            messages.back().bytes.append(buffer, n);
        }
        std::fclose(f);
    }
    return messages;
}

}  // namespace dspamd::bench
