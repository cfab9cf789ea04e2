// Tests of classifier/test_conditional.cpp: DSPAM's maturity rule, the extra
// passes, and that a correction back after them is exact.
#include <doctest/doctest.h>

#include <vector>

#include "classifier/delta_merge.h"
#include "classifier/test_conditional.h"
#include "feature_store.h"

using namespace dspamd;
using dspamd::test::CountingStore;
using dspamd::test::stat_of;

TEST_CASE("test-conditional training waits for 1,000 innocent messages on a spam correction") {
    Totals young;
    young.innocent_learned = 600;
    young.innocent_classified = 399;
    CHECK_FALSE(test_conditional_applies(Class::spam, young));
    CHECK(test_conditional_applies(Class::innocent, young));
    young.innocent_classified = 400;
    CHECK(test_conditional_applies(Class::spam, young));
}

TEST_CASE("each pass learns the signature's tokens once more, as a corpus message") {
    Signature signature;
    signature.result = Class::spam;
    signature.learned = {5, 7};
    const TrainingDelta delta = repeat_training(signature);
    CHECK(delta.tokens == std::vector<TokenDelta>{{5, 1, 0}, {7, 1, 0}});
    CHECK(delta.totals.spam_learned == 1);
    CHECK(delta.totals.spam_corpusfed == 1);
    CHECK(signature.repeats == 1);

    Signature decoded;
    REQUIRE(decode_signature(encode_signature(signature), decoded));
    CHECK(decoded.repeats == 1);
}

TEST_CASE("a correction back after test-conditional passes restores the first learning") {
    TrainingParams params;
    params.mode = TrainingMode::teft;
    const std::vector<TokenStat> message{stat_of(1, 0, 0), stat_of(2, 4, 1)};
    CountingStore store;
    Signature signature;
    store.apply(learn_classified(message, Class::innocent, params, signature));
    const CountingStore learned_innocent = store;

    // The user says spam; two passes until the classifier agrees.
    store.apply(correct(signature, Class::spam, params));
    store.apply(repeat_training(signature));
    store.apply(repeat_training(signature));
    CHECK(store.counts(1) == Counts{3, 0});

    // The user takes it back: the passes go first, then the correction.
    TrainingDelta back = take_back_repeats(signature);
    CHECK(signature.repeats == 0);
    back = merge_deltas(back, correct(signature, Class::innocent, params));
    store.apply(back);
    CHECK(store.tokens == learned_innocent.tokens);
    CHECK(store.totals == learned_innocent.totals);
}
