// Tests of classifier/unlearn.cpp and delta_merge.cpp: unlearning a corpus
// feed and a classified message (in every mode, after corrections and
// test-conditional repeats) leaves the store as if it was never seen.
#include <doctest/doctest.h>

#include <vector>

#include "classifier/delta_merge.h"
#include "classifier/test_conditional.h"
#include "classifier/unlearn.h"
#include "feature_store.h"

using namespace dspamd;
using dspamd::test::CountingStore;
using dspamd::test::stat_of;

namespace {

// What other messages taught before: the unlearned message must not disturb it.
CountingStore seeded() {
    CountingStore store;
    store.apply(learn_corpus(std::vector<Token>{10, 40}, Class::spam));
    store.apply(learn_corpus(std::vector<Token>{20, 50}, Class::innocent));
    return store;
}

const std::vector<TokenStat> k_message{stat_of(10, 1, 0), stat_of(20, 0, 1), stat_of(30, 0, 0)};

}  // namespace

TEST_CASE("merge_deltas sums per token, drops zero sums, adds totals") {
    TrainingDelta a;
    a.tokens = {{1, 1, 0}, {3, 0, 2}};
    a.totals.spam_learned = 1;
    TrainingDelta b;
    b.tokens = {{2, 0, 1}, {3, 0, -2}, {4, -1, 0}};
    b.totals.spam_learned = -1;
    b.totals.innocent_learned = 1;
    const TrainingDelta sum = merge_deltas(a, b);
    CHECK(sum.tokens == std::vector<TokenDelta>{{1, 1, 0}, {2, 0, 1}, {4, -1, 0}});
    CHECK(sum.totals.spam_learned == 0);
    CHECK(sum.totals.innocent_learned == 1);
}

TEST_CASE("unlearning a corpus feed restores the store exactly") {
    for (Class cls : {Class::spam, Class::innocent}) {
        CountingStore store = seeded();
        const CountingStore before = store;
        const std::vector<Token> tokens{30, 10, 30, 60};
        store.apply(learn_corpus(tokens, cls));
        CHECK(store.tokens != before.tokens);
        store.apply(unlearn_corpus(tokens, cls));
        CHECK(store.tokens == before.tokens);
        CHECK(store.totals == before.totals);
    }
}

TEST_CASE("unlearning a classified message restores the store in every mode") {
    for (TrainingMode mode : {TrainingMode::teft, TrainingMode::toe, TrainingMode::tum,
                              TrainingMode::notrain, TrainingMode::tone}) {
        for (Class result : {Class::spam, Class::innocent}) {
            CAPTURE(training_mode_name(mode));
            CAPTURE(class_name(result));
            TrainingParams params;
            params.mode = mode;
            CountingStore store = seeded();
            const CountingStore before = store;
            Signature signature;
            LearnContext context;
            context.score = 1.0;  // near the threshold: TONE learns
            store.apply(learn_classified(k_message, result, params, signature, context));
            store.apply(unlearn_signature(signature));
            CHECK(store.tokens == before.tokens);
            CHECK(store.totals == before.totals);
            CHECK(signature.withdrawn);
            CHECK(signature.learned.empty());
            // A second unlearn does nothing.
            CHECK(unlearn_signature(signature).empty());
        }
    }
}

TEST_CASE("unlearning after a correction and test-conditional repeats is exact") {
    TrainingParams params;
    params.mode = TrainingMode::teft;
    CountingStore store = seeded();
    const CountingStore before = store;
    Signature signature;
    store.apply(learn_classified(k_message, Class::spam, params, signature));
    store.apply(correct(signature, Class::innocent, params));
    store.apply(repeat_training(signature));
    store.apply(repeat_training(signature));
    CHECK(signature.repeats == 2);
    CHECK(store.counts(30).innocent == 3);
    CHECK(store.totals.innocent_misclassified == 1);
    CHECK(store.totals.innocent_corpusfed == before.totals.innocent_corpusfed + 2);

    store.apply(unlearn_signature(signature));
    CHECK(store.tokens == before.tokens);
    CHECK(store.totals == before.totals);
}

TEST_CASE("a withdrawn signature survives its encoding") {
    TrainingParams params;
    Signature signature;
    learn_classified(k_message, Class::innocent, params, signature, LearnContext{});
    unlearn_signature(signature);
    Signature decoded;
    REQUIRE(decode_signature(encode_signature(signature), decoded));
    CHECK(decoded == signature);
    CHECK(decoded.withdrawn);
}

TEST_CASE("unlearning takes back each token's own step when steps decay with hits") {
    for (Class result : {Class::spam, Class::innocent}) {
        CAPTURE(class_name(result));
        CountingStore store = seeded();
        store.tokens[20].weight = 5000000000;
        const CountingStore before = store;
        Signature signature;
        LearnContext context;
        context.score = 1.0;
        context.logistic = logistic_steps(0.2, 3, 10.0, 4.0);
        context.logistic_decay_hits = 0.5;
        store.apply(learn_classified(k_message, result, TrainingParams{}, signature, context));
        REQUIRE(signature.rate_classes == std::vector<RateClass>{6, 6, 0});
        store.apply(unlearn_signature(signature));
        CHECK(store.tokens == before.tokens);
        CHECK(store.totals == before.totals);
        CHECK(signature.rate_classes.empty());
    }
}
