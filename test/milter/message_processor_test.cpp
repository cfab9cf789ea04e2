// Tests of milter/message_processor.cpp: the end-of-message decisions on a
// MemoryStore (and on a store that is down), without libmilter.
#include "milter/message_processor.h"

#include <doctest/doctest.h>

#include "storage/memory_store.h"

namespace dspamd::milter {
namespace {

constexpr std::time_t k_now = 1'700'000'000;

const std::string k_spam =
    "From: winner@lottery.example\r\nSubject: You won a prize\r\n\r\n"
    "Claim your lottery prize now, wire the fee, cheap pills, casino bonus, act now\r\n";
const std::string k_ham =
    "From: bob@example.com\r\nSubject: Meeting notes\r\n\r\n"
    "Here are the notes of the project meeting; the review is on Tuesday\r\n";

std::size_t body_offset(const std::string& raw) {
    return raw.find("\r\n\r\n") + 4;
}

// A store whose database is down.
class DownStore final : public Store {
public:
    // Worded as libpq words it: several lines, the last one ended.
    [[noreturn]] static void down() {
        throw StoreUnavailable("connection refused\n\tIs the server running?\n");
    }
    UserId user_id(std::string_view) override { down(); }
    void set_merge_group(UserId, std::optional<UserId>) override { down(); }
    Snapshot fetch(UserId, std::span<const Token>) override { down(); }
    void apply(UserId, const TrainingDelta&, const SignatureRecord*) override { down(); }
    void apply_batch(UserId, const TrainingDelta&, std::span<const SignatureRecord>) override {
        down();
    }
    std::optional<Signature> load_signature(UserId, std::string_view) override { down(); }
    void scan_tokens(std::optional<UserId>, const TokenChunkSink&) override { down(); }
    std::int64_t token_rows(UserId) override { down(); }
    std::map<std::string, std::string> preferences(UserId) override { down(); }
    void set_preference(UserId, std::string_view, std::string_view) override { down(); }
    std::vector<UserStats> stats(std::optional<std::string_view>) override { down(); }
    void record_history(UserId, const HistoryEntry&) override { down(); }
    void record_history_batch(std::span<const UserHistoryEntry>) override { down(); }
    std::vector<HistoryEntry> history(UserId, std::size_t) override { down(); }
    std::int64_t purge_history(int) override { down(); }
    std::int64_t add_quarantine(UserId, const QuarantineEntry&) override { down(); }
    std::optional<QuarantineEntry> find_quarantine_by_signature(UserId, std::string_view) override {
        down();
    }
    std::int64_t release_quarantine(std::string_view, std::string_view) override { down(); }
};

struct Preference {
    std::string user;
    std::string key;
    std::string value;
};

struct Fixture {
    // Preferences are set first: a Filter reads them when it first sees a user.
    explicit Fixture(Config config = Config{}, const std::vector<Preference>& preferences = {}) {
        store = std::make_shared<MemoryStore>();
        for (const Preference& p : preferences) {
            store->set_preference(store->user_id(p.user), p.key, p.value);
        }
        runtime = std::make_unique<Runtime>(std::move(config), store, "mx.test");
        for (const char* user : {"alice@example.com", "bob@example.com"}) {
            for (int i = 0; i < 30; ++i) {
                runtime->filter().train(k_spam, user, Class::spam);
                runtime->filter().train(k_ham, user, Class::innocent);
            }
        }
    }

    MessageInput input(const std::string& raw,
                       std::vector<std::string> recipients = {"alice@example.com"}) const {
        MessageInput in;
        in.queue_id = "4XyZ12";
        in.sender = "someone@example.net";
        in.recipients = std::move(recipients);
        in.client = parse_address("198.51.100.7");
        in.raw = raw;
        in.body_offset = body_offset(raw);
        const std::size_t subject = raw.find("Subject: ");
        in.subject = raw.substr(subject + 9, raw.find("\r\n", subject) - subject - 9);
        return in;
    }

    std::vector<HistoryEntry> history(const std::string& user) {
        return store->history(store->user_id(user), 10);
    }

    std::shared_ptr<MemoryStore> store;
    std::unique_ptr<Runtime> runtime;
};

const HeaderField* find_field(const Decision& decision, const std::string& name) {
    for (const HeaderField& field : decision.edits.additions) {
        if (field.name == name) {
            return &field;
        }
    }
    return nullptr;
}

TEST_CASE("innocent mail gets DSPAM's headers, foreign ones removed, and a history row") {
    Fixture f;
    MessageInput in = f.input(k_ham);
    in.dspam_headers = {{"X-DSPAM-Result", 1}};
    const Decision d = process_message(*f.runtime, in, k_now);
    CHECK(d.reply == Reply::proceed);
    REQUIRE(find_field(d, "X-DSPAM-Result") != nullptr);
    CHECK(find_field(d, "X-DSPAM-Result")->value == "Innocent");
    CHECK(find_field(d, "X-DSPAM-Probability") != nullptr);
    CHECK(find_field(d, "X-DSPAM-Confidence") != nullptr);
    CHECK(find_field(d, "X-DSPAM-Processed") != nullptr);
    REQUIRE(find_field(d, "X-DSPAM-Signature") != nullptr);
    CHECK(find_field(d, "X-DSPAM-Factors") == nullptr);
    CHECK(d.edits.changes == std::vector<HeaderChange>{{"X-DSPAM-Result", 1, std::nullopt}});
    CHECK_FALSE(d.quarantine_reason.has_value());
    CHECK(d.log_line.starts_with("4XyZ12: users=alice@example.com result=Innocent probability="));
    CHECK(d.log_line.find(" action=deliver ms=") != std::string::npos);

    const std::vector<HistoryEntry> rows = f.history("alice@example.com");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].result == "Innocent");
    CHECK(rows[0].action == "deliver");
    CHECK(rows[0].subject == "Meeting notes");
    CHECK(rows[0].queue_id == "4XyZ12");
    CHECK(rows[0].host == "mx.test");
    CHECK(rows[0].signature == find_field(d, "X-DSPAM-Signature")->value);
}

TEST_CASE("a whitelisted sender's spam is delivered as Whitelisted, in headers, log and history") {
    // The fixture's 30 innocent messages from bob@example.com were corpus-fed
    // with whitelisting on for alice: bob is past the threshold for her only.
    Fixture f(Config{}, {{"alice@example.com", "enableWhitelist", "on"}});
    const std::string spam_from_bob =
        "From: Bob <bob@example.com>\r\nSubject: You won a prize\r\n\r\n"
        "Claim your lottery prize now, wire the fee, cheap pills, casino bonus, act now\r\n";
    const Decision d = process_message(*f.runtime, f.input(spam_from_bob), k_now);
    REQUIRE(find_field(d, "X-DSPAM-Result") != nullptr);
    CHECK(find_field(d, "X-DSPAM-Result")->value == "Whitelisted");
    CHECK(d.log_line.find("result=Whitelisted") != std::string::npos);
    CHECK(d.log_line.find(" action=deliver") != std::string::npos);
    const std::vector<HistoryEntry> rows = f.history("alice@example.com");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].result == "Whitelisted");

    const Decision for_bob =
        process_message(*f.runtime, f.input(spam_from_bob, {"bob@example.com"}), k_now);
    REQUIRE(find_field(for_bob, "X-DSPAM-Result") != nullptr);
    CHECK(find_field(for_bob, "X-DSPAM-Result")->value == "Spam");
}

TEST_CASE("spam is tagged with the subject prefix and factors when configured") {
    Config config;
    config.actions.subject_prefix = "[SPAM]";
    config.actions.show_factors = true;
    Fixture f(config);
    const Decision d = process_message(*f.runtime, f.input(k_spam), k_now);
    CHECK(d.reply == Reply::proceed);
    CHECK(find_field(d, "X-DSPAM-Result")->value == "Spam");
    CHECK(find_field(d, "X-DSPAM-Factors") != nullptr);
    CHECK(d.edits.changes ==
          std::vector<HeaderChange>{{"Subject", 1, std::string("[SPAM] You won a prize")}});
    CHECK(f.history("alice@example.com").at(0).action == "tag");
}

TEST_CASE("signature_location = message appends the body tag") {
    Config config;
    config.actions.signature_location = SignatureLocation::message;
    Fixture f(config);
    const Decision d = process_message(*f.runtime, f.input(k_ham), k_now);
    REQUIRE(d.edits.body.has_value());
    CHECK(d.edits.body->ends_with("!DSPAM:" + find_field(d, "X-DSPAM-Signature")->value + "!\r\n"));
    CHECK(d.edits.body->starts_with("Here are the notes"));
}

TEST_CASE("quarantine by preference: held, and a row per user") {
    Fixture f(Config{}, {{"alice@example.com", "spamAction", "quarantine"}});
    MessageInput in = f.input(k_spam);
    const Decision d = process_message(*f.runtime, in, k_now);
    CHECK(d.reply == Reply::proceed);
    REQUIRE(d.quarantine_reason.has_value());
    CHECK(d.quarantine_reason->starts_with("dspamd: spam, probability "));
    const std::string signature = find_field(d, "X-DSPAM-Signature")->value;
    std::optional<QuarantineEntry> held =
        f.store->find_quarantine_by_signature(f.store->user_id("alice@example.com"), signature);
    REQUIRE(held.has_value());
    CHECK(held->queue_id == "4XyZ12");
    CHECK(held->host == "mx.test");
    CHECK(held->recipients == std::vector<std::string>{"alice@example.com"});
    CHECK(held->subject == "You won a prize");
    CHECK(held->message == k_spam);
    CHECK(held->message_size == static_cast<std::int64_t>(k_spam.size()));
    CHECK(f.history("alice@example.com").at(0).action == "quarantine");
}

TEST_CASE("reject above the confidence, 550 5.7.1 with the configured text") {
    Config config;
    config.actions.spam_action = SpamAction::reject;
    config.actions.reject_confidence = 0.0;
    config.actions.reject_text = "Spam 100% refused";
    Fixture f(config);
    const Decision d = process_message(*f.runtime, f.input(k_spam), k_now);
    CHECK(d.reply == Reply::reject);
    CHECK(d.code == "550");
    CHECK(d.xcode == "5.7.1");
    CHECK(d.text == "Spam 100%% refused");
    CHECK(f.history("alice@example.com").at(0).action == "reject");

    // Innocent mail is never rejected.
    CHECK(process_message(*f.runtime, f.input(k_ham), k_now).reply == Reply::proceed);
}

TEST_CASE("several users: headers of the first, the least severe action, a row each") {
    Config config;
    config.actions.spam_action = SpamAction::reject;
    config.actions.reject_confidence = 0.0;
    Fixture f(config, {{"bob@example.com", "spamAction", "quarantine"}});
    const Decision d = process_message(
        *f.runtime, f.input(k_spam, {"alice@example.com", "bob@example.com", "alice@example.com"}),
        k_now);
    // alice rejects, bob quarantines: the message is quarantined.
    CHECK(d.reply == Reply::proceed);
    CHECK(d.quarantine_reason.has_value());
    CHECK(f.history("alice@example.com").size() == 1);
    CHECK(f.history("bob@example.com").size() == 1);
    CHECK(f.history("alice@example.com").at(0).signature ==
          find_field(d, "X-DSPAM-Signature")->value);
    CHECK(d.log_line.find("users=alice@example.com,bob@example.com result=Spam,Spam") !=
          std::string::npos);
}

TEST_CASE("outgoing and oversize mail is not classified") {
    Fixture f;
    MessageInput in = f.input(k_spam);
    in.auth_authen = "alice";
    Decision d = process_message(*f.runtime, in, k_now);
    CHECK(d.reply == Reply::accept);
    CHECK(d.edits.additions.empty());

    in = f.input(k_spam);
    in.client = parse_address("127.0.0.1");
    CHECK(process_message(*f.runtime, in, k_now).reply == Reply::accept);

    in = f.input(k_spam);
    in.oversize = true;
    in.oversize_reason = "more than 10 bytes";
    in.raw.clear();
    in.dspam_headers = {{"X-DSPAM-Result", 1}};
    d = process_message(*f.runtime, in, k_now);
    CHECK(d.reply == Reply::proceed);
    CHECK(d.edits.additions.empty());
    CHECK(d.edits.changes.size() == 1);  // the foreign header still goes
    CHECK(d.log_line.find("too large (more than 10 bytes)") != std::string::npos);
    CHECK(f.history("alice@example.com").empty());

    // No recipient with a user: nothing to classify.
    d = process_message(*f.runtime, f.input(k_ham, {}), k_now);
    CHECK(d.reply == Reply::proceed);
    CHECK(d.edits.additions.empty());
}

TEST_CASE("a retraining request is performed and discarded") {
    Fixture f;
    const Decision first = process_message(*f.runtime, f.input(k_ham), k_now);
    const std::string signature = find_field(first, "X-DSPAM-Signature")->value;
    const std::string request =
        "From: alice@example.com\r\nSubject: Fwd: notes\r\n"
        "X-DSPAM-Signature: " +
        signature + "\r\n\r\n" + "spam!\r\n";
    MessageInput in = f.input(request, {"spam@example.com"});
    in.sender = "alice@example.com";
    in.auth_authen = "alice";
    in.retrain = {RetrainTarget{Class::spam, "alice@example.com", "spam@example.com"}};
    const Totals before = f.store->fetch(f.store->user_id("alice@example.com"), {}).totals;
    const Decision d = process_message(*f.runtime, in, k_now);
    CHECK(d.reply == Reply::discard);
    CHECK(d.log_line.find("retrain user=alice@example.com class=spam signature=" + signature +
                          " status=corrected") != std::string::npos);
    const Totals after = f.store->fetch(f.store->user_id("alice@example.com"), {}).totals;
    CHECK(after.spam_misclassified == before.spam_misclassified + 1);
    const std::vector<HistoryEntry> rows = f.history("alice@example.com");
    CHECK(rows.at(0).action == "retrain");
    CHECK(rows.at(0).result == "Spam");
}

TEST_CASE("database down: tempfail by default, accept untagged when configured") {
    Config config;
    auto down = std::make_shared<DownStore>();
    Runtime runtime(config, down, "mx.test");
    MessageInput in;
    in.queue_id = "QDOWN";
    in.recipients = {"alice@example.com"};
    in.client = parse_address("198.51.100.7");
    in.raw = k_ham;
    in.body_offset = body_offset(k_ham);
    in.dspam_headers = {{"X-DSPAM-Result", 1}};
    Decision d = process_message(runtime, in, k_now);
    CHECK(d.reply == Reply::tempfail);
    CHECK(d.code == "451");
    CHECK(d.xcode == "4.3.0");
    CHECK(
        d.log_line.starts_with("QDOWN: database unavailable: connection refused "
                               "Is the server running?; action=tempfail"));
    CHECK(d.log_line.find('\n') == std::string::npos);

    config.milter.on_database_error = FailurePolicy::accept;
    Runtime lenient(config, down, "mx.test");
    d = process_message(lenient, in, k_now);
    CHECK(d.reply == Reply::proceed);
    CHECK(d.edits.additions.empty());
    CHECK(d.edits.changes.size() == 1);

    // A retraining request is never delivered: tempfail whatever the policy.
    in.retrain = {RetrainTarget{Class::spam, "alice@example.com", "spam@example.com"}};
    CHECK(process_message(lenient, in, k_now).reply == Reply::tempfail);
}

}  // namespace
}  // namespace dspamd::milter
