// Online logistic regression over a message's distinct tokens: the weight
// half of dspamd's default learner (combiner.h, fisher_logistic). A token's
// feature is its value v = r·v_e, rarity times evidence (both below), over
// the norm of its group: v/√(Σv²) over the body's tokens or over the
// headers' (two groups, so that neither part's length drowns the other's
// evidence); with every v = 1 that is 1/√n and 1/√m for n body and m header
// tokens. Every token has one weight w and
// there is no bias term. The score is Σ w·x; after a message with
// p = σ(score) is classified, every weight moves by η·(y - p)·x, y = 1 for
// spam, 0 for innocent (gradient ascent on the log-likelihood, one step per
// message).
//
// Rarity: a token found in nearly every message of both classes (the
// Received and MIME lines every mail has, "the") says nothing about either,
// yet as a feature of full value it soaks up whatever the other features
// leave (there is no bias term) and, with the ham cost, ends up as a hidden
// intercept that differs from message to message. Its rarity r falls with
// the share of messages that have it, each class's share weighing alike:
//   share = ((s + 1/2)/(S + 1) + (i + 1/2)/(I + 1)) / 2,
//   r = (ln share / ln share_0)^power,
// share_0 being the share of a token never seen, so r = 1 for a new token
// and r -> 0 for a token in every message; `power` (logistic_rarity_power)
// softens the fall, 0 turning it off.
//
// Evidence: the counts already say which tokens tell the classes apart, and
// a feature that starts out large where they do lets its weight matter
// sooner (the idea of Wang and Manning's NB-weighted SVM). A token's feature
// is multiplied by
//   v_e = (1 + β·min(e, e_max)) / (1 + β·e_max),  e = |ln((s + 1)/(i + 1))|,
// the log ratio of its spam and innocent hits with one added to each, so
// that a token never seen, or seen alike in both, has v_e = 1/(1 + β·e_max),
// and the evidence grows with the hits on one side: one spam hit and none
// innocent is ln 2, a hundred ln 101. Hits rather than rates: a token seen
// once is not yet evidence, however few messages its class has. β is
// logistic_evidence_weight, 0 turning it off.
//
// Weights are int64 fixed point in units of 2^-32 so that the store adds them
// exactly: a correction subtracts the very step that was added and adds the
// other class's, and correcting back restores every weight bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "classifier/types.h"

namespace dspamd {

// A weight of 1.0 is 2^32 units.
constexpr double k_weight_unit = 4294967296.0;

constexpr double weight_value(std::int64_t fixed) {
    return static_cast<double>(fixed) / k_weight_unit;
}

// The largest step a signature may record: η/√n·2^32 stays below 2^42 for
// any configured η (<= 1000); the bound keeps a correction's difference of
// two steps far inside int64 whatever a stored signature says.
constexpr std::int64_t k_max_weight_step = std::int64_t{1} << 52;

// The sigmoid σ(x) = 1/(1 + e^-x), computed without overflow either way.
double logistic(double x);

// The step each of the message's tokens takes if the message is learned as
// spam, or as innocent. Both come from the same p, so a correction can
// replace one by the other exactly.
struct LogisticSteps {
    std::int64_t spam = 0;      // round(η·(1 - p)/√n · 2^32), >= 0
    std::int64_t innocent = 0;  // round(-c·η·p/√n · 2^32), <= 0 (c: the ham cost)
    // The same for the header tokens, with their own m for n.
    std::int64_t header_spam = 0;
    std::int64_t header_innocent = 0;
    std::int64_t of(Class c) const { return c == Class::spam ? spam : innocent; }
    std::int64_t of(Class c, bool header) const {
        return header ? (c == Class::spam ? header_spam : header_innocent) : of(c);
    }
    friend bool operator==(const LogisticSteps&, const LogisticSteps&) = default;
};

// Per-token step sizes: a token that many learned messages already moved
// takes a smaller step, 1/√(1 + hits/decay_hits) of the message's step (the
// idea of AdaGrad's per-feature rates, with the token's counts standing in for
// its past gradients), so rare and new tokens learn fast and common ones
// settle. The factor is quantized to a rate class q, the step being scaled by
// 2^(-q/8) in integer arithmetic; the signature records each token's class,
// so a correction or an unlearning moves every weight by exactly what it got.
// The class's top bit says the token is one of the headers' (its step is
// the header step); the low 7 bits are q.
using RateClass = std::uint8_t;
constexpr RateClass k_header_class_bit = 0x80;
constexpr RateClass k_max_rate_class = 0x7f;

// The class of a token with `hits` learned messages (spam + innocent hits)
// and feature value `value` (beside the group norm, <= 1): its step is
// value/√(1 + hits/decay_hits) of the message's; no decay when
// decay_hits <= 0; at most k_max_rate_class.
RateClass rate_class(std::int64_t hits, double decay_hits, double value = 1.0);

// A token's rarity (see the top of this file), in [0, 1]; 1 when power <= 0.
double rarity(const Counts& counts, const Totals& totals, double power);

// e_max: a log ratio of the hits beyond this (about 9 million to one) weighs
// no more.
constexpr double k_max_evidence = 16.0;

// |ln((s + 1)/(i + 1))|, at most k_max_evidence; 0 for a token never seen.
double evidence(const Counts& counts);

// How the regression forms a token's feature value (the top of this file).
struct FeatureParams {
    double rarity_power = 0.0;     // logistic_rarity_power; 0: no rarity
    double evidence_weight = 0.0;  // logistic_evidence_weight (β); 0: no evidence
};

// The token's feature value r·v_e before the group norm, in [0, 1]; 1 with
// both parameters 0.
double feature_value(const Counts& counts, const Totals& totals, const FeatureParams& features);

// Σv² of the body's tokens and of the headers' (TokenStat::from_header),
// v their feature values: the squared norms of the two feature groups.
struct FeatureNorms {
    double body = 0.0;
    double headers = 0.0;
};

// `step` scaled by 2^(-q/8), rounded to nearest, halves away from zero; the
// same integers on every platform.
std::int64_t scaled_step(std::int64_t step, RateClass q);

// Σ w·v/√(Σv²) over the body's tokens of `stats` plus the same over the
// header tokens, one entry per distinct token, v their feature values; 0 for
// no token. With both feature parameters 0 (the default here): Σ w/√n +
// Σ w/√m. `norms`, when given, receives the two groups' Σv², which the steps
// need (one pass over the tokens for both).
double logistic_score(std::span<const TokenStat> stats, const Totals& totals = {},
                      const FeatureParams& features = {}, FeatureNorms* norms = nullptr);

// The spam lean a spam-heavy stream teaches the regression. Without a bias
// term, the weights of what every message has (a Date header, a Received
// line's words) take up the stream's share of spam, so after hundreds of spam
// and few ham every message, ham too, starts from a spam score: the first
// ham of a new user is a false positive. DSPAM's statistical sedation answers
// the same imbalance for its counts. The verdict takes back
//   share · ln((S + k)/(I + k))
// while more spam than ham has been classified (S and I: messages of each
// class classified, learned or not, by their final class; k =
// prior_messages). Corpus feeding teaches the counts alone, so fed messages
// taught the weights no lean and are left out. Nothing while ham outnumbers
// spam, for the lean is then to the side whose errors cost less. The
// weights and their steps do not see it, so learning and retraining are
// unchanged.
double spam_lean(const Totals& totals, double share, double prior_messages);

// The steps for a message whose feature group has squared norm `norm`
// (Σv²; n for n tokens of value 1) and whose logistic score was `score`, at
// learning rate `rate` (η): η·(y - p)/√norm, scaled per token by its rate
// class. `ham_cost` (c >= 1 in practice) weighs the log-likelihood of
// innocent messages c times that of spam: the cost-sensitive form of the
// same regression, for a false positive costs more than a false negative.
// An empty group: no step.
LogisticSteps logistic_steps(double score, double norm, double rate, double ham_cost = 1.0);

// The steps of a message whose groups have squared norms `body` and
// `headers`: each group's from its own norm, both from the same p.
LogisticSteps logistic_steps(double score, double body, double headers, double rate,
                             double ham_cost);

}  // namespace dspamd
