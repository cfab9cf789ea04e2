// The Store contract as test functions, run against MemoryStore
// (memory_store_test.cpp) and PgStore (pg_store_test.cpp): both stores must
// pass the very same checks. Each function takes a prefix for its user names
// so that it can share a database with other tests.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <ctime>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "storage/store.h"

// Readable failures: doctest prints these instead of {?}.
namespace doctest {
template <>
struct StringMaker<dspamd::Counts> {
    static String convert(const dspamd::Counts& c) {
        return ("{spam " + std::to_string(c.spam) + ", innocent " + std::to_string(c.innocent) +
                ", weight " + std::to_string(c.weight) + "}")
            .c_str();
    }
};
template <>
struct StringMaker<dspamd::Totals> {
    static String convert(const dspamd::Totals& t) {
        return ("{learned " + std::to_string(t.spam_learned) + "/" +
                std::to_string(t.innocent_learned) + ", misclassified " +
                std::to_string(t.spam_misclassified) + "/" +
                std::to_string(t.innocent_misclassified) + ", corpusfed " +
                std::to_string(t.spam_corpusfed) + "/" + std::to_string(t.innocent_corpusfed) +
                ", classified " + std::to_string(t.spam_classified) + "/" +
                std::to_string(t.innocent_classified) + "}")
            .c_str();
    }
};
}  // namespace doctest

namespace dspamd::contract {

inline TrainingDelta make_delta(std::vector<TokenDelta> tokens, Totals totals = {}) {
    std::sort(tokens.begin(), tokens.end(),
              [](const TokenDelta& a, const TokenDelta& b) { return a.token < b.token; });
    return TrainingDelta{std::move(tokens), totals};
}

inline Counts counts_of(Store& store, UserId user, Token token) {
    const Token tokens[] = {token};
    return store.fetch(user, tokens).stats.at(0).counts;
}

inline void check_users(Store& store, const std::string& prefix) {
    const UserId alice = store.user_id(prefix + "alice@example.com");
    const UserId bob = store.user_id(prefix + "bob@example.com");
    CHECK(alice != bob);
    CHECK(store.user_id(prefix + "alice@example.com") == alice);
    CHECK_THROWS_AS(store.user_id(""), std::invalid_argument);
    CHECK_THROWS_AS(store.user_id(std::string(257, 'x')), std::invalid_argument);
    CHECK_THROWS_AS(store.user_id("bad\xff"
                                  "utf8"),
                    std::invalid_argument);
    CHECK_THROWS_AS(store.user_id(std::string("nul\0byte", 8)), std::invalid_argument);
    CHECK(store.user_id(prefix + "j\xc3\xbcrgen") > 0);
}

inline void check_fetch_apply(Store& store, const std::string& prefix) {
    const UserId user = store.user_id(prefix + "roundtrip");
    // The high tokens do not fit a signed bigint: they must survive the bit-cast.
    const Token high = std::numeric_limits<Token>::max();
    const Token mid = Token{1} << 63;
    Totals totals;
    totals.spam_learned = 2;
    totals.innocent_classified = 5;
    store.apply(user, make_delta({{7, 3, 1}, {high, 0, 4}, {mid, 2, 0}, {42, 0, 0}}, totals),
                nullptr);
    store.apply(user, make_delta({{7, 1, 0}}), nullptr);

    const std::vector<Token> tokens = {1, 7, 42, mid, high};
    const Snapshot snapshot = store.fetch(user, tokens);
    REQUIRE(snapshot.stats.size() == tokens.size());
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        CHECK(snapshot.stats[i].token == tokens[i]);
    }
    CHECK(snapshot.stats[0].counts == Counts{0, 0});
    CHECK(snapshot.stats[1].counts == Counts{4, 1});
    CHECK(snapshot.stats[2].counts == Counts{0, 0});
    CHECK(snapshot.stats[3].counts == Counts{2, 0});
    CHECK(snapshot.stats[4].counts == Counts{0, 4});
    CHECK(snapshot.totals == totals);

    // Empty requests and unknown users read as zero.
    CHECK(store.fetch(user, {}).stats.empty());
    CHECK(store.fetch(user, {}).totals == totals);
    const Snapshot unknown = store.fetch(987654321, tokens);
    CHECK(unknown.totals == Totals{});
    CHECK(unknown.stats.size() == tokens.size());
    CHECK(std::all_of(unknown.stats.begin(), unknown.stats.end(),
                      [](const TokenStat& s) { return s.counts == Counts{}; }));
    CHECK_THROWS_AS(store.apply(987654321, make_delta({{1, 1, 0}}), nullptr),
                    std::invalid_argument);
}

inline void check_never_negative(Store& store, const std::string& prefix) {
    const UserId user = store.user_id(prefix + "negative");
    Totals learned;
    learned.spam_learned = 1;
    learned.innocent_misclassified = 1;
    store.apply(user, make_delta({{10, 2, 1}}, learned), nullptr);

    Totals unlearn;
    unlearn.spam_learned = -3;
    unlearn.innocent_misclassified = -1;
    unlearn.spam_corpusfed = -2;
    // 10 exists and goes below zero; 11 is new with a negative delta; 12 is
    // new with a mixed delta (a correction of a purged token).
    store.apply(user, make_delta({{10, -5, -1}, {11, -1, -1}, {12, 1, -1}}, unlearn), nullptr);
    CHECK(counts_of(store, user, 10) == Counts{0, 0});
    CHECK(counts_of(store, user, 11) == Counts{0, 0});
    CHECK(counts_of(store, user, 12) == Counts{1, 0});
    const Snapshot snapshot = store.fetch(user, {});
    CHECK(snapshot.totals == Totals{});

    store.apply(user, make_delta({{10, 1, 2}, {11, 0, 3}}), nullptr);
    CHECK(counts_of(store, user, 10) == Counts{1, 2});
    CHECK(counts_of(store, user, 11) == Counts{0, 3});
}

// token_rows counts the user's own rows: rows left empty are gone, another
// user's and the merged group's rows are not counted.
inline void check_token_rows(Store& store, const std::string& prefix) {
    const UserId user = store.user_id(prefix + "rows");
    const UserId other = store.user_id(prefix + "rows-other");
    const UserId group = store.user_id(prefix + "rows-group");
    CHECK(store.token_rows(user) == 0);
    store.apply(user, make_delta({{1, 1, 0}, {2, 0, 1}, {3, 2, 2}, {4, 0, 0}}), nullptr);
    store.apply(other, make_delta({{1, 5, 5}, {9, 1, 0}}), nullptr);
    store.apply(group, make_delta({{5, 1, 0}, {6, 1, 0}, {7, 1, 0}}), nullptr);
    store.set_merge_group(user, group);
    CHECK(store.token_rows(user) == 3);
    CHECK(store.token_rows(other) == 2);
    // Emptied rows go, clamped ones stay; a decrement of an absent token adds none.
    store.apply(user, make_delta({{1, -1, 0}, {3, -5, 0}, {8, -1, -1}}), nullptr);
    CHECK(store.token_rows(user) == 2);
    CHECK(counts_of(store, user, 3) == Counts{0, 2});
    store.set_merge_group(user, std::nullopt);
}

// scan_tokens: every token with a row, of every user, full 64-bit values;
// rows emptied by unlearning are gone. Other checks share the store, so the
// scan may hold more.
inline void check_scan_tokens(Store& store, const std::string& prefix) {
    const UserId user = store.user_id(prefix + "scan");
    const UserId other = store.user_id(prefix + "scan-other");
    const Token high = (Token{1} << 63) + 5;  // negative as a bigint
    store.apply(user, make_delta({{9'101, 1, 0}, {9'102, 0, 1}, {high, 1, 0}, {9'104, 1, 0}}),
                nullptr);
    store.apply(other, make_delta({{9'101, 0, 2}, {9'103, 0, 0, 17}}), nullptr);
    store.apply(user, make_delta({{9'104, -1, 0}}), nullptr);
    const auto scan = [&](std::optional<UserId> owner) {
        std::multiset<Token> seen;
        store.scan_tokens(owner, [&](std::span<const Token> tokens) {
            seen.insert(tokens.begin(), tokens.end());
        });
        return seen;
    };
    const std::multiset<Token> all = scan(std::nullopt);
    CHECK(all.count(9'101) == 2);  // one row per user
    CHECK(all.count(9'102) == 1);
    CHECK(all.count(9'103) == 1);  // a weight alone keeps a row
    CHECK(all.count(high) == 1);
    CHECK(all.count(9'104) == 0);

    // A user's: its own rows and its merged group's, no one else's.
    const UserId group = store.user_id(prefix + "scan-group");
    store.apply(group, make_delta({{9'105, 1, 0}}), nullptr);
    store.set_merge_group(user, group);
    CHECK(scan(user) == std::multiset<Token>{9'101, 9'102, 9'105, high});
    CHECK(scan(other) == std::multiset<Token>{9'101, 9'103});
    store.set_merge_group(user, std::nullopt);
    CHECK(scan(user) == std::multiset<Token>{9'101, 9'102, high});

    // The sink may end the scan by throwing; the store stays usable.
    CHECK_THROWS_AS(store.scan_tokens(std::nullopt,
                                      [](std::span<const Token>) {
                                          throw std::length_error("enough");
                                      }),
                    std::length_error);
    CHECK(scan(other) == std::multiset<Token>{9'101, 9'103});
}

// Weights (the logistic learner's): plain sums, never clamped, negative
// allowed, exact at any size; a row keeps its weight when its hits clamp to
// zero; merged groups add weights like hits.
inline void check_weights(Store& store, const std::string& prefix) {
    const UserId user = store.user_id(prefix + "weights");
    const std::int64_t big = std::int64_t{1} << 52;  // past a double's exact integers once summed
    store.apply(user, make_delta({{1, 0, 0, 5}, {2, 1, 0, -7}, {3, 0, 0, big + 1}}), nullptr);
    CHECK(counts_of(store, user, 1) == Counts{0, 0, 5});
    CHECK(counts_of(store, user, 2) == Counts{1, 0, -7});
    store.apply(user, make_delta({{1, 0, 0, -12}, {3, 0, 0, big * 3 + 2}}), nullptr);
    CHECK(counts_of(store, user, 1) == Counts{0, 0, -7});
    CHECK(counts_of(store, user, 3) == Counts{0, 0, big * 4 + 3});

    // Hits clamp at zero in the same delta; the weight is still added, and
    // the row, hits 0 but weight not, stays.
    store.apply(user, make_delta({{2, -3, -1, 4}, {4, -1, 0, 9}}), nullptr);
    CHECK(counts_of(store, user, 2) == Counts{0, 0, -3});
    CHECK(counts_of(store, user, 4) == Counts{0, 0, 9});

    // Back to nothing: reads as an unknown token.
    store.apply(user, make_delta({{1, 0, 0, 7}, {4, 0, 0, -9}}), nullptr);
    CHECK(counts_of(store, user, 1) == Counts{});
    CHECK(counts_of(store, user, 4) == Counts{});

    // A merged group's weights add to the member's.
    const UserId group = store.user_id(prefix + "weights-group");
    store.apply(group, make_delta({{2, 2, 0, 10}, {5, 0, 0, -1}}), nullptr);
    store.set_merge_group(user, group);
    const std::vector<Token> tokens = {2, 5};
    const Snapshot merged = store.fetch(user, tokens);
    CHECK(merged.stats[0].counts == Counts{2, 0, 7});
    CHECK(merged.stats[1].counts == Counts{0, 0, -1});
    store.set_merge_group(user, std::nullopt);
}

inline void check_merged_group(Store& store, const std::string& prefix) {
    const UserId user = store.user_id(prefix + "member");
    const UserId group = store.user_id(prefix + "group");
    const UserId outer = store.user_id(prefix + "outer-group");
    Totals user_totals;
    user_totals.spam_learned = 1;
    Totals group_totals;
    group_totals.spam_learned = 10;
    group_totals.innocent_learned = 20;
    Totals outer_totals;
    outer_totals.spam_corpusfed = 100;
    store.apply(user, make_delta({{1, 1, 0}, {2, 0, 1}}, user_totals), nullptr);
    store.apply(group, make_delta({{1, 5, 5}, {3, 7, 0}}, group_totals), nullptr);
    store.apply(outer, make_delta({{1, 100, 100}}, outer_totals), nullptr);

    const std::vector<Token> tokens = {1, 2, 3, 4};
    Snapshot alone = store.fetch(user, tokens);
    CHECK(alone.stats[0].counts == Counts{1, 0});
    CHECK(alone.stats[2].counts == Counts{0, 0});
    CHECK(alone.totals == user_totals);

    store.set_merge_group(user, group);
    // One level only: the group's own group is not added.
    store.set_merge_group(group, outer);
    const Snapshot merged = store.fetch(user, tokens);
    CHECK(merged.stats[0].counts == Counts{6, 5});
    CHECK(merged.stats[1].counts == Counts{0, 1});
    CHECK(merged.stats[2].counts == Counts{7, 0});
    CHECK(merged.stats[3].counts == Counts{0, 0});
    Totals sum = user_totals;
    sum += group_totals;
    CHECK(merged.totals == sum);

    // Learning as the user never changes the group's counts.
    store.apply(user, make_delta({{3, 1, 0}}), nullptr);
    CHECK(counts_of(store, group, 3) == Counts{7, 0});
    CHECK(counts_of(store, user, 3) == Counts{8, 0});

    store.set_merge_group(user, std::nullopt);
    CHECK(store.fetch(user, tokens).totals == user_totals);
    CHECK_THROWS_AS(store.set_merge_group(user, user), std::invalid_argument);
    CHECK_THROWS_AS(store.set_merge_group(user, 987654321), std::invalid_argument);
    CHECK_THROWS_AS(store.set_merge_group(987654321, group), std::invalid_argument);
}

inline void check_stats(Store& store, const std::string& prefix) {
    const UserId user = store.user_id(prefix + "stats");
    Totals totals;
    totals.spam_learned = 50;
    totals.innocent_learned = 120;
    totals.spam_misclassified = 4;
    totals.innocent_misclassified = 2;
    totals.spam_corpusfed = 10;
    totals.innocent_corpusfed = 20;
    totals.spam_classified = 6;
    totals.innocent_classified = 30;
    store.apply(user, make_delta({}, totals), nullptr);

    const std::vector<UserStats> rows = store.stats(prefix + "stats");
    REQUIRE(rows.size() == 1);
    const UserStats& s = rows[0];
    CHECK(s.user == prefix + "stats");
    CHECK(s.totals == totals);
    // dspam_stats: TP = 50 + 6 - 4 - 10, TN = 120 + 30 - 2 - 20, FP = 2, FN = 4.
    CHECK(s.true_positives == 42);
    CHECK(s.true_negatives == 128);
    CHECK(s.false_positives == 2);
    CHECK(s.false_negatives == 4);
    CHECK(s.accuracy == doctest::Approx(100.0 - 6.0 * 100.0 / 176.0));

    // Nothing classified: 100 %, as dspam_stats prints.
    const UserId fresh = store.user_id(prefix + "stats-fresh");
    (void)fresh;
    const std::vector<UserStats> empty = store.stats(prefix + "stats-fresh");
    REQUIRE(empty.size() == 1);
    CHECK(empty[0].totals == Totals{});
    CHECK(empty[0].accuracy == doctest::Approx(100.0));

    // TP is clamped at zero like dspam_stats' MAX(0, ...).
    const UserId odd = store.user_id(prefix + "stats-odd");
    Totals corpus_only;
    corpus_only.spam_corpusfed = 5;
    corpus_only.spam_misclassified = 1;
    store.apply(odd, make_delta({}, corpus_only), nullptr);
    const std::vector<UserStats> clamped = store.stats(prefix + "stats-odd");
    REQUIRE(clamped.size() == 1);
    CHECK(clamped[0].true_positives == 0);
    CHECK(clamped[0].false_negatives == 1);
    CHECK(clamped[0].accuracy == doctest::Approx(0.0));

    CHECK(store.stats(prefix + "nobody").empty());
    const std::vector<UserStats> all = store.stats(std::nullopt);
    CHECK(std::is_sorted(all.begin(), all.end(),
                         [](const UserStats& a, const UserStats& b) { return a.user < b.user; }));
    CHECK(std::count_if(all.begin(), all.end(), [&](const UserStats& r) {
              return r.user.starts_with(prefix + "stats");
          }) == 3);
}

inline void check_signatures(Store& store, const std::string& prefix) {
    const UserId user = store.user_id(prefix + "signatures");
    const UserId other = store.user_id(prefix + "signatures-other");
    Signature signature;
    signature.result = Class::spam;
    signature.learned = {1, 5, 900, Token{1} << 63, std::numeric_limits<Token>::max()};
    signature.unlearned = {2, 3};
    signature.totals_learned = true;
    const SignatureRecord record{"4f3a2b1c0d9e8f7a", signature};
    store.apply(user, make_delta({{1, 1, 0}}), &record);

    const std::optional<Signature> loaded = store.load_signature(user, record.id);
    REQUIRE(loaded.has_value());
    CHECK(*loaded == signature);
    CHECK_FALSE(store.load_signature(other, record.id).has_value());
    CHECK_FALSE(store.load_signature(user, "no-such-signature").has_value());

    // A record that carries the signature only encoded (the cache's
    // write-back) stores the same.
    Signature innocent = signature;
    innocent.result = Class::innocent;
    const SignatureRecord encoded_only{"encoded-only", Signature{}, encode_signature(innocent)};
    store.apply(user, TrainingDelta{}, &encoded_only);
    const std::optional<Signature> loaded_encoded = store.load_signature(user, "encoded-only");
    REQUIRE(loaded_encoded.has_value());
    CHECK(*loaded_encoded == innocent);

    // A correction replaces the signature under the same id, with nothing else to apply.
    Signature corrected = signature;
    corrected.result = Class::innocent;
    corrected.corrected = true;
    const SignatureRecord replacement{record.id, corrected};
    store.apply(user, TrainingDelta{}, &replacement);
    CHECK(store.load_signature(user, record.id) == corrected);

    // Test-conditional passes and an unlearn are part of the signature too.
    Signature repeated = corrected;
    repeated.repeats = 3;
    const SignatureRecord with_repeats{record.id, repeated};
    store.apply(user, TrainingDelta{}, &with_repeats);
    CHECK(store.load_signature(user, record.id) == repeated);
    Signature withdrawn = repeated;
    withdrawn.repeats = 0;
    withdrawn.withdrawn = true;
    const SignatureRecord unlearned{record.id, withdrawn};
    store.apply(user, TrainingDelta{}, &unlearned);
    CHECK(store.load_signature(user, record.id) == withdrawn);

    // Stored encoded, like the signatures table: unsorted, repeated tokens come back sorted.
    Signature messy;
    messy.learned = {9, 3, 3, 7};
    const SignatureRecord messy_record{"messy", messy};
    store.apply(user, TrainingDelta{}, &messy_record);
    const std::optional<Signature> tidy = store.load_signature(user, "messy");
    REQUIRE(tidy.has_value());
    CHECK(tidy->learned == std::vector<Token>{3, 7, 9});

    const SignatureRecord empty_id{"", signature};
    CHECK_THROWS_AS(store.apply(user, TrainingDelta{}, &empty_id), std::invalid_argument);
    const SignatureRecord long_id{std::string(129, 'a'), signature};
    CHECK_THROWS_AS(store.apply(user, TrainingDelta{}, &long_id), std::invalid_argument);
}

// apply_batch: deltas once, every signature in one go, the later of a
// repeated id kept, a bad id refusing the whole batch.
inline void check_signature_batch(Store& store, const std::string& prefix) {
    const UserId user = store.user_id(prefix + "signature-batch");
    std::vector<SignatureRecord> records;
    for (int i = 0; i < 4; ++i) {
        Signature signature;
        signature.result = i % 2 == 0 ? Class::spam : Class::innocent;
        signature.learned = {static_cast<Token>(i + 1), 1000, Token{1} << 63};
        records.push_back({"batch-" + std::to_string(i), signature});
    }
    records.push_back({"quote\"back\\slash,{brace} NULL", records[1].signature});
    Signature later = records[0].signature;
    later.corrected = true;
    records.push_back({records[0].id, later});  // the same id again: this one wins
    Totals totals;
    totals.spam_classified = 4;
    store.apply_batch(user, make_delta({{1, 2, 0}, {2, 0, 3}}, totals), records);

    CHECK(counts_of(store, user, 1) == Counts{2, 0});
    CHECK(counts_of(store, user, 2) == Counts{0, 3});
    CHECK(store.fetch(user, std::vector<Token>{1}).totals.spam_classified == 4);
    CHECK(store.load_signature(user, records[0].id) == later);
    for (std::size_t i = 1; i < 5; ++i) {
        CHECK(store.load_signature(user, records[i].id) == records[i].signature);
    }

    // Only signatures; nothing at all.
    const std::vector<SignatureRecord> only{{"batch-only", records[2].signature}};
    store.apply_batch(user, TrainingDelta{}, only);
    CHECK(store.load_signature(user, "batch-only") == records[2].signature);
    store.apply_batch(user, TrainingDelta{}, {});

    // One bad id: nothing of the batch is applied.
    const std::vector<SignatureRecord> bad{{"batch-good", later}, {"", later}};
    CHECK_THROWS_AS(store.apply_batch(user, make_delta({{1, 5, 0}}), bad), std::invalid_argument);
    CHECK(counts_of(store, user, 1) == Counts{2, 0});
    CHECK_FALSE(store.load_signature(user, "batch-good").has_value());
}

inline void check_preferences(Store& store, const std::string& prefix) {
    const UserId user = store.user_id(prefix + "preferences");
    CHECK(store.preferences(user).empty());
    store.set_preference(user, "trainingMode", "toe");
    store.set_preference(user, "spamAction", "quarantine");
    store.set_preference(user, "trainingMode", "tum");
    store.set_preference(user, "signatureLocation", "");
    const std::map<std::string, std::string> expected = {
        {"signatureLocation", ""}, {"spamAction", "quarantine"}, {"trainingMode", "tum"}};
    CHECK(store.preferences(user) == expected);
    CHECK(store.preferences(987654321).empty());
    CHECK_THROWS_AS(store.set_preference(user, "", "x"), std::invalid_argument);
    CHECK_THROWS_AS(store.set_preference(user, "k", std::string(4097, 'v')), std::invalid_argument);
    CHECK_THROWS_AS(store.set_preference(987654321, "k", "v"), std::invalid_argument);
}

inline HistoryEntry make_history(std::int64_t time, std::string subject) {
    HistoryEntry entry;
    entry.time = time;
    entry.result = "Spam";
    entry.action = "tag";
    entry.sender = "sender@example.net";
    entry.subject = std::move(subject);
    entry.probability = 0.9991;
    entry.signature = "5f0e1d2c3b4a";
    entry.queue_id = "4AbCdE1234";
    entry.host = "mx1.example.com";
    return entry;
}

inline void check_history(Store& store, const std::string& prefix) {
    const UserId user = store.user_id(prefix + "history");
    const UserId other = store.user_id(prefix + "history-other");
    const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    const std::int64_t day = 86400;
    store.record_history(user, make_history(now - 40 * day, "old"));
    store.record_history(user, make_history(now - day, "yesterday"));
    HistoryEntry plain = make_history(now, "j\xc3\xbcngst");
    plain.result = "Innocent";
    plain.action = "deliver";
    plain.signature = "";
    plain.sender = "";
    plain.probability = 0.0;
    store.record_history(user, plain);
    store.record_history(other, make_history(now, "someone else's"));

    const std::vector<HistoryEntry> rows = store.history(user, 10);
    REQUIRE(rows.size() == 3);
    CHECK(rows[0] == plain);
    CHECK(rows[1] == make_history(now - day, "yesterday"));
    CHECK(rows[2].subject == "old");
    CHECK(store.history(user, 1).size() == 1);
    CHECK(store.history(987654321, 10).empty());

    for (const char* bad : {"Maybe", ""}) {
        HistoryEntry entry = make_history(now, "bad result");
        entry.result = bad;
        CHECK_THROWS_AS(store.record_history(user, entry), std::invalid_argument);
    }
    HistoryEntry bad_action = make_history(now, "bad action");
    bad_action.action = "drop";
    CHECK_THROWS_AS(store.record_history(user, bad_action), std::invalid_argument);
    HistoryEntry bad_probability = make_history(now, "bad probability");
    bad_probability.probability = 1.5;
    CHECK_THROWS_AS(store.record_history(user, bad_probability), std::invalid_argument);
    HistoryEntry long_subject = make_history(now, std::string(513, 's'));
    CHECK_THROWS_AS(store.record_history(user, long_subject), std::invalid_argument);
    HistoryEntry bad_utf8 = make_history(now, "bad\xff");
    CHECK_THROWS_AS(store.record_history(user, bad_utf8), std::invalid_argument);
    CHECK_THROWS_AS(store.record_history(987654321, make_history(now, "nobody")),
                    std::invalid_argument);

    // Only rows older than the expiry go; other users' rows too.
    store.record_history(other, make_history(now - 31 * day, "other's old"));
    CHECK(store.purge_history(30) >= 2);
    CHECK(store.history(user, 10).size() == 2);
    CHECK(store.history(other, 10).size() == 1);
    CHECK_THROWS_AS(store.purge_history(-1), std::invalid_argument);
}

// record_history_batch: rows of several users in one go, in order, text
// that needs quoting intact; one bad row or unknown user refuses them all.
inline void check_history_batch(Store& store, const std::string& prefix) {
    const UserId user = store.user_id(prefix + "history-batch");
    const UserId other = store.user_id(prefix + "history-batch-other");
    const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    HistoryEntry tricky = make_history(now - 5, "\"quoted\", {braces}, back\\slash, NULL");
    tricky.sender = "";
    tricky.signature = "";
    tricky.probability = 0.30000000000000004;  // needs 17 digits to come back the same
    const std::vector<UserHistoryEntry> rows = {
        {user, make_history(now - 5, "first")},
        {other, make_history(now, "other's")},
        {user, tricky},
        {user, make_history(now, "newest")},
    };
    store.record_history_batch(rows);
    const std::vector<HistoryEntry> mine = store.history(user, 10);
    REQUIRE(mine.size() == 3);
    CHECK(mine[0] == rows[3].entry);
    CHECK(mine[1] == tricky);  // the same second as "first", written after it
    CHECK(mine[2] == rows[0].entry);
    CHECK(store.history(other, 10) == std::vector<HistoryEntry>{rows[1].entry});
    store.record_history_batch({});

    HistoryEntry bad = make_history(now, "bad");
    bad.action = "drop";
    const std::vector<UserHistoryEntry> with_bad = {{user, make_history(now, "fine")},
                                                     {user, bad}};
    CHECK_THROWS_AS(store.record_history_batch(with_bad), std::invalid_argument);
    const std::vector<UserHistoryEntry> with_stranger = {{user, make_history(now, "fine")},
                                                          {987654321, make_history(now, "x")}};
    CHECK_THROWS_AS(store.record_history_batch(with_stranger), std::invalid_argument);
    CHECK(store.history(user, 10).size() == 3);
}

inline QuarantineEntry make_quarantined(std::string queue_id, std::string signature) {
    QuarantineEntry entry;
    entry.time = static_cast<std::int64_t>(std::time(nullptr));
    entry.queue_id = std::move(queue_id);
    entry.host = "mx1.example.com";
    entry.sender = "spammer@example.net";
    entry.recipients = {"alice@example.com", "bob@example.com"};
    entry.subject = "Cheap watches";
    entry.probability = 1.0;
    entry.signature = std::move(signature);
    entry.message = std::string("Subject: Cheap watches\r\n\r\n\0\xff binary", 35);
    entry.message_size = 100000;
    return entry;
}

inline void check_quarantine(Store& store, const std::string& prefix) {
    const UserId alice = store.user_id(prefix + "quarantine-alice");
    const UserId bob = store.user_id(prefix + "quarantine-bob");
    const QuarantineEntry held = make_quarantined(prefix + "QID1", "aaaa1111");
    const std::int64_t first = store.add_quarantine(alice, held);
    const std::int64_t second =
        store.add_quarantine(bob, make_quarantined(prefix + "QID1", "bbbb2222"));
    CHECK(first > 0);
    CHECK(second != first);

    std::optional<QuarantineEntry> found = store.find_quarantine_by_signature(alice, "aaaa1111");
    REQUIRE(found.has_value());
    QuarantineEntry expected = held;
    expected.id = first;
    CHECK(*found == expected);
    CHECK_FALSE(store.find_quarantine_by_signature(bob, "aaaa1111").has_value());
    CHECK_FALSE(store.find_quarantine_by_signature(alice, "nothing").has_value());

    // No recipients and no signature are allowed.
    QuarantineEntry bare = make_quarantined(prefix + "QID2", "");
    bare.recipients.clear();
    bare.message.clear();
    bare.message_size = 0;
    CHECK(store.add_quarantine(alice, bare) > 0);

    // The hold is per message: releasing it marks every user's row, once.
    CHECK(store.release_quarantine(prefix + "QID1", "mx1.example.com") == 2);
    CHECK(store.release_quarantine(prefix + "QID1", "mx1.example.com") == 0);
    CHECK(store.release_quarantine(prefix + "QID1", "mx2.example.com") == 0);
    CHECK(store.find_quarantine_by_signature(alice, "aaaa1111")->released);
    CHECK(store.find_quarantine_by_signature(bob, "bbbb2222")->released);

    QuarantineEntry no_queue = make_quarantined("", "cccc");
    CHECK_THROWS_AS(store.add_quarantine(alice, no_queue), std::invalid_argument);
    QuarantineEntry short_size = make_quarantined(prefix + "QID3", "cccc");
    short_size.message_size = 3;
    CHECK_THROWS_AS(store.add_quarantine(alice, short_size), std::invalid_argument);
    QuarantineEntry newline = make_quarantined(prefix + "QID3", "cccc");
    newline.recipients = {"a@b\nc@d"};
    CHECK_THROWS_AS(store.add_quarantine(alice, newline), std::invalid_argument);
    CHECK_THROWS_AS(store.add_quarantine(987654321, make_quarantined(prefix + "QID4", "")),
                    std::invalid_argument);
}

}  // namespace dspamd::contract
