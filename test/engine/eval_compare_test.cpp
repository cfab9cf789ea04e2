// Tests of engine/eval_compare.cpp: axes parsed and checked by the
// configuration reader, combinations in order, runs evaluated in parallel
// with results in the runs' order, and a failing run stopping the matrix.
#include "engine/eval_compare.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <stdexcept>
#include <thread>

#include "storage/memory_store.h"

namespace dspamd {
namespace {

std::string error_of_expand(const std::vector<std::string>& specs) {
    try {
        std::vector<CompareAxis> axes;
        for (const std::string& spec : specs) {
            axes.push_back(parse_compare_axis(spec));
        }
        expand_compare(Config{}, axes);
    } catch (const CompareError& e) {
        return e.what();
    }
    return "";
}

TEST_CASE("parse_compare_axis: key, values in order, mode is training_mode") {
    const CompareAxis axis = parse_compare_axis("tokenizer=chain, osb,sbph");
    CHECK(axis.key == "tokenizer");
    CHECK(axis.values == std::vector<std::string>{"chain", "osb", "sbph"});
    CHECK(parse_compare_axis("mode=tum").key == "training_mode");
    CHECK(parse_compare_axis("training_mode=tum").key == "training_mode");

    CHECK_THROWS_WITH_AS(parse_compare_axis("tokenizer"),
                         doctest::Contains("an axis is KEY=VALUE[,VALUE...]"), CompareError);
    CHECK_THROWS_WITH_AS(parse_compare_axis("=chain"), doctest::Contains("no key"), CompareError);
    CHECK_THROWS_WITH_AS(parse_compare_axis("tokenizer=chain,,osb"),
                         doctest::Contains("an empty value"), CompareError);
    CHECK_THROWS_WITH_AS(parse_compare_axis("tokenizer="), doctest::Contains("an empty value"),
                         CompareError);
    std::string many = "tone_margin=1";
    for (std::size_t i = 2; i <= k_max_compare_values + 1; ++i) {
        many += "," + std::to_string(i);
    }
    CHECK_THROWS_WITH_AS(parse_compare_axis(many), doctest::Contains("more than 100 values"),
                         CompareError);
}

TEST_CASE("expand_compare: one run per combination, the first axis slowest") {
    Config base;
    base.classifier.scoring.fisher_x = 0.3;
    const std::vector<CompareAxis> axes = {parse_compare_axis("tokenizer=chain,osb"),
                                           parse_compare_axis("mode=teft,toe,tum")};
    const std::vector<CompareRun> runs = expand_compare(base, axes);
    REQUIRE(runs.size() == 6);
    CHECK(runs[0].values == std::vector<std::string>{"chain", "teft"});
    CHECK(runs[2].values == std::vector<std::string>{"chain", "tum"});
    CHECK(runs[3].values == std::vector<std::string>{"osb", "teft"});
    CHECK(runs[5].config.classifier.tokenizer.kind == TokenizerKind::osb);
    CHECK(runs[5].config.classifier.training.mode == TrainingMode::tum);
    for (const CompareRun& run : runs) {
        // What no axis names keeps the base's setting.
        CHECK(run.config.classifier.scoring.fisher_x == 0.3);
        CHECK(run.config.classifier.scoring.algorithm == base.classifier.scoring.algorithm);
    }

    // No axes: the current settings, once.
    const std::vector<CompareRun> single = expand_compare(base, {});
    REQUIRE(single.size() == 1);
    CHECK(single[0].values.empty());
    CHECK(single[0].config.classifier.scoring.fisher_x == 0.3);
}

TEST_CASE("expand_compare: unknown keys and values are named before any run") {
    CHECK(error_of_expand({"tokenizer=chain,trigram"}) ==
          "classifier.tokenizer: unknown value \"trigram\" (expected one of word, chain, osb, "
          "sbph)");
    CHECK(error_of_expand({"colour=red"}).starts_with("classifier.colour: unknown key"));
    CHECK(error_of_expand({"algorithm=graham", "mode=teft", "training_mode=toe"}) ==
          "the axis training_mode is given twice");
    // Each value is fine alone, the two together are not.
    CHECK(error_of_expand({"scoring.prob_min=0.2", "scoring.prob_max=0.1"})
              .starts_with("classifier.scoring.prob_max: prob_min (0.2) must be less than"));
    // 11 x 10 x 10 = 1,100 combinations.
    std::string margins = "tone_margin=1";
    std::string biases = "scoring.fisher_s=1";
    std::string cutoffs = "toe_warmup=1";
    for (int i = 2; i <= 10; ++i) {
        margins += "," + std::to_string(i);
        biases += "," + std::to_string(i);
        cutoffs += "," + std::to_string(i);
    }
    margins += ",11";
    CHECK(error_of_expand({margins, biases, cutoffs}) ==
          "the matrix has more than 1000 combinations");
}

std::vector<CompareRun> numbered_runs(std::size_t count) {
    std::vector<CompareRun> runs(count);
    for (std::size_t i = 0; i < count; ++i) {
        runs[i].values = {std::to_string(i)};
    }
    return runs;
}

TEST_CASE("run_compare: results in the runs' order, every run once, jobs at a time") {
    const std::vector<CompareRun> runs = numbered_runs(9);
    std::atomic<int> running{0};
    std::atomic<int> most{0};
    std::set<std::size_t> finished;
    const std::vector<EvalResult> results = run_compare(
        runs, 3,
        [&](const CompareRun& run) {
            const int now = ++running;
            most = std::max(most.load(), now);
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            --running;
            EvalResult result;
            result.messages = std::stoul(run.values.at(0));
            return result;
        },
        [&](std::size_t i, const EvalResult& result) {
            CHECK(result.messages == i);
            CHECK(finished.insert(i).second);  // once each, one call at a time
        });
    REQUIRE(results.size() == 9);
    for (std::size_t i = 0; i < results.size(); ++i) {
        CHECK(results[i].messages == i);
    }
    CHECK(finished.size() == 9);
    CHECK(most <= 3);
    CHECK(most >= 2);  // they did overlap

    CHECK_THROWS_AS(run_compare(runs, 0, {}, {}), CompareError);
    CHECK_THROWS_AS(run_compare(runs, k_max_compare_jobs + 1, {}, {}), CompareError);
}

TEST_CASE("run_compare: a failing run stops the matrix and its error comes back") {
    const std::vector<CompareRun> runs = numbered_runs(50);
    for (std::size_t jobs : {1, 2}) {
        CAPTURE(jobs);
        std::atomic<int> started{0};
        CHECK_THROWS_WITH_AS(run_compare(runs, jobs,
                                         [&](const CompareRun& run) {
                                             ++started;
                                             if (run.values.at(0) == "3") {
                                                 throw std::runtime_error("database gone");
                                             }
                                             return EvalResult{};
                                         },
                                         {}),
                             "database gone", std::runtime_error);
        // One job stops right at the failure; with two, the other job may
        // finish the whole list first, so only the error is certain.
        if (jobs == 1) {
            CHECK(started == 4);
        }
    }
}

TEST_CASE("run_eval reports the learned messages and the token rows they left") {
    const std::filesystem::path dir =
        std::filesystem::path(DSPAMD_SOURCE_DIR) / "test" / "data" / "messages";
    std::vector<IndexEntry> index = {
        {false, "plain_ham.eml", dir / "plain_ham.eml"},
        {true, "html_spam.eml", dir / "html_spam.eml"},
        {false, "qp_body.eml", dir / "qp_body.eml"},
    };
    for (const char* mode : {"teft", "notrain"}) {
        CAPTURE(mode);
        Config config;
        set_classifier_key(config.classifier, "training_mode", mode);
        MemoryStore store;
        Filter filter(config, store);
        const EvalResult result = run_eval(filter, index, EvalOptions{});
        CHECK(result.token_rows == store.token_rows(store.user_id("eval")));
        if (std::string(mode) == "teft") {
            CHECK(result.learned == 3);  // every message, corrected or not
            CHECK(result.token_rows > 0);
            CHECK(result.rows_per_learned() ==
                  doctest::Approx(static_cast<double>(result.token_rows) / 3));
        } else {
            CHECK(result.learned == 0);
            CHECK(result.token_rows == 0);
            CHECK(result.rows_per_learned() == 0.0);
        }
    }
}

}  // namespace
}  // namespace dspamd
