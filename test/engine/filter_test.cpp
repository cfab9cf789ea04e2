// Tests of engine/filter.cpp with DSPAM's learning features on a MemoryStore:
// whitelisting and un-whitelisting through the signature, unlearning by
// signature and of a corpus feed, test-conditional passes, and the per-user
// preferences that switch them (engine/preferences.cpp).
#include <doctest/doctest.h>

#include <algorithm>
#include <ctime>
#include <string>

#include "classifier/tokenizer.h"
#include "engine/dspam_headers.h"
#include "engine/filter.h"
#include "engine/preferences.h"
#include "storage/memory_store.h"

using namespace dspamd;

namespace {

std::string mail(const std::string& from, const std::string& subject, const std::string& body) {
    return "From: " + from + "\r\nSubject: " + subject + "\r\n\r\n" + body + "\r\n";
}

Totals totals_of(MemoryStore& store, const std::string& user) {
    const std::vector<UserStats> rows = store.stats(user);
    REQUIRE(rows.size() == 1);
    return rows.front().totals;
}

std::string result_header(const Outcome& outcome) {
    for (const HeaderField& field : dspam_headers(outcome, false, 0)) {
        if (field.name == "X-DSPAM-Result") {
            return field.value;
        }
    }
    return {};
}

}  // namespace

TEST_CASE("a sender becomes whitelisted, a correction to spam un-whitelists it, exactly") {
    Config config;
    config.classifier.whitelist.enabled = true;
    config.classifier.whitelist.threshold = 2;
    MemoryStore store;
    Filter filter(config, store);
    const std::string bob = "Bob <bob@example.com>";

    for (int i = 0; i < 3; ++i) {
        Outcome outcome = filter.classify(mail(bob, "lunch " + std::to_string(i), "see you"), "u");
        CHECK_FALSE(outcome.whitelisted);
        CHECK(outcome.verdict.result == Class::innocent);
    }
    Outcome fourth = filter.classify(mail(bob, "cheap pills", "buy now"), "u");
    CHECK(fourth.whitelisted);
    CHECK(fourth.verdict.result == Class::innocent);
    CHECK(result_header(fourth) == "Whitelisted");
    // Another sender is not.
    CHECK_FALSE(filter.classify(mail("eve@example.net", "hi", "see you"), "u").whitelisted);

    REQUIRE(filter.retrain("u", fourth.signature_id, Class::spam) == RetrainStatus::corrected);
    Outcome after = filter.classify(mail(bob, "again", "see you"), "u", true);
    CHECK_FALSE(after.whitelisted);
    CHECK(result_header(after) == "Innocent");

    // The user changes their mind: the sender is whitelisted again.
    REQUIRE(filter.retrain("u", fourth.signature_id, Class::innocent) == RetrainStatus::corrected);
    CHECK(filter.classify(mail(bob, "again", "see you"), "u", true).whitelisted);
}

TEST_CASE("a whitelisted sender corrected by content is un-whitelisted too") {
    Config config;
    config.classifier.whitelist.enabled = true;
    config.classifier.whitelist.threshold = 1;
    MemoryStore store;
    Filter filter(config, store);
    for (int i = 0; i < 2; ++i) {
        filter.classify(mail("carol@example.org", "note", "hello"), "u");
    }
    const std::string spam = mail("carol@example.org", "offer", "cheap pills");
    REQUIRE(filter.classify(spam, "u", true).whitelisted);
    CHECK(filter.retrain_content(spam, "u", Class::spam) == RetrainStatus::corrected);
    CHECK_FALSE(filter.classify(spam, "u", true).whitelisted);
}

TEST_CASE("unlearning a classified message restores the totals and withdraws its signature") {
    Config config;
    config.classifier.training.mode = TrainingMode::teft;
    MemoryStore store;
    Filter filter(config, store);
    filter.classify(mail("a@example.com", "one", "first message"), "u");
    const Totals before = totals_of(store, "u");
    Outcome outcome = filter.classify(mail("b@example.com", "two", "second message"), "u");
    REQUIRE(filter.retrain("u", outcome.signature_id, Class::spam) == RetrainStatus::corrected);
    CHECK(filter.unlearn("u", outcome.signature_id));
    CHECK(totals_of(store, "u") == before);
    CHECK_FALSE(filter.unlearn("u", outcome.signature_id));
    CHECK(filter.retrain("u", outcome.signature_id, Class::innocent) ==
          RetrainStatus::unknown_signature);
    CHECK_FALSE(filter.unlearn("u", "000000000000000000000000"));
}

TEST_CASE("untrain takes back a corpus feed") {
    Config config;
    config.classifier.whitelist.enabled = true;
    MemoryStore store;
    Filter filter(config, store);
    const std::string message = mail("d@example.com", "corpus", "some words here");
    filter.train(message, "u", Class::spam);
    CHECK(totals_of(store, "u").spam_learned == 1);
    filter.untrain(message, "u", Class::spam);
    CHECK(totals_of(store, "u") == Totals{});
    const UserId id = store.user_id("u");
    const Snapshot snapshot = store.fetch(id, std::vector<Token>{});
    CHECK(snapshot.totals == Totals{});
}

TEST_CASE("test-conditional training repeats a correction until the bound, exactly undone") {
    Config config;
    config.classifier.training.mode = TrainingMode::teft;  // the message is learned as classified
    // A combiner of counts alone, so each pass moves the verdict a little.
    config.classifier.scoring.algorithm = Algorithm::fisher;
    config.classifier.test_conditional.enabled = true;
    config.classifier.test_conditional.max_iterations = 3;
    MemoryStore store;
    Filter filter(config, store);
    const std::string message = mail("e@example.com", "cheap pills", "buy cheap pills now");
    for (int i = 0; i < 10; ++i) {
        filter.train(message, "u", Class::spam);
        filter.train(mail("f@example.com", "meeting " + std::to_string(i), "agenda"), "u",
                     Class::innocent);
    }
    Outcome outcome = filter.classify(message, "u");
    REQUIRE(outcome.verdict.result == Class::spam);
    const Totals before = totals_of(store, "u");

    REQUIRE(filter.retrain("u", outcome.signature_id, Class::innocent) == RetrainStatus::corrected);
    const std::optional<Signature> signature =
        store.load_signature(store.user_id("u"), outcome.signature_id);
    REQUIRE(signature.has_value());
    CHECK(signature->repeats == 2);  // still spam after each pass: 3 passes in all
    CHECK(totals_of(store, "u").innocent_corpusfed == before.innocent_corpusfed + 2);

    REQUIRE(filter.retrain("u", outcome.signature_id, Class::spam) == RetrainStatus::corrected);
    CHECK(totals_of(store, "u") == before);
}

TEST_CASE("per-user preferences switch the features; bad values are reported") {
    ClassifierConfig base;
    std::vector<std::string> warnings;
    const ClassifierConfig on = apply_preferences(base,
                                                  {{"enableBNR", "on"},
                                                   {"enableWhitelist", "on"},
                                                   {"whitelistThreshold", "25"},
                                                   {"statisticalSedation", "5"},
                                                   {"testConditionalTraining", "on"}},
                                                  warnings);
    CHECK(warnings.empty());
    CHECK(on.bnr.enabled);
    CHECK(on.whitelist.enabled);
    CHECK(on.whitelist.threshold == 25);
    CHECK(on.statistical_sedation == 5);
    CHECK(on.test_conditional.enabled);

    const ClassifierConfig bad = apply_preferences(
        on, {{"enableBNR", "yes"}, {"statisticalSedation", "11"}, {"whitelistThreshold", "x"}},
        warnings);
    CHECK(warnings.size() == 3);
    CHECK(bad.bnr.enabled);
    CHECK(bad.statistical_sedation == 5);
    CHECK(bad.whitelist.threshold == 25);
}

TEST_CASE("corpus feeding moves the counts, not the weights, whatever the order of the classes") {
    Config config;
    MemoryStore store;
    Filter filter(config, store);
    const std::string message = mail("d@example.com", "corpus", "some words here");
    filter.train(message, "u", Class::spam);
    const ParsedMessage parsed = parse_message(message, config.classifier.limits);
    const MessageTokens tokens = collect_tokens(parsed, config.classifier.tokenizer, false);
    const Snapshot snapshot = store.fetch(store.user_id("u"), tokens.tokens);
    REQUIRE(snapshot.stats.size() == tokens.tokens.size());
    for (const TokenStat& stat : snapshot.stats) {
        CHECK(stat.counts == Counts{1, 0, 0});
    }
}

TEST_CASE("burton counts a token repeated in the message twice; graham once") {
    for (const Algorithm algorithm : {Algorithm::burton, Algorithm::graham}) {
        CAPTURE(algorithm_name(algorithm));
        Config config;
        config.classifier.tokenizer.kind = TokenizerKind::word;
        config.classifier.scoring.algorithm = algorithm;
        MemoryStore store;
        Filter filter(config, store);
        for (int i = 0; i < 10; ++i) {
            filter.train(mail("x@example.com", "offer", "viagra"), "u", Class::spam);
            filter.train(mail("x@example.com", "offer", "hello world"), "u", Class::innocent);
        }
        const double once =
            filter.classify(mail("x@example.com", "offer", "viagra hello"), "u", true).verdict.probability;
        const double twice =
            filter.classify(mail("x@example.com", "offer", "viagra viagra hello"), "u", true)
                .verdict.probability;
        if (algorithm == Algorithm::burton) {
            CHECK(twice > once);
        } else {
            CHECK(twice == once);
        }
    }
}
