// Classify+learn throughput against PostgreSQL: the whole pipeline (parse,
// tokenize, one fetch, combine, one learning transaction) on a fresh store,
// with one and then two threads sharing one user, as the milter's threads do.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "bench/corpus.h"
#include "engine/filter.h"
#include "engine/store_factory.h"

using namespace dspamd;

namespace {

double run(const Config& config, const std::vector<bench::LoadedMessage>& corpus,
           unsigned threads) {
    ScratchStore scratch(config);
    Filter filter(config, scratch.store());
    std::atomic<std::size_t> next{0};
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    for (unsigned t = 0; t < threads; ++t) {
        workers.emplace_back([&] {
            for (std::size_t i; (i = next.fetch_add(1)) < corpus.size();) {
                const auto& m = corpus[i];
                Outcome outcome = filter.classify(m.bytes, "bench");
                Class gold = m.spam ? Class::spam : Class::innocent;
                if (outcome.verdict.result != gold) {
                    filter.retrain("bench", outcome.signature_id, gold);
                }
            }
        });
    }
    for (auto& w : workers) {
        w.join();
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return static_cast<double>(corpus.size()) / s;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: store_bench INDEX [MESSAGES] [--config FILE]\n");
        return 64;
    }
    std::size_t limit = argc >= 3 ? std::strtoul(argv[2], nullptr, 10) : 2000;
    Config config = argc >= 5 ? load_config(argv[4]) : Config{};
    auto corpus = bench::load_corpus(argv[1]);
    if (limit > 0 && corpus.size() > limit) {
        corpus.resize(limit);
    }
    std::printf("classify+learn against PostgreSQL, %zu messages, fresh store each run\n",
                corpus.size());
    double one = run(config, corpus, 1);
    std::printf("1 thread          %8.1f msgs/s\n", one);
    double two = run(config, corpus, 2);
    std::printf("2 threads         %8.1f msgs/s  (x%.2f)\n", two, two / one);
    return 0;
}
