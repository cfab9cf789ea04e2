// The token store: the one narrow, batch-oriented interface between the
// classifier and its data. A message costs one fetch (all its token counts and
// the user's totals, merged with the user's group) and, when it is learned,
// one apply (all deltas in one transaction). Implementations: MemoryStore for
// unit tests and quick evaluations, PgStore (PostgreSQL) for everything else;
// CachedStore keeps hot counts in memory and writes many messages' learning,
// signatures and history back through apply_batch and record_history_batch.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "classifier/training.h"
#include "classifier/types.h"

namespace dspamd {

using UserId = std::int64_t;

// The database could not be reached or did not answer in time: the caller's
// failure policy decides (tempfail by default). Other errors are internal.
class StoreUnavailable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A user's counts as the classifier sees them: own plus merged group.
struct Snapshot {
    Totals totals;
    std::vector<TokenStat> stats;  // one per requested token, same order; unknown = zero counts
};

// What one training writes besides counts: the message's signature.
struct SignatureRecord {
    std::string id;  // printable, unique per user (X-DSPAM-Signature)
    Signature signature;
    // encode_signature(signature), when the writer holds the signature only
    // in that form (the cache's write-back): `signature` is then left empty
    // and stores take these bytes as they are.
    std::string encoded = {};
};

// The bytes a store keeps for a signature record.
inline std::string encoded_signature(const SignatureRecord& record) {
    return record.encoded.empty() ? encode_signature(record.signature) : record.encoded;
}

// One row of DSPAM's dspam_stats, as the statistics views compute it.
struct UserStats {
    std::string user;
    Totals totals;
    std::int64_t true_positives = 0;
    std::int64_t true_negatives = 0;
    std::int64_t false_positives = 0;
    std::int64_t false_negatives = 0;
    double accuracy = 0.0;  // percent of classified messages judged right
};

// One message processed for a user (DSPAM's history): a row of `history`.
struct HistoryEntry {
    std::int64_t time = 0;  // Unix seconds
    std::string result;     // "Spam", "Innocent", "Whitelisted" or "Virus"
    std::string action;     // "deliver", "tag", "quarantine", "reject" or "retrain"
    std::string sender;     // envelope sender ("" for <>)
    std::string subject;
    double probability = 0.0;
    std::string signature;  // "" = none
    std::string queue_id;   // Postfix's {i}
    std::string host;       // the host that filtered it
    friend bool operator==(const HistoryEntry&, const HistoryEntry&) = default;
};

// A history row and whose it is, for writing many users' rows at once.
struct UserHistoryEntry {
    UserId user = 0;
    HistoryEntry entry;
};

// A message held in Postfix's hold queue for a user: a row of `quarantine`.
struct QuarantineEntry {
    std::int64_t id = 0;    // assigned by add_quarantine
    std::int64_t time = 0;  // Unix seconds
    std::string queue_id;
    std::string host;
    std::string sender;
    std::vector<std::string> recipients;
    std::string subject;
    double probability = 0.0;
    std::string signature;          // "" = none
    std::string message;            // the first bytes of the message, for preview
    std::int64_t message_size = 0;  // the whole message's size
    bool released = false;
    friend bool operator==(const QuarantineEntry&, const QuarantineEntry&) = default;
};

// Receives tokens in chunks.
using TokenChunkSink = std::function<void(std::span<const Token>)>;

class Store {
public:
    virtual ~Store() = default;

    // The id of a user by name; virtual users are created on first use.
    virtual UserId user_id(std::string_view name) = 0;

    // Makes `group` the merged group of `user`: its counts and totals are
    // added to the user's at read time (DSPAM's merged groups). Empty: none.
    virtual void set_merge_group(UserId user, std::optional<UserId> group) = 0;

    // One round trip. `tokens` are distinct and sorted ascending.
    virtual Snapshot fetch(UserId user, std::span<const Token> tokens) = 0;

    // One transaction: token deltas (ascending token order), totals, and an
    // optional signature to insert or replace.
    virtual void apply(UserId user, const TrainingDelta& delta,
                       const SignatureRecord* signature) = 0;
    // The same with any number of signatures, all in the same transaction
    // (one statement): the write-back of many messages at once. When an id
    // appears twice, the later signature is the one kept.
    virtual void apply_batch(UserId user, const TrainingDelta& delta,
                             std::span<const SignatureRecord> signatures) = 0;

    virtual std::optional<Signature> load_signature(UserId user, std::string_view id) = 0;

    // The tokens that have a row, in chunks (a token may come more than
    // once): with no `user`, every user's (what CachedStore's KnownTokens
    // filter is built from); else those fetch(user) finds, the user's and its
    // merged group's (what CachedStore preloads). An exception from `sink`
    // ends the scan and passes up unchanged.
    virtual void scan_tokens(std::optional<UserId> user, const TokenChunkSink& sink) = 0;

    // How many token rows the user owns (not its merged group's): what its
    // learning costs in storage. Rows left with no counts are not kept.
    virtual std::int64_t token_rows(UserId user) = 0;

    // Per-user preferences (DSPAM's preference table), key -> value.
    virtual std::map<std::string, std::string> preferences(UserId user) = 0;
    virtual void set_preference(UserId user, std::string_view key, std::string_view value) = 0;

    // dspam_stats: every user, or the one named.
    virtual std::vector<UserStats> stats(std::optional<std::string_view> user) = 0;

    // Appends one row to the user's history (storage/limits.h says what is valid).
    virtual void record_history(UserId user, const HistoryEntry& entry) = 0;
    // Appends rows of any users in one transaction (one statement), in the
    // order given: all of them, or none when one is invalid.
    virtual void record_history_batch(std::span<const UserHistoryEntry> rows) = 0;
    // The user's latest `limit` rows, newest first.
    virtual std::vector<HistoryEntry> history(UserId user, std::size_t limit) = 0;
    // Deletes history rows older than `older_than_days`; returns how many.
    virtual std::int64_t purge_history(int older_than_days) = 0;

    // Records a held message for a user; returns the row's id.
    virtual std::int64_t add_quarantine(UserId user, const QuarantineEntry& entry) = 0;
    // The user's newest quarantine row with this signature.
    virtual std::optional<QuarantineEntry> find_quarantine_by_signature(
        UserId user, std::string_view signature) = 0;
    // Marks every row of the held message (queue id and host: the hold is
    // per message, whatever the user) released; returns how many rows were
    // not released before.
    virtual std::int64_t release_quarantine(std::string_view queue_id, std::string_view host) = 0;
};

}  // namespace dspamd
