// Tests of classifier/whitelist.cpp: the sender token, DSPAM's threshold rule
// and the correction that un-whitelists, exactly, through the signature.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "classifier/whitelist.h"
#include "feature_store.h"

using namespace dspamd;
using dspamd::test::CountingStore;
using dspamd::test::stat_of;

TEST_CASE("the sender address is the addr-spec, lower-cased") {
    CHECK(sender_address("Bob Smith <Bob@Example.COM>") == "bob@example.com");
    CHECK(sender_address("bob@example.com (Bob)") == "bob@example.com");
    CHECK(sender_address("\"Smith, Bob\" <bob@example.com>") == "bob@example.com");
    CHECK(sender_address("Undisclosed sender").empty());
    CHECK(sender_address("<>").empty());
}

TEST_CASE("the sender token comes from the From header and ignores the display name") {
    ParsedMessage a;
    a.headers = {{"Subject", "hi"}, {"From", "Bob <bob@example.com>"}};
    ParsedMessage b;
    b.headers = {{"from", "Robert <BOB@example.com>"}};
    ParsedMessage none;
    none.headers = {{"Subject", "no sender"}};
    REQUIRE(sender_token(a).has_value());
    CHECK(sender_token(a) == sender_token(b));
    CHECK_FALSE(sender_token(none).has_value());
}

TEST_CASE("whitelisted: more than threshold innocent hits and no spam hit") {
    WhitelistParams params;
    params.enabled = true;
    CHECK_FALSE(is_whitelisted(Counts{0, 10}, params));  // DSPAM: innocent_hits > 10
    CHECK(is_whitelisted(Counts{0, 11}, params));
    CHECK_FALSE(is_whitelisted(Counts{1, 200}, params));  // any spam hit ends it
    params.threshold = 2;
    CHECK(is_whitelisted(Counts{0, 3}, params));
    params.enabled = false;
    CHECK_FALSE(is_whitelisted(Counts{0, 300}, params));
}

TEST_CASE("the sender token is learned even when the mode learns nothing") {
    const Token sender = 25;
    const std::vector<TokenStat> message{stat_of(10, 0, 0), stat_of(30, 0, 0)};
    TrainingParams params;
    params.mode = TrainingMode::toe;
    Signature signature;
    TrainingDelta delta = learn_classified(message, Class::innocent, params, signature);
    CHECK(delta.tokens.empty());
    learn_sender(sender, Class::innocent, delta, signature);
    CHECK(delta.tokens == std::vector<TokenDelta>{{sender, 0, 1}});
    CHECK(signature.learned == std::vector<Token>{sender});
    CHECK(signature.unlearned == std::vector<Token>{10, 30});

    // Already learned (TEFT): not counted twice.
    params.mode = TrainingMode::teft;
    const std::vector<TokenStat> with_sender{stat_of(10, 0, 0), stat_of(sender, 0, 0)};
    TrainingDelta teft = learn_classified(with_sender, Class::innocent, params, signature);
    learn_sender(sender, Class::innocent, teft, signature);
    CHECK(teft.tokens.size() == 2);
    CHECK(teft.tokens[1] == TokenDelta{sender, 0, 1});
}

TEST_CASE("a correction to spam un-whitelists the sender, and a correction back restores it") {
    const Token sender = 99;
    WhitelistParams whitelist;
    whitelist.enabled = true;
    TrainingParams params;  // TONE, dspamd's default
    CountingStore store;
    const std::vector<TokenStat> message{stat_of(1, 0, 0), stat_of(2, 0, 0)};
    Signature last;
    for (int i = 0; i < 12; ++i) {
        LearnContext confident;
        confident.score = -50.0;  // far from the margin: TONE learns nothing
        TrainingDelta delta = learn_classified(message, Class::innocent, params, last, confident);
        learn_sender(sender, Class::innocent, delta, last);
        store.apply(delta);
    }
    CHECK(store.counts(sender) == Counts{0, 12});
    CHECK(store.counts(1) == Counts{});
    REQUIRE(is_whitelisted(store.counts(sender), whitelist));

    store.apply(correct(last, Class::spam, params));
    CHECK(store.counts(sender) == Counts{1, 11});
    CHECK_FALSE(is_whitelisted(store.counts(sender), whitelist));

    store.apply(correct(last, Class::innocent, params));
    CHECK(store.counts(sender) == Counts{0, 12});
    CHECK(is_whitelisted(store.counts(sender), whitelist));
    CHECK(store.totals.spam_misclassified == 0);
    CHECK(store.totals.innocent_misclassified == 0);
}

TEST_CASE("a sender new to the message gets the whole step, the others keep their classes") {
    const Token sender = 25;
    const std::vector<TokenStat> message{stat_of(10, 3, 0), stat_of(30, 0, 3)};
    LearnContext context;
    context.logistic = logistic_steps(0.0, 2, 10.0);
    context.logistic_decay_hits = 1.0;
    Signature signature;
    TrainingDelta delta = learn_classified(message, Class::innocent, TrainingParams{}, signature, context);
    REQUIRE(signature.rate_classes == std::vector<RateClass>{8, 8});
    learn_sender(sender, Class::innocent, delta, signature);
    // Union order 10, 25, 30: the new sender's class sits between the two.
    CHECK(signature.rate_classes == std::vector<RateClass>{8, 0, 8});
    CHECK(delta.tokens[1] == TokenDelta{sender, 0, 1, context.logistic->innocent});
    CountingStore store;
    store.apply(delta);
    store.apply(correct(signature, Class::spam, TrainingParams{}));
    store.apply(correct(signature, Class::innocent, TrainingParams{}));
    CHECK(store.counts(sender).weight == context.logistic->innocent);
    CHECK(store.counts(10).weight == scaled_step(context.logistic->innocent, 8));
}
