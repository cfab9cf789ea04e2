// Classify+learn against PostgreSQL with and without the CachedStore in
// front: msgs/s and p50/p99 per-message latency (classify, plus the retrain
// when the verdict was wrong), one and two threads sharing one user, a fresh
// store each run. The machine is shared and noisy: compare the ratios within
// one run, not figures across runs.
// --warm W first classifies and learns W other messages untimed (a running
// daemon's state: trained store, warm cache), then times MESSAGES.
//   cached_store_bench INDEX [MESSAGES] [--warm W] [--config FILE]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include "bench/corpus.h"
#include "engine/filter.h"
#include "engine/store_factory.h"
#include "storage/cached_store.h"

using namespace dspamd;

namespace {

struct Figures {
    double msgs_per_s = 0.0;
    double p50_ms = 0.0;
    double p99_ms = 0.0;
    double final_flush_ms = 0.0;
    CachedStoreStats cache;
};

double percentile(std::vector<double>& values, double p) {
    if (values.empty()) {
        return 0.0;
    }
    const auto k = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
    return values[k];
}

void learn(Filter& filter, const bench::LoadedMessage& m) {
    Outcome outcome = filter.classify(m.bytes, "bench");
    const Class gold = m.spam ? Class::spam : Class::innocent;
    if (outcome.verdict.result != gold) {
        filter.retrain("bench", outcome.signature_id, gold);
    }
}

Figures run(const Config& config, const std::vector<bench::LoadedMessage>& warm,
            const std::vector<bench::LoadedMessage>& corpus, unsigned threads, bool cached) {
    ScratchStore scratch(config);
    std::unique_ptr<CachedStore> cache;
    if (cached) {
        CachedStoreOptions options;
        options.warn = [](const std::string& text) { std::fprintf(stderr, "%s\n", text.c_str()); };
        cache = std::make_unique<CachedStore>(scratch.store(), options);
    }
    Store& store = cached ? static_cast<Store&>(*cache) : scratch.store();
    Filter filter(config, store);
    for (const auto& m : warm) {
        learn(filter, m);
    }
    if (cache) {
        cache->flush();
    }
    const CachedStoreStats warm_stats = cache ? cache->cache_stats() : CachedStoreStats{};
    std::atomic<std::size_t> next{0};
    std::mutex latencies_mutex;
    std::vector<double> latencies;
    latencies.reserve(corpus.size());
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    for (unsigned t = 0; t < threads; ++t) {
        workers.emplace_back([&] {
            std::vector<double> mine;
            for (std::size_t i; (i = next.fetch_add(1)) < corpus.size();) {
                const auto begin = std::chrono::steady_clock::now();
                learn(filter, corpus[i]);
                mine.push_back(std::chrono::duration<double, std::milli>(
                                   std::chrono::steady_clock::now() - begin)
                                   .count());
            }
            std::lock_guard lock(latencies_mutex);
            latencies.insert(latencies.end(), mine.begin(), mine.end());
        });
    }
    for (auto& w : workers) {
        w.join();
    }
    Figures figures;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    figures.msgs_per_s = static_cast<double>(corpus.size()) / seconds;
    figures.p50_ms = percentile(latencies, 0.50);
    figures.p99_ms = percentile(latencies, 0.99);
    if (cache) {
        const auto flush_start = std::chrono::steady_clock::now();
        cache->flush();
        figures.final_flush_ms = std::chrono::duration<double, std::milli>(
                                     std::chrono::steady_clock::now() - flush_start)
                                     .count();
        figures.cache = cache->cache_stats();
        // The timed part only.
        figures.cache.hits -= warm_stats.hits;
        figures.cache.misses -= warm_stats.misses;
        figures.cache.rereads -= warm_stats.rereads;
        figures.cache.flushes -= warm_stats.flushes;
        figures.cache.flushed_rows -= warm_stats.flushed_rows;
        figures.cache.flushed_signatures -= warm_stats.flushed_signatures;
    }
    return figures;
}

void print(const char* name, const Figures& f, double baseline) {
    std::printf("%-22s %8.1f msgs/s  x%5.2f  p50 %7.2f ms  p99 %7.2f ms", name, f.msgs_per_s,
                baseline > 0 ? f.msgs_per_s / baseline : 1.0, f.p50_ms, f.p99_ms);
    if (f.cache.hits + f.cache.misses > 0) {
        const double hit_rate = 100.0 * static_cast<double>(f.cache.hits) /
                                static_cast<double>(f.cache.hits + f.cache.misses);
        std::printf(
            "  hits %5.1f %%  rereads %llu  flushes %llu  rows %llu  sigs %llu  last flush "
            "%.0f ms",
            hit_rate, static_cast<unsigned long long>(f.cache.rereads),
            static_cast<unsigned long long>(f.cache.flushes),
            static_cast<unsigned long long>(f.cache.flushed_rows),
            static_cast<unsigned long long>(f.cache.flushed_signatures), f.final_flush_ms);
    }
    std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: cached_store_bench INDEX [MESSAGES] [--config FILE]\n");
        return 64;
    }
    std::size_t limit = 2000;
    std::size_t warm_count = 0;
    Config config;
    for (int i = 2; i < argc; ++i) {
        if (std::strcmp(argv[i], "--warm") == 0 && i + 1 < argc) {
            warm_count = std::strtoul(argv[++i], nullptr, 10);
        } else if (std::strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            config = load_config(argv[++i]);
        } else {
            limit = std::strtoul(argv[i], nullptr, 10);
        }
    }
    auto corpus = bench::load_corpus(argv[1]);
    warm_count = std::min(warm_count, corpus.size());
    std::vector<bench::LoadedMessage> warm(
        corpus.begin(), corpus.begin() + static_cast<std::ptrdiff_t>(warm_count));
    corpus.erase(corpus.begin(), corpus.begin() + static_cast<std::ptrdiff_t>(warm_count));
    if (limit > 0 && corpus.size() > limit) {
        corpus.resize(limit);
    }
    std::printf(
        "classify+learn against PostgreSQL, %zu messages after %zu untimed, one user, "
        "fresh store each run\n",
        corpus.size(), warm.size());
    const Figures plain_one = run(config, warm, corpus, 1, false);
    print("postgres 1 thread", plain_one, plain_one.msgs_per_s);
    const Figures plain_two = run(config, warm, corpus, 2, false);
    print("postgres 2 threads", plain_two, plain_one.msgs_per_s);
    const Figures cached_one = run(config, warm, corpus, 1, true);
    print("cached 1 thread", cached_one, plain_one.msgs_per_s);
    const Figures cached_two = run(config, warm, corpus, 2, true);
    print("cached 2 threads", cached_two, plain_one.msgs_per_s);
    return 0;
}
