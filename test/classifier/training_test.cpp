// Tests of classifier/training.cpp: what each training mode learns, corpus
// feeding, corrections (retraining symmetry, correcting back), and the
// signature encoding with malformed input.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "classifier/statistics.h"
#include "classifier/training.h"
#include "feature_store.h"

using namespace dspamd;

namespace {

TokenStat stat(Token token, std::int64_t spam, std::int64_t innocent) {
    TokenStat s;
    s.token = token;
    s.counts = {spam, innocent};
    return s;
}

TrainingParams mode(TrainingMode m) {
    TrainingParams p;
    p.mode = m;
    return p;
}

using FakeStore = test::CountingStore;

// A message's tokens, all immature (a handful of hits).
const std::vector<TokenStat> k_message{stat(30, 1, 2), stat(10, 0, 0), stat(20, 3, 0)};
const std::vector<Token> k_message_tokens{10, 20, 30};

const TrainingMode k_all_modes[] = {TrainingMode::teft, TrainingMode::toe, TrainingMode::tum,
                                    TrainingMode::notrain, TrainingMode::tone};

std::map<Token, Counts> each_token(const std::vector<Token>& tokens, Counts counts) {
    std::map<Token, Counts> out;
    for (Token t : tokens) {
        out[t] = counts;
    }
    return out;
}

// k_message's tokens with weights already in the store, not multiples of
// anything in particular.
FakeStore store_with_weights() {
    FakeStore store;
    store.tokens[10] = Counts{0, 0, 123456789012345};
    store.tokens[20] = Counts{3, 0, -98765432109};
    store.tokens[30] = Counts{1, 2, 7};
    return store;
}

}  // namespace

TEST_CASE("TEFT learns every token as the result, in ascending order") {
    Signature sig;
    TrainingDelta d = learn_classified(k_message, Class::spam, mode(TrainingMode::teft), sig);
    REQUIRE(d.tokens.size() == 3);
    CHECK(d.tokens[0] == TokenDelta{10, 1, 0});
    CHECK(d.tokens[1] == TokenDelta{20, 1, 0});
    CHECK(d.tokens[2] == TokenDelta{30, 1, 0});
    Totals expected;
    expected.spam_learned = 1;
    CHECK(d.totals == expected);
    CHECK(sig.result == Class::spam);
    CHECK(sig.learned == k_message_tokens);
    CHECK(sig.unlearned.empty());
    CHECK(sig.totals_learned);
    CHECK_FALSE(sig.corrected);

    d = learn_classified(k_message, Class::innocent, mode(TrainingMode::teft), sig);
    CHECK(d.tokens[0] == TokenDelta{10, 0, 1});
    CHECK(d.totals.innocent_learned == 1);
    CHECK(d.totals.spam_learned == 0);
}

TEST_CASE("TOE learns nothing on classification, counts it as classified") {
    Signature sig;
    TrainingDelta d = learn_classified(k_message, Class::spam, mode(TrainingMode::toe), sig);
    CHECK(d.tokens.empty());
    Totals expected;
    expected.spam_classified = 1;
    CHECK(d.totals == expected);
    CHECK(sig.learned.empty());
    CHECK(sig.unlearned == k_message_tokens);
    CHECK_FALSE(sig.totals_learned);
}

TEST_CASE("TOE trains like TEFT until both classes have more than 100 learned (DSPAM)") {
    Signature sig;
    LearnContext young;
    young.totals = Totals{500, 100};  // innocent_learned <= 100: warming up
    TrainingDelta d = learn_classified(k_message, Class::spam, mode(TrainingMode::toe), sig, young);
    CHECK(d.tokens.size() == 3);
    CHECK(d.totals.spam_learned == 1);
    CHECK(sig.totals_learned);

    LearnContext mature;
    mature.totals = Totals{101, 101};
    d = learn_classified(k_message, Class::spam, mode(TrainingMode::toe), sig, mature);
    CHECK(d.tokens.empty());
    CHECK(d.totals.spam_classified == 1);
}

TEST_CASE("TUM skips mature tokens unless the verdict is doubtful") {
    // 30 + 20 = 50 hits: mature; 40 + 9 = 49: not yet.
    const std::vector<TokenStat> stats{stat(1, 30, 20), stat(2, 40, 9), stat(3, 0, 0)};
    Signature sig;
    LearnContext confident;
    confident.confidence = 0.99;
    TrainingDelta d =
        learn_classified(stats, Class::innocent, mode(TrainingMode::tum), sig, confident);
    REQUIRE(d.tokens.size() == 2);
    CHECK(d.tokens[0] == TokenDelta{2, 0, 1});
    CHECK(d.tokens[1] == TokenDelta{3, 0, 1});
    CHECK(d.totals.innocent_learned == 1);  // the message is learned, not every token
    CHECK(sig.learned == std::vector<Token>{2, 3});
    CHECK(sig.unlearned == std::vector<Token>{1});
    CHECK(sig.totals_learned);

    // Confidence below 0.70: every token is learned.
    LearnContext doubtful;
    doubtful.confidence = 0.6;
    d = learn_classified(stats, Class::innocent, mode(TrainingMode::tum), sig, doubtful);
    CHECK(d.tokens.size() == 3);

    // The maturity is a parameter.
    TrainingParams p = mode(TrainingMode::tum);
    p.tum_maturity = 10;
    d = learn_classified(stats, Class::innocent, p, sig);
    REQUIRE(d.tokens.size() == 1);
    CHECK(d.tokens[0].token == 3);
}

TEST_CASE("TONE learns only a verdict whose |score| is below the margin") {
    TrainingParams params = mode(TrainingMode::tone);
    params.tone_margin = 20.0;
    for (double score : {-19.5, 0.0, 19.5}) {
        CAPTURE(score);
        LearnContext near;
        near.score = score;
        Signature sig;
        TrainingDelta d = learn_classified(k_message, Class::spam, params, sig, near);
        CHECK(d.tokens.size() == 3);
        CHECK(d.totals.spam_learned == 1);
        CHECK(sig.learned.size() == 3);
        CHECK(sig.totals_learned);
    }
    for (double score : {-20.0, 35.0}) {
        CAPTURE(score);
        LearnContext sure;
        sure.score = score;
        Signature sig;
        TrainingDelta d = learn_classified(k_message, Class::spam, params, sig, sure);
        CHECK(d.tokens.empty());
        CHECK(d.totals.spam_classified == 1);
        CHECK(sig.unlearned.size() == 3);
        // A confident error is learned in full by its correction.
        FakeStore store;
        store.apply(d);
        store.apply(correct(sig, Class::innocent, params));
        CHECK(store.tokens == each_token(k_message_tokens, Counts{0, 1}));
        CHECK(store.totals.innocent_learned == 1);
        CHECK(store.totals.spam_classified == 0);
    }
}

TEST_CASE("NOTRAIN learns nothing, counts the message as classified") {
    Signature sig;
    TrainingDelta d =
        learn_classified(k_message, Class::innocent, mode(TrainingMode::notrain), sig);
    CHECK(d.tokens.empty());
    Totals expected;
    expected.innocent_classified = 1;
    CHECK(d.totals == expected);
    CHECK(sig.unlearned == k_message_tokens);
}

TEST_CASE("corpus feeding learns each distinct token once, counted as corpusfed") {
    const std::vector<Token> tokens{7, 3, 7, 5};
    TrainingDelta d = learn_corpus(tokens, Class::spam);
    REQUIRE(d.tokens.size() == 3);
    CHECK(d.tokens[0] == TokenDelta{3, 1, 0});
    CHECK(d.tokens[2] == TokenDelta{7, 1, 0});
    Totals expected;
    expected.spam_learned = 1;
    expected.spam_corpusfed = 1;
    CHECK(d.totals == expected);
    // Corpus messages never show in TP/TN.
    CHECK(compute_statistics(d.totals).true_positives == 0);
}

TEST_CASE("a correction to the class already given changes nothing") {
    Signature sig;
    learn_classified(k_message, Class::spam, mode(TrainingMode::teft), sig);
    const Signature before = sig;
    CHECK(correct(sig, Class::spam, mode(TrainingMode::teft)).empty());
    CHECK(sig == before);
}

TEST_CASE("retraining symmetry: learned as A then corrected to B is learned as B") {
    for (TrainingMode m : k_all_modes) {
        for (Class wrong : {Class::spam, Class::innocent}) {
            CAPTURE(training_mode_name(m));
            CAPTURE(class_name(wrong));
            const Class right = opposite(wrong);
            const TrainingParams params = mode(m);

            FakeStore corrected;
            Signature sig;
            corrected.apply(learn_classified(k_message, wrong, params, sig));
            corrected.apply(correct(sig, right, params));

            // Tokens: every token once in the right class, none in the wrong
            // one (an error trains every token in TEFT, TOE and TUM);
            // NOTRAIN never learns.
            Counts one_right;
            (right == Class::spam ? one_right.spam : one_right.innocent) = 1;
            if (m == TrainingMode::notrain) {
                CHECK(corrected.tokens.empty());
            } else {
                CHECK(corrected.tokens == each_token(k_message_tokens, one_right));
            }

            // Where classification itself learns (TEFT, TUM with immature
            // tokens) that is exactly learning B directly.
            if (m == TrainingMode::teft || m == TrainingMode::tum || m == TrainingMode::tone) {
                FakeStore direct;
                Signature direct_sig;
                direct.apply(learn_classified(k_message, right, params, direct_sig));
                CHECK(corrected.tokens == direct.tokens);
                Totals direct_totals = direct.totals;
                (right == Class::spam ? direct_totals.spam_misclassified
                                      : direct_totals.innocent_misclassified) = 1;
                CHECK(corrected.totals == direct_totals);
                CHECK(sig.learned == direct_sig.learned);
            }

            // Totals: one message of the right class, misclassified; nothing
            // left in the wrong class.
            Totals expected;
            if (m == TrainingMode::notrain) {
                (right == Class::spam ? expected.spam_classified : expected.innocent_classified) =
                    1;
            } else {
                (right == Class::spam ? expected.spam_learned : expected.innocent_learned) = 1;
            }
            (right == Class::spam ? expected.spam_misclassified : expected.innocent_misclassified) =
                1;
            CHECK(corrected.totals == expected);

            // dspam_stats sees exactly one error and nothing else.
            const Statistics s = compute_statistics(corrected.totals);
            CHECK(s.true_positives == 0);
            CHECK(s.true_negatives == 0);
            CHECK(s.false_positives == (right == Class::innocent ? 1 : 0));
            CHECK(s.false_negatives == (right == Class::spam ? 1 : 0));

            CHECK(sig.result == right);
            CHECK(sig.corrected);
        }
    }
}

TEST_CASE("correcting back restores the store and the statistics") {
    for (TrainingMode m : k_all_modes) {
        CAPTURE(training_mode_name(m));
        const TrainingParams params = mode(m);
        FakeStore store;
        Signature sig;
        const TrainingDelta first = learn_classified(k_message, Class::spam, params, sig);
        store.apply(first);
        FakeStore learned_once = store;
        store.apply(correct(sig, Class::innocent, params));
        store.apply(correct(sig, Class::spam, params));

        CHECK(sig.result == Class::spam);
        CHECK_FALSE(sig.corrected);
        CHECK(store.totals.spam_misclassified == 0);
        CHECK(store.totals.innocent_misclassified == 0);
        CHECK(store.totals.innocent_learned == 0);
        CHECK(store.totals.innocent_classified == 0);
        const Statistics s = compute_statistics(store.totals);
        CHECK(s.true_positives == 1);
        CHECK(s.true_negatives == 0);
        CHECK(s.false_positives == 0);
        CHECK(s.false_negatives == 0);

        if (m == TrainingMode::teft || m == TrainingMode::tum || m == TrainingMode::tone) {
            // Learned at classification (TONE: score 0 is within the margin):
            // exactly as before.
            CHECK(store.tokens == learned_once.tokens);
            CHECK(store.totals == learned_once.totals);
        } else if (m == TrainingMode::toe) {
            // The corrections taught it: now learned as spam.
            CHECK(store.tokens == each_token(k_message_tokens, Counts{1, 0}));
            CHECK(store.totals.spam_learned == 1);
        } else {
            CHECK(store.tokens.empty());
            CHECK(store.totals == learned_once.totals);
        }

        // A third correction is an error again, counted once.
        store.apply(correct(sig, Class::innocent, params));
        CHECK(store.totals.innocent_misclassified == 1);
        CHECK(store.totals.spam_learned == 0);
        CHECK(store.totals.spam_classified == 0);
    }
}

TEST_CASE("TUM correction: takes back only what was learned, learns every token") {
    // Token 1 is mature and was not learned as innocent; the correction must
    // not take an innocent hit from it, and must give it a spam hit.
    const std::vector<TokenStat> stats{stat(1, 30, 20), stat(2, 1, 1)};
    const TrainingParams params = mode(TrainingMode::tum);
    Signature sig;
    learn_classified(stats, Class::innocent, params, sig);
    REQUIRE(sig.learned == std::vector<Token>{2});
    TrainingDelta d = correct(sig, Class::spam, params);
    REQUIRE(d.tokens.size() == 2);
    CHECK(d.tokens[0] == TokenDelta{1, 1, 0});
    CHECK(d.tokens[1] == TokenDelta{2, 1, -1});
    CHECK(sig.learned == std::vector<Token>{1, 2});
    CHECK(sig.unlearned.empty());
}

TEST_CASE("counts never go negative") {
    // The store's counts were reset after the message was learned: the
    // correction's decrements are clamped at zero, the increments land.
    FakeStore store;
    Signature sig;
    learn_classified(k_message, Class::spam, mode(TrainingMode::teft), sig);
    store.apply(correct(sig, Class::innocent, mode(TrainingMode::teft)));
    CHECK(store.totals.spam_learned == 0);
    CHECK(store.totals.innocent_learned == 1);
    for (const auto& [token, counts] : store.tokens) {
        CHECK(counts.spam == 0);
        CHECK(counts.innocent == 1);
    }
    // Each correction takes at most one hit from a token.
    Signature again;
    learn_classified(k_message, Class::spam, mode(TrainingMode::teft), again);
    TrainingDelta d = correct(again, Class::innocent, mode(TrainingMode::teft));
    for (const TokenDelta& t : d.tokens) {
        CHECK(t.spam >= -1);
        CHECK(t.innocent >= -1);
    }
}

TEST_CASE("a signature without learning (retraining by content) only adds") {
    Signature sig;
    sig.result = Class::innocent;
    sig.unlearned = {5, 6};
    TrainingDelta d = correct(sig, Class::spam, mode(TrainingMode::teft));
    REQUIRE(d.tokens.size() == 2);
    CHECK(d.tokens[0] == TokenDelta{5, 1, 0});
    CHECK(d.totals.spam_learned == 1);
    CHECK(d.totals.spam_misclassified == 1);
}

TEST_CASE("signature round trip") {
    std::vector<Signature> samples;
    samples.push_back(Signature{});
    Signature big;
    big.result = Class::spam;
    big.totals_learned = true;
    big.corrected = true;
    big.learned = {0, 1, 127, 128, 300, 1ULL << 40, std::numeric_limits<Token>::max()};
    big.unlearned = {2, 129, (1ULL << 63) + 5};
    samples.push_back(big);
    Signature many;
    many.result = Class::innocent;
    for (Token t = 0; t < 5000; ++t) {
        (t % 3 == 0 ? many.unlearned : many.learned).push_back(t * 0x9e3779b97f4a7c15ULL >> 1);
    }
    std::sort(many.learned.begin(), many.learned.end());
    std::sort(many.unlearned.begin(), many.unlearned.end());
    samples.push_back(many);

    for (const Signature& s : samples) {
        const std::string bytes = encode_signature(s);
        Signature decoded;
        decoded.result = Class::spam;
        decoded.learned = {42};
        REQUIRE(decode_signature(bytes, decoded));
        CHECK(decoded == s);
    }
    // Compact: near tokens cost a byte each.
    Signature dense;
    for (Token t = 1000000; t < 1001000; ++t) {
        dense.learned.push_back(t);
    }
    CHECK(encode_signature(dense).size() < 1000 + 16);
}

TEST_CASE("signature decoding rejects malformed input and leaves `out` alone") {
    Signature s;
    s.result = Class::spam;
    s.totals_learned = true;
    s.learned = {5, 300, 70000};
    s.unlearned = {6, 1ULL << 50};
    const std::string good = encode_signature(s);
    Signature sentinel;
    sentinel.learned = {999};
    auto rejected = [&](const std::string& bytes) {
        Signature out = sentinel;
        const bool ok = decode_signature(bytes, out);
        return !ok && out == sentinel;
    };

    CHECK(rejected(""));
    // Every truncation.
    for (std::size_t n = 0; n < good.size(); ++n) {
        CAPTURE(n);
        CHECK(rejected(good.substr(0, n)));
    }
    // Trailing garbage.
    CHECK(rejected(good + '\0'));
    // Unknown version, unknown flags, and the steps' flag in version 1.
    std::string bad = good;
    bad[0] = 3;
    CHECK(rejected(bad));
    bad[0] = 0;
    CHECK(rejected(bad));
    bad = good;
    bad[1] = static_cast<char>(bad[1] | 0x40);
    CHECK(rejected(bad));
    CHECK(rejected(std::string("\x01\x20\x00\x00\x02\x01", 6)));
    // Steps cut short.
    CHECK(rejected(std::string("\x02\x08\x00\x00\x02", 5)));
    // A count larger than the input could hold.
    CHECK(rejected(std::string("\x01\x00\xff\xff\xff\xff\xff\xff\xff\xff\x7f\x00", 12)));
    // Not ascending: a zero delta.
    CHECK(rejected(std::string("\x01\x00\x02\x00\x05\x00", 6)));
    // Past 2^64: max token then a delta of 1.
    CHECK(
        rejected(std::string("\x01\x00\x02\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x01", 15)));
    // A varint of 11 bytes, and one with bits past 64.
    CHECK(
        rejected(std::string("\x01\x00\x01\x00\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 15)));
    CHECK(rejected(std::string("\x01\x00\x01\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 14)));
    // Overlong varint (5 written as 0x85 0x00).
    CHECK(rejected(std::string("\x01\x00\x01\x00\x85\x00", 6)));
    // The same token learned and unlearned.
    CHECK(rejected(std::string("\x01\x00\x01\x01\x05\x05", 6)));
    // The valid forms of the last few decode.
    Signature out;
    CHECK(decode_signature(std::string("\x01\x00\x01\x00\x05", 5), out));
    CHECK(out.learned == std::vector<Token>{5});
    CHECK(decode_signature(std::string("\x01\x00\x01\x01\x05\x06", 6), out));
    CHECK(decode_signature(
        std::string("\x01\x00\x01\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 14), out));
    CHECK(out.learned == std::vector<Token>{std::numeric_limits<Token>::max()});
}

TEST_CASE("signature decoding of random and mutated bytes: safe, and canonical when accepted") {
    // Whatever decodes re-encodes to the same bytes: the encoding is
    // canonical, so nothing malformed slips through as something else.
    // Version 1 is version 2 without steps: it re-encodes with version byte 2.
    std::uint64_t state = 0x2545f4914f6cdd1dULL;
    auto next = [&state]() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    Signature s;
    s.result = Class::spam;
    s.learned = {1, 2, 300, 1ULL << 33};
    s.unlearned = {7, 1ULL << 62};
    s.logistic = LogisticSteps{123456789, -987654321};
    const std::string good = encode_signature(s);
    int accepted = 0;
    for (int round = 0; round < 20000; ++round) {
        std::string bytes;
        if (round % 2 == 0) {
            bytes = good;
            const int flips = 1 + static_cast<int>(next() % 3);
            for (int i = 0; i < flips; ++i) {
                bytes[next() % bytes.size()] = static_cast<char>(next());
            }
        } else {
            const std::size_t n = next() % 24;
            for (std::size_t i = 0; i < n; ++i) {
                bytes.push_back(static_cast<char>(i == 0 ? 1 + round / 2 % 2 : next()));
            }
        }
        Signature out;
        if (decode_signature(bytes, out)) {
            ++accepted;
            std::string expected = bytes;
            expected[0] = 2;
            CHECK(encode_signature(out) == expected);
        }
    }
    CHECK(accepted > 0);
}

TEST_CASE("training mode names") {
    TrainingMode m = TrainingMode::teft;
    CHECK(parse_training_mode("tum", m));
    CHECK(m == TrainingMode::tum);
    CHECK(training_mode_name(TrainingMode::notrain) == "notrain");
    CHECK(parse_training_mode("tone", m));
    CHECK(m == TrainingMode::tone);
    CHECK_FALSE(parse_training_mode("train-everything", m));
}

// --- Logistic-regression weights (classifier/logistic.h) ---------------------

namespace {

// Steps as the combiner makes them: p = σ(0.3), 3 tokens, η = 10.
const LogisticSteps k_steps = logistic_steps(0.3, 3, 10.0);

LearnContext with_steps(double score = 0.0) {
    LearnContext context;
    context.score = score;
    context.logistic = k_steps;
    return context;
}

std::map<Token, std::int64_t> weights_of(const FakeStore& store) {
    std::map<Token, std::int64_t> out;
    for (const auto& [token, counts] : store.tokens) {
        out[token] = counts.weight;
    }
    return out;
}

}  // namespace

TEST_CASE("logistic steps: η·(y - p)/√n in 2^-32 units, from one p for both classes") {
    // Hand-built: score 0 gives p = 1/2; 4 tokens, η = 10: ±10·0.5/2 = ±2.5.
    const LogisticSteps even = logistic_steps(0.0, 4, 10.0);
    CHECK(even.spam == 10737418240);  // 2.5 · 2^32
    CHECK(even.innocent == -10737418240);
    // p = σ(ln 3) = 3/4, 9 tokens, η = 6: spam 6·(1/4)/3 = 0.5, innocent -6·(3/4)/3 = -1.5.
    const LogisticSteps leaning = logistic_steps(std::log(3.0), 9, 6.0);
    CHECK(leaning.spam == 2147483648);       // 0.5 · 2^32
    CHECK(leaning.innocent == -6442450944);  // -1.5 · 2^32
    CHECK(weight_value(leaning.spam) == 0.5);
    // Their difference is always η/√n: learning the other class moves by that.
    const LogisticSteps any = logistic_steps(-2.7, 100, 10.0);
    CHECK(std::llabs(any.spam - any.innocent - 4294967296) <= 1);
    CHECK(logistic_steps(5.0, 0, 10.0) == LogisticSteps{});
    // A confident, right model barely moves; a confident, wrong one moves by ~η/√n.
    const LogisticSteps sure = logistic_steps(40.0, 1, 10.0);
    CHECK(sure.spam < 100);
    CHECK(sure.innocent == -42949672960 + sure.spam);
}

TEST_CASE("logistic score: Σ w/√n over the message's distinct tokens") {
    std::vector<TokenStat> stats{stat(1, 0, 0), stat(2, 0, 0), stat(3, 0, 0), stat(4, 0, 0)};
    CHECK(logistic_score(stats) == 0.0);
    stats[0].counts.weight = 3 * 4294967296LL;   // 3.0
    stats[2].counts.weight = -1 * 2147483648LL;  // -0.5
    CHECK(logistic_score(stats) == doctest::Approx(2.5 / 2.0));
    CHECK(logistic_score({}) == 0.0);
}

TEST_CASE("every classified message adds its class's step to every token, in every learning mode") {
    for (TrainingMode m : k_all_modes) {
        if (m == TrainingMode::notrain) {
            continue;  // below
        }
        CAPTURE(training_mode_name(m));
        Signature sig;
        // A score far outside TONE's margin: TONE learns no count.
        const TrainingDelta d =
            learn_classified(k_message, Class::spam, mode(m), sig, with_steps(100.0));
        REQUIRE(d.tokens.size() == 3);
        for (const TokenDelta& t : d.tokens) {
            CHECK(t.weight == k_steps.spam);
        }
        CHECK(sig.logistic == k_steps);
        CHECK(sig.learned.size() + sig.unlearned.size() == 3);
    }
    // NOTRAIN learns nothing: no weight moves and the signature keeps no step.
    Signature untrained;
    const TrainingDelta none = learn_classified(k_message, Class::spam,
                                                mode(TrainingMode::notrain), untrained,
                                                with_steps(100.0));
    CHECK(none.tokens.empty());
    CHECK_FALSE(untrained.logistic.has_value());
    // Without steps (the count-only algorithms) weights are not touched.
    Signature sig;
    const TrainingDelta d =
        learn_classified(k_message, Class::innocent, mode(TrainingMode::teft), sig, LearnContext{});
    CHECK(std::all_of(d.tokens.begin(), d.tokens.end(),
                      [](const TokenDelta& t) { return t.weight == 0; }));
    CHECK_FALSE(sig.logistic.has_value());
}

TEST_CASE("exact undo: learn, correct, correct back restores every weight bit for bit") {
    for (TrainingMode m : k_all_modes) {
        if (m == TrainingMode::notrain) {
            continue;  // learns no weight
        }
        CAPTURE(training_mode_name(m));
        FakeStore store = store_with_weights();
        const std::map<Token, std::int64_t> original = weights_of(store);

        Signature sig;
        store.apply(learn_classified(k_message, Class::spam, mode(m), sig, with_steps()));
        std::map<Token, std::int64_t> learned = original;
        for (auto& [token, w] : learned) {
            w += k_steps.spam;
        }
        CHECK(weights_of(store) == learned);

        // Corrected to innocent: as if the innocent step had been taken.
        store.apply(correct(sig, Class::innocent, mode(m)));
        std::map<Token, std::int64_t> corrected = original;
        for (auto& [token, w] : corrected) {
            w += k_steps.innocent;
        }
        CHECK(weights_of(store) == corrected);

        // And back: the spam step again, exactly.
        store.apply(correct(sig, Class::spam, mode(m)));
        CHECK(weights_of(store) == learned);
        // An encoded signature undoes as exactly as the one in memory.
        Signature stored;
        REQUIRE(decode_signature(encode_signature(sig), stored));
        store.apply(correct(stored, Class::innocent, mode(m)));
        CHECK(weights_of(store) == corrected);
    }
}

TEST_CASE("corpus feeding moves counts, each token once, and no weight") {
    const std::vector<Token> tokens{7, 3, 7};
    const TrainingDelta d = learn_corpus(tokens, Class::innocent);
    REQUIRE(d.tokens.size() == 2);
    CHECK(d.tokens[0] == TokenDelta{3, 0, 1, 0});
    CHECK(d.tokens[1] == TokenDelta{7, 0, 1, 0});
}

TEST_CASE("signature with steps: round trip, and version 1 still decodes") {
    Signature s;
    s.result = Class::innocent;
    s.totals_learned = true;
    s.learned = {4, 9, 1ULL << 63};
    s.unlearned = {5};
    for (const LogisticSteps& steps : {LogisticSteps{0, 0}, LogisticSteps{1, -1}, k_steps,
                                       LogisticSteps{k_max_weight_step, -k_max_weight_step}}) {
        s.logistic = steps;
        const std::string bytes = encode_signature(s);
        CHECK(bytes[0] == 2);
        Signature out;
        REQUIRE(decode_signature(bytes, out));
        CHECK(out == s);
    }
    // Steps of the wrong sign or beyond any rate are refused: a correction's
    // difference of two steps can never overflow.
    for (const LogisticSteps& steps :
         {LogisticSteps{-1, 0}, LogisticSteps{0, 1}, LogisticSteps{k_max_weight_step + 1, 0},
          LogisticSteps{0, std::numeric_limits<std::int64_t>::min()}}) {
        s.logistic = steps;
        Signature out;
        CHECK_FALSE(decode_signature(encode_signature(s), out));
    }
    // Version 1, as written before weights: innocent, totals learned, learned
    // {5, 300}, unlearned {6}.
    Signature old;
    REQUIRE(decode_signature(std::string("\x01\x02\x02\x01\x05\xa7\x02\x06", 8), old));
    CHECK(old.result == Class::innocent);
    CHECK(old.totals_learned);
    CHECK(old.learned == std::vector<Token>{5, 300});
    CHECK(old.unlearned == std::vector<Token>{6});
    CHECK_FALSE(old.logistic.has_value());
    // Corrected, it moves counts only: no weight was learned.
    const TrainingDelta d = correct(old, Class::spam, mode(TrainingMode::teft));
    CHECK(std::all_of(d.tokens.begin(), d.tokens.end(),
                      [](const TokenDelta& t) { return t.weight == 0; }));
    // Re-encoded, it is written as version 2 without steps.
    CHECK(encode_signature(old)[0] == 2);
}

TEST_CASE("rate classes: 1/√(1 + hits/d) quantized to 2^(-q/8), scaled in integers") {
    CHECK(rate_class(0, 100.0) == 0);
    CHECK(rate_class(5, 0.0) == 0);    // decay off: the whole step
    CHECK(rate_class(100, 100.0) == 4);  // 1/√2 = 2^(-4/8)
    CHECK(rate_class(300, 100.0) == 8);  // 1/2
    CHECK(rate_class(std::numeric_limits<std::int64_t>::max(), 1e-9) == k_max_rate_class);
    for (std::int64_t hits = 1; hits < 5000; hits += 7) {
        CHECK(rate_class(hits, 100.0) >= rate_class(hits - 1, 100.0));
    }
    // A rarity r multiplies the factor: r = 1/2 is 8 classes more.
    CHECK(rate_class(0, 100.0, 0.5) == 8);
    CHECK(rate_class(300, 100.0, 0.5) == 16);
    CHECK(rate_class(0, 0.0, std::exp2(-3.0 / 8.0)) == 3);
    CHECK(rate_class(0, 100.0, 1.0) == 0);
    CHECK(rate_class(0, 100.0, 0.0) == k_max_rate_class);  // a feature of 0: no step to speak of
    CHECK(rate_class(0, 100.0, 1e-300) == k_max_rate_class);
    CHECK(scaled_step(12345, 0) == 12345);
    CHECK(scaled_step(std::int64_t{1} << 40, 8) == std::int64_t{1} << 39);
    CHECK(scaled_step(-(std::int64_t{1} << 40), 16) == -(std::int64_t{1} << 38));
    CHECK(scaled_step(3, 8) == 2);  // 1.5: halves away from zero
    CHECK(scaled_step(-3, 8) == -2);
    CHECK(scaled_step(0, 77) == 0);
    // Every class is the real factor to within one unit, signs mirrored.
    for (int q = 0; q <= k_max_rate_class; ++q) {
        CAPTURE(q);
        const double exact = static_cast<double>(k_max_weight_step) * std::exp2(-q / 8.0);
        CHECK(std::fabs(static_cast<double>(scaled_step(k_max_weight_step, static_cast<RateClass>(q))) -
                        exact) <= 1.0 + exact * 1e-9);
        CHECK(scaled_step(-k_max_weight_step, static_cast<RateClass>(q)) ==
              -scaled_step(k_max_weight_step, static_cast<RateClass>(q)));
        // The header bit is not part of the factor.
        CHECK(scaled_step(k_max_weight_step, static_cast<RateClass>(q | k_header_class_bit)) ==
              scaled_step(k_max_weight_step, static_cast<RateClass>(q)));
    }
}

TEST_CASE("with decay, a token's step shrinks with its hits and the signature keeps each class") {
    LearnContext context = with_steps();
    context.logistic_decay_hits = 1.0;  // k_message: token 10 has 0 hits, 20 and 30 have 3
    Signature sig;
    const TrainingDelta d = learn_classified(k_message, Class::spam, mode(TrainingMode::teft), sig,
                                             context);
    CHECK(sig.rate_classes == std::vector<RateClass>{0, 8, 8});  // 1/√(1 + 3) = 1/2
    REQUIRE(d.tokens.size() == 3);
    CHECK(d.tokens[0].weight == k_steps.spam);
    CHECK(d.tokens[1].weight == scaled_step(k_steps.spam, 8));
    CHECK(d.tokens[2].weight == scaled_step(k_steps.spam, 8));
    CHECK(token_weight_step(sig, Class::innocent, 1) == scaled_step(k_steps.innocent, 8));
    // No steps, no classes: the count-only algorithms are untouched.
    Signature counts_only;
    LearnContext no_steps;
    no_steps.logistic_decay_hits = 1.0;
    learn_classified(k_message, Class::spam, mode(TrainingMode::teft), counts_only, no_steps);
    CHECK(counts_only.rate_classes.empty());
}

TEST_CASE("with rarity and evidence, each token's class carries its feature value under the totals before learning") {
    LearnContext context = with_steps();
    context.logistic_decay_hits = 1.0;
    context.logistic_features = {0.25, 0.1};
    context.totals = Totals{.spam_learned = 10, .innocent_learned = 10};
    Signature sig;
    learn_classified(k_message, Class::spam, mode(TrainingMode::teft), sig, context);
    REQUIRE(sig.rate_classes.size() == k_message.size());
    std::vector<TokenStat> sorted = k_message;
    std::sort(sorted.begin(), sorted.end(),
              [](const TokenStat& a, const TokenStat& b) { return a.token < b.token; });
    for (std::size_t k = 0; k < sorted.size(); ++k) {
        const TokenStat& s = sorted[k];
        CHECK(sig.rate_classes[k] ==
              rate_class(s.counts.spam + s.counts.innocent, 1.0,
                         feature_value(s.counts, *context.totals, context.logistic_features)));
        CHECK(feature_value(s.counts, *context.totals, context.logistic_features) <
              rarity(s.counts, *context.totals, 0.25));
    }
    // Without totals (nothing to measure rarity by) only the decay counts.
    LearnContext no_totals = context;
    no_totals.totals.reset();
    Signature plain;
    learn_classified(k_message, Class::spam, mode(TrainingMode::teft), plain, no_totals);
    CHECK(plain.rate_classes == std::vector<RateClass>{0, 8, 8});
}

TEST_CASE("with decay, learn, correct and correct back are exact, stored or not") {
    for (TrainingMode m : {TrainingMode::teft, TrainingMode::tone, TrainingMode::toe}) {
        CAPTURE(training_mode_name(m));
        FakeStore store = store_with_weights();
        const std::map<Token, std::int64_t> original = weights_of(store);
        LearnContext context = with_steps();
        context.logistic_decay_hits = 0.7;  // classes that are not multiples of 8
        Signature sig;
        store.apply(learn_classified(k_message, Class::spam, mode(m), sig, context));
        REQUIRE(sig.rate_classes.size() == 3);
        CHECK(sig.rate_classes[1] == rate_class(3, 0.7));
        const std::map<Token, std::int64_t> learned = weights_of(store);
        std::map<Token, std::int64_t> corrected = original;
        std::size_t k = 0;
        for (auto& [token, w] : corrected) {
            w += scaled_step(k_steps.innocent, sig.rate_classes[k++]);
        }
        store.apply(correct(sig, Class::innocent, mode(m)));
        CHECK(weights_of(store) == corrected);
        Signature stored;
        REQUIRE(decode_signature(encode_signature(sig), stored));
        CHECK(stored == sig);
        store.apply(correct(stored, Class::spam, mode(m)));
        CHECK(weights_of(store) == learned);
    }
}

TEST_CASE("signature with rate classes: round trip; misplaced or miscounted classes are refused") {
    Signature s;
    s.learned = {4, 9};
    s.unlearned = {5};
    s.logistic = k_steps;
    s.rate_classes = {0, 255, 3};  // for 4, 5, 9
    const std::string bytes = encode_signature(s);
    Signature out;
    REQUIRE(decode_signature(bytes, out));
    CHECK(out == s);
    CHECK_FALSE(decode_signature(bytes.substr(0, bytes.size() - 1), out));  // one class short
    CHECK_FALSE(decode_signature(bytes + '\x01', out));                     // one too many
    // Classes without steps mean nothing: the flag alone is refused.
    Signature counts_only;
    counts_only.learned = {4};
    std::string no_steps = encode_signature(counts_only);
    no_steps[1] = static_cast<char>(no_steps[1] | 0x40);
    CHECK_FALSE(decode_signature(no_steps + '\x00', out));
    // Classes that do not match the lists are left out rather than misplaced.
    s.rate_classes = {1, 2};
    REQUIRE(decode_signature(encode_signature(s), out));
    CHECK(out.rate_classes.empty());
}

TEST_CASE("logistic over two groups: the body's n tokens at 1/√n, the headers' m at 1/√m") {
    std::vector<TokenStat> stats{stat(1, 0, 0), stat(2, 0, 0), stat(3, 0, 0), stat(4, 0, 0),
                                 stat(5, 0, 0)};
    stats[0].counts.weight = 2 * 4294967296LL;  // body: 2 + 0 + 0 + 0 over √4
    stats[4].counts.weight = 3 * 4294967296LL;  // header: 3 over √1
    stats[4].header_line = 1;
    CHECK(logistic_score(stats) == doctest::Approx(2.0 / 2.0 + 3.0));
    // Steps: each group's from its own count, one p for both.
    const LogisticSteps steps = logistic_steps(0.5, 4, 1, 10.0, 4.0);
    CHECK(steps.spam == logistic_steps(0.5, 4, 10.0, 4.0).spam);
    CHECK(steps.header_spam == logistic_steps(0.5, 1, 10.0, 4.0).spam);
    CHECK(steps.header_innocent == logistic_steps(0.5, 1, 10.0, 4.0).innocent);
    CHECK(steps.of(Class::innocent, true) == steps.header_innocent);
    CHECK(steps.of(Class::spam, false) == steps.spam);
    // No header token: the old single group, no header step.
    CHECK(logistic_steps(0.5, 4, 0, 10.0, 4.0) == logistic_steps(0.5, 4, 10.0, 4.0));
}

TEST_CASE("header tokens take the header step; learn, correct, correct back and the encoding are exact") {
    std::vector<TokenStat> message = k_message;  // tokens 30, 10, 20
    message[0].header_line = 1;                  // 30
    const LogisticSteps steps = logistic_steps(0.3, 2, 1, 10.0, 4.0);
    LearnContext context;
    context.logistic = steps;
    for (double decay : {0.0, 0.7}) {
        CAPTURE(decay);
        context.logistic_decay_hits = decay;
        FakeStore store = store_with_weights();
        const std::map<Token, std::int64_t> original = weights_of(store);
        Signature sig;
        const TrainingDelta d =
            learn_classified(message, Class::spam, mode(TrainingMode::tone), sig, context);
        REQUIRE(sig.rate_classes.size() == 3);
        CHECK((sig.rate_classes[2] & k_header_class_bit) != 0);  // 30 is the third in order
        CHECK((sig.rate_classes[0] & k_header_class_bit) == 0);
        CHECK(d.tokens[2].weight == scaled_step(steps.header_spam, sig.rate_classes[2]));
        CHECK(d.tokens[0].weight == scaled_step(steps.spam, sig.rate_classes[0]));
        store.apply(d);
        const std::map<Token, std::int64_t> learned = weights_of(store);
        store.apply(correct(sig, Class::innocent, mode(TrainingMode::tone)));
        CHECK(weights_of(store).at(30) ==
              original.at(30) + scaled_step(steps.header_innocent, sig.rate_classes[2]));
        Signature stored;
        REQUIRE(decode_signature(encode_signature(sig), stored));
        CHECK(stored == sig);
        store.apply(correct(stored, Class::spam, mode(TrainingMode::tone)));
        CHECK(weights_of(store) == learned);
    }
}

TEST_CASE("header steps in a signature: bounds checked, and only beside the steps") {
    Signature s;
    s.learned = {4, 9};
    s.logistic = LogisticSteps{5, -20, 7, -28};
    s.rate_classes = {k_header_class_bit, 0};
    Signature out;
    REQUIRE(decode_signature(encode_signature(s), out));
    CHECK(out == s);
    s.logistic->header_spam = -1;  // spam never lowers a weight
    CHECK_FALSE(decode_signature(encode_signature(s), out));
    s.logistic->header_spam = 7;
    s.logistic->header_innocent = 1;
    CHECK_FALSE(decode_signature(encode_signature(s), out));
    // The header flag without steps is refused.
    Signature counts_only;
    counts_only.learned = {4};
    std::string bytes = encode_signature(counts_only);
    bytes[1] = static_cast<char>(bytes[1] | 0x80);
    CHECK_FALSE(decode_signature(bytes, out));
}

TEST_CASE("retraining by content: each token's weight moves as learning the classified message would") {
    std::vector<TokenStat> message = k_message;  // tokens 30 (a header's), 10, 20
    message[0].header_line = 1;
    message.push_back(stat(40, 400, 90));  // a common token: a small class
    LearnContext context;
    context.logistic = logistic_steps(0.3, 3, 1, 10.0, 4.0);
    context.logistic_decay_hits = 100.0;
    context.logistic_features = {0.25, 0.1};
    context.totals = Totals{.spam_learned = 500, .innocent_learned = 900};
    const std::vector<Token> tokens{40, 30, 10, 20, 99};  // 99: the sender's, not scored
    for (Class cls : {Class::spam, Class::innocent}) {
        CAPTURE(class_name(cls));
        Signature sig;
        const TrainingDelta classified =
            learn_classified(message, cls, mode(TrainingMode::teft), sig, context);
        const TrainingDelta content = learn_content(tokens, cls, message, context);
        REQUIRE(content.tokens.size() == 5);
        for (std::size_t k = 0; k < 4; ++k) {
            CHECK(content.tokens[k].token == classified.tokens[k].token);
            CHECK(content.tokens[k].weight == classified.tokens[k].weight);
        }
        // The steps are really scaled: the common token takes far less than
        // the whole step, the header token the header step.
        CHECK(std::llabs(content.tokens[3].weight) < std::llabs(context.logistic->of(cls)) / 2);
        CHECK(content.tokens[2].weight == token_weight_step(sig, cls, 2));
        CHECK((sig.rate_classes[2] & k_header_class_bit) != 0);
        CHECK(content.tokens[4] == TokenDelta{99, cls == Class::spam ? 1 : 0,
                                              cls == Class::innocent ? 1 : 0,
                                              context.logistic->of(cls)});
        // Counted as corpus feeding: nothing was classified to take back.
        CHECK(content.totals == learn_corpus(tokens, cls).totals);
    }
    // Without steps the weights stay.
    LearnContext counts_only = context;
    counts_only.logistic.reset();
    for (const TokenDelta& d : learn_content(tokens, Class::spam, message, counts_only).tokens) {
        CHECK(d.weight == 0);
    }
}
