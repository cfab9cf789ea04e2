// Vocabulary shared by the whole classifier core: tokens, classes, counts and
// a user's totals. Plain values only; nothing here does I/O.
#pragma once

#include <cstdint>
#include <string_view>

namespace dspamd {

// A token is the 64-bit hash of its text (classifier/hash.h). PostgreSQL keeps
// it in a bigint, so storage code bit-casts it to int64_t and back.
using Token = std::uint64_t;

enum class Class : std::uint8_t { innocent = 0, spam = 1 };

constexpr Class opposite(Class c) {
    return c == Class::spam ? Class::innocent : Class::spam;
}
constexpr std::string_view class_name(Class c) {
    return c == Class::spam ? "spam" : "innocent";
}

// How often a token was learned in each class (DSPAM's spam_hits/innocent_hits),
// and its logistic-regression weight in 2^-32 units (classifier/logistic.h).
// Hits are clamped at zero; the weight is a plain sum, merged groups add it.
struct Counts {
    std::int64_t spam = 0;
    std::int64_t innocent = 0;
    std::int64_t weight = 0;
    friend bool operator==(const Counts&, const Counts&) = default;
};

struct TokenStat {
    Token token = 0;
    Counts counts;
    // Occurrences in the message. DSPAM lets a token that occurs more than once
    // count twice in Burton's and Robinson's windows and prefers it on ties;
    // 1 when the caller does not count occurrences.
    std::uint32_t frequency = 1;
    // 0: the token came from the body (or the Subject). n >= 1: it came
    // first from the message's n-th header line (top-level headers, then
    // MIME part headers); fisher and the regression weigh header evidence
    // apart (combiner.cpp). Like frequency, a property of the message, not
    // of the store.
    std::uint16_t header_line = 0;
    bool from_header() const { return header_line != 0; }
    friend bool operator==(const TokenStat&, const TokenStat&) = default;
};

// DSPAM's per-user totals (struct _ds_spam_totals), with its meaning:
//   *_learned        messages whose tokens were added to that class
//   *_misclassified  errors reported by the user (counted in the right class)
//   *_corpusfed      messages trained from a corpus, never classified
//   *_classified     messages classified but not learned (TOE, NOTRAIN)
struct Totals {
    std::int64_t spam_learned = 0;
    std::int64_t innocent_learned = 0;
    std::int64_t spam_misclassified = 0;
    std::int64_t innocent_misclassified = 0;
    std::int64_t spam_corpusfed = 0;
    std::int64_t innocent_corpusfed = 0;
    std::int64_t spam_classified = 0;
    std::int64_t innocent_classified = 0;

    // The messages of each class the user has had, learned or only
    // classified (DSPAM's ts and ti: maturity, sedation, imbalance).
    std::int64_t spam_seen() const { return spam_learned + spam_classified; }
    std::int64_t innocent_seen() const { return innocent_learned + innocent_classified; }

    Totals& operator+=(const Totals& o) {
        spam_learned += o.spam_learned;
        innocent_learned += o.innocent_learned;
        spam_misclassified += o.spam_misclassified;
        innocent_misclassified += o.innocent_misclassified;
        spam_corpusfed += o.spam_corpusfed;
        innocent_corpusfed += o.innocent_corpusfed;
        spam_classified += o.spam_classified;
        innocent_classified += o.innocent_classified;
        return *this;
    }
    friend bool operator==(const Totals&, const Totals&) = default;
};

}  // namespace dspamd
