// A token store for the training and learning-feature tests, as the real
// ones behave: deltas added, every count clamped at zero (DSPAM clamps the
// same way), weights summed.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <map>

#include "classifier/training.h"

namespace dspamd::test {

struct CountingStore {
    std::map<Token, Counts> tokens;
    Totals totals;

    static void add(std::int64_t& value, std::int64_t delta) {
        value = std::max<std::int64_t>(0, value + delta);
    }

    Counts counts(Token token) const {
        auto it = tokens.find(token);
        return it == tokens.end() ? Counts{} : it->second;
    }

    void apply(const TrainingDelta& d) {
        CHECK(std::is_sorted(
            d.tokens.begin(), d.tokens.end(),
            [](const TokenDelta& a, const TokenDelta& b) { return a.token < b.token; }));
        for (const TokenDelta& t : d.tokens) {
            Counts& c = tokens[t.token];
            add(c.spam, t.spam);
            add(c.innocent, t.innocent);
            c.weight += t.weight;  // weights are a plain sum, never clamped
            if (c == Counts{}) {
                tokens.erase(t.token);
            }
        }
        add(totals.spam_learned, d.totals.spam_learned);
        add(totals.innocent_learned, d.totals.innocent_learned);
        add(totals.spam_misclassified, d.totals.spam_misclassified);
        add(totals.innocent_misclassified, d.totals.innocent_misclassified);
        add(totals.spam_corpusfed, d.totals.spam_corpusfed);
        add(totals.innocent_corpusfed, d.totals.innocent_corpusfed);
        add(totals.spam_classified, d.totals.spam_classified);
        add(totals.innocent_classified, d.totals.innocent_classified);
    }
};

inline TokenStat stat_of(Token token, std::int64_t spam, std::int64_t innocent) {
    TokenStat s;
    s.token = token;
    s.counts = {spam, innocent};
    return s;
}

}  // namespace dspamd::test
