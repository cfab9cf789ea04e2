// A token's spam probability from its hits and the user's totals, as DSPAM
// 3.10's _ds_calc_stat computes it (src/libdspam.c, "bcr" p-values; DSPAM's
// statistical sedation raises min_hits before this, classifier/sedation.h):
//
//   p(w) = (s/S) / (s/S + i/I)            Graham, "A Plan for Spam"
//          s, i: the token's spam and innocent hits; S, I: messages learned
//   a token seen only as innocent: min(0.01, (1/S) / (1/S + i/I))
//   a token seen only as spam:     max(0.99, (s/S) / (s/S + 1/I))
//   s + i < min_hits, or nothing learned yet: the unknown probability (.4)
//   then clamped into [prob_min, prob_max].
// With processor bias (DSPAM's processorBias) every i above counts twice, in
// the min_hits test too: an innocent hit weighs as much as two spam hits.
//
// With chi-square DSPAM uses Robinson's p-values: the clamped p(w) shrunk
// towards x by the strength s (Robinson, "A Statistical Approach to the Spam
// Problem", 2003):  f(w) = (s·x + n·p(w)) / (s + n),  n = s + i hits.
//
// fisher uses the same f(w) with no minimum hits, no one-sided bounds and no
// DSPAM clamps: a token never seen has n = 0 and so f = x, and evidence grows
// smoothly with n. Only f itself is kept off 0 and 1 so that its logarithms
// stay finite. Its p(w) compares the two classes' rates of the token, each
// estimated as if `fisher_prior_messages` (a) more messages of that class had
// been learned, with the token at its rate over both classes, π = n / (S + I):
//   p(w) = r_s / (r_s + r_i),  r_s = (s + a·π) / (S + a),  r_i = (i + a·π) / (I + a)
// A class with few messages learned then says little: a new user's first
// ham after hundreds of spam no longer makes every token seen in spam a
// certain spam sign (with I = 0, r_i = π = r_s and p = 0.5). Once both
// classes have many messages the prior fades and p(w) is the plain ratio
// (s/S) / (s/S + i/I), which a = 0 gives at once.
#include <algorithm>

#include "classifier/combiner.h"

namespace dspamd {
namespace {

// fisher: f(w) stays in [k_fisher_min, 1 - k_fisher_min].
constexpr double k_fisher_min = 1e-6;

// DSPAM's bounds for one-sided tokens before the clamp.
constexpr double k_innocent_only_probability = 0.01;
constexpr double k_spam_only_probability = 0.99;

double graham_probability(const Counts& counts, const Totals& totals, const ScoringParams& params) {
    // Negative counts cannot come from a consistent store; read them as 0.
    const double spam = static_cast<double>(std::max<std::int64_t>(counts.spam, 0));
    const double bias = params.processor_bias ? 2.0 : 1.0;
    const double innocent = bias * static_cast<double>(std::max<std::int64_t>(counts.innocent, 0));
    const double spam_learned = static_cast<double>(totals.spam_learned);
    const double innocent_learned = static_cast<double>(totals.innocent_learned);
    const bool have_totals = totals.spam_learned > 0 && totals.innocent_learned > 0;

    double p = params.unknown_probability;
    if (have_totals && spam + innocent > 0.0) {
        const double spam_rate = spam / spam_learned;
        p = spam_rate / (spam_rate + innocent / innocent_learned);
    }
    if (spam == 0.0 && innocent > 0.0) {
        p = k_innocent_only_probability;
        if (have_totals) {
            const double one_spam = 1.0 / spam_learned;
            p = std::min(p, one_spam / (one_spam + innocent / innocent_learned));
        }
    } else if (spam > 0.0 && innocent == 0.0) {
        p = k_spam_only_probability;
        if (have_totals) {
            const double spam_rate = spam / spam_learned;
            p = std::max(p, spam_rate / (spam_rate + bias / innocent_learned));
        }
    }
    if (spam + innocent < static_cast<double>(params.min_hits)) {
        p = params.unknown_probability;
    }
    // min/max rather than std::clamp: no UB should a caller pass min > max.
    return std::min(std::max(p, params.prob_min), params.prob_max);
}

double fisher_probability(const Counts& counts, const Totals& totals, const ScoringParams& params) {
    const double spam = static_cast<double>(std::max<std::int64_t>(counts.spam, 0));
    const double innocent = static_cast<double>(std::max<std::int64_t>(counts.innocent, 0));
    const double n = spam + innocent;
    double p = params.fisher_x;
    if (n > 0.0) {
        const double a = params.fisher_prior_messages;
        // A class with nothing learned counts as one message learned when
        // there is no prior to stand in for it.
        const double floor = a > 0.0 ? 0.0 : 1.0;
        const double spam_learned =
            std::max(static_cast<double>(std::max<std::int64_t>(totals.spam_learned, 0)), floor);
        const double innocent_learned =
            std::max(static_cast<double>(std::max<std::int64_t>(totals.innocent_learned, 0)), floor);
        // Hits beyond the messages learned cannot come from a consistent
        // store; the rate is then read as 1.
        const double overall = n / std::max(spam_learned + innocent_learned, n);
        const double spam_rate = (spam + a * overall) / (spam_learned + a);
        const double innocent_rate = (innocent + a * overall) / (innocent_learned + a);
        p = spam_rate / (spam_rate + innocent_rate);
    }
    const double f = (params.fisher_s * params.fisher_x + n * p) / (params.fisher_s + n);
    return std::min(std::max(f, k_fisher_min), 1.0 - k_fisher_min);
}

}  // namespace

double token_probability(const Counts& counts, const Totals& totals, const ScoringParams& params) {
    if (params.algorithm == Algorithm::fisher || params.algorithm == Algorithm::fisher_logistic) {
        return fisher_probability(counts, totals, params);
    }
    const double p = graham_probability(counts, totals, params);
    if (params.algorithm != Algorithm::chi_square) {
        return p;
    }
    const double n = static_cast<double>(std::max<std::int64_t>(counts.spam, 0) +
                                         std::max<std::int64_t>(counts.innocent, 0));
    return (params.chi_s * params.chi_x + n * p) / (params.chi_s + n);
}

}  // namespace dspamd
