// Tests of milter/retrain_request.cpp: recognising and authorising
// retraining addresses, finding the signature of a forwarded message, and a
// retraining on a MemoryStore.
#include "milter/retrain_request.h"

#include <doctest/doctest.h>

#include "storage/memory_store.h"

namespace dspamd::milter {
namespace {

PolicyParams policy() {
    MilterConfig config;
    return make_policy_params(config);
}

TEST_CASE("retraining addresses are recognised by the configured patterns") {
    const RetrainConfig config;  // spam-{user}@, spam@, notspam-{user}@, notspam@
    std::optional<RetrainMatch> m = match_retrain_address(config, "spam-alice@example.com");
    REQUIRE(m);
    CHECK(m->right == Class::spam);
    CHECK(m->named_address == "alice@example.com");

    m = match_retrain_address(config, "notspam-bob@example.org");
    REQUIRE(m);
    CHECK(m->right == Class::innocent);
    CHECK(m->named_address == "bob@example.org");

    m = match_retrain_address(config, "spam@example.com");
    REQUIRE(m);
    CHECK(m->right == Class::spam);
    CHECK_FALSE(m->named_address.has_value());

    m = match_retrain_address(config, "notspam@example.com");
    REQUIRE(m);
    CHECK(m->right == Class::innocent);

    CHECK_FALSE(match_retrain_address(config, "alice@example.com"));
    CHECK_FALSE(match_retrain_address(config, "spam-@example.com"));  // empty {user}
    CHECK_FALSE(match_retrain_address(config, "spammer@example.com"));

    RetrainConfig custom;
    custom.spam_addresses = {"{user}+Junk@Example.org"};
    custom.innocent_addresses = {};
    m = match_retrain_address(custom, "carol+junk@example.org");
    REQUIRE(m);
    CHECK(m->named_address == "carol@example.org");
    CHECK_FALSE(match_retrain_address(custom, "carol+junk@example.com"));  // other domain
}

TEST_CASE("retraining is for authenticated or trusted senders and their own user") {
    const PolicyParams p = policy();
    const RetrainMatch named{Class::spam, std::string("alice@example.com")};
    const RetrainMatch own{Class::innocent, std::nullopt};

    RetrainCheck check =
        check_retrain_recipient(p, named, "spam-alice@example.com", "alice@example.com", true);
    REQUIRE(check.target);
    CHECK(check.target->user == "alice@example.com");
    CHECK(check.target->right == Class::spam);

    check = check_retrain_recipient(p, own, "notspam@example.com", "alice@example.com", true);
    REQUIRE(check.target);
    CHECK(check.target->user == "alice@example.com");
    CHECK(check.target->right == Class::innocent);

    check = check_retrain_recipient(p, named, "spam-alice@example.com", "alice@example.com", false);
    CHECK_FALSE(check.target);
    CHECK(check.refusal ==
          "Retraining requests are accepted only from authenticated or trusted senders");

    check =
        check_retrain_recipient(p, named, "spam-alice@example.com", "mallory@example.com", true);
    CHECK_FALSE(check.target);
    CHECK(check.refusal == "You may retrain only your own mail (user mallory@example.com)");

    check = check_retrain_recipient(p, own, "spam@example.com", "", true);
    CHECK_FALSE(check.target);
    CHECK(check.refusal.starts_with("Retraining requests need the envelope sender"));
}

TEST_CASE("the signature is found in an attached, bounced or inline-forwarded message") {
    const MimeLimits limits;
    const std::string attached =
        "From: alice@example.com\r\nSubject: Fwd: spam\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
        "--b\r\nContent-Type: text/plain\r\n\r\nthis is spam\r\n"
        "--b\r\nContent-Type: message/rfc822\r\n\r\n"
        "From: spammer@example.net\r\nSubject: Cheap\r\nX-DSPAM-Signature: abc123def\r\n\r\n"
        "buy now\r\n--b--\r\n";
    CHECK(request_signature(parse_message(attached, limits)) == "abc123def");

    const std::string inline_forward =
        "From: alice@example.com\r\nSubject: Fwd: spam\r\n\r\n"
        "-------- Forwarded Message --------\r\n"
        "> X-DSPAM-Signature: 0011aabb\r\n> Subject: Cheap\r\n";
    CHECK(request_signature(parse_message(inline_forward, limits)) == "0011aabb");

    const std::string none = "Subject: nothing\r\n\r\nno signature here\r\n";
    CHECK_FALSE(request_signature(parse_message(none, limits)).has_value());
}

TEST_CASE("a false positive is retrained and released from the quarantine") {
    Config config;
    MemoryStore store;
    Filter filter(config, store);
    const std::string message = "Subject: lunch\r\nFrom: bob@example.com\r\n\r\nLunch at noon?\r\n";
    Outcome outcome = filter.classify(message, "alice@example.com");
    REQUIRE_FALSE(outcome.signature_id.empty());

    QuarantineEntry held;
    held.queue_id = "QID9";
    held.host = "mx.test";
    held.signature = outcome.signature_id;
    store.add_quarantine(store.user_id("alice@example.com"), held);

    const std::string request =
        "Subject: Fwd\r\nX-DSPAM-Signature: " + outcome.signature_id + "\r\n\r\nnot spam\r\n";
    const RetrainTarget target{Class::innocent, "alice@example.com", "notspam@example.com"};
    const ParsedMessage parsed = parse_message(request, config.classifier.limits);
    RetrainResult result = perform_retrain(filter, store, parsed, request, target);
    CHECK_FALSE(result.by_content);
    CHECK(result.signature == outcome.signature_id);
    // The message was judged innocent already unless it was spam: either way
    // the quarantine row is released once.
    REQUIRE(result.released.has_value());
    CHECK(result.released->queue_id == "QID9");
    CHECK(
        store
            .find_quarantine_by_signature(store.user_id("alice@example.com"), outcome.signature_id)
            ->released);
    result = perform_retrain(filter, store, parsed, request, target);
    CHECK_FALSE(result.released.has_value());

    // Without a signature the content is learned.
    const std::string plain = "Subject: Fwd\r\n\r\nsomething else entirely\r\n";
    result = perform_retrain(filter, store, parse_message(plain, config.classifier.limits), plain,
                             RetrainTarget{Class::spam, "alice@example.com", "spam@example.com"});
    CHECK(result.by_content);
    CHECK(result.signature.empty());
}

TEST_CASE("the release command gets the queue id and its exit status is returned") {
    CHECK(run_release_command({"/bin/sh", "-c", "test \"$0\" = QID1"}, "QID1") == 0);
    CHECK(run_release_command({"/bin/sh", "-c", "exit 3"}, "QID1") == 3);
    CHECK(run_release_command({"/nonexistent/postsuper", "-H"}, "QID1") != 0);
    CHECK(run_release_command({}, "QID1") == -1);
}

}  // namespace
}  // namespace dspamd::milter
