// The logistic-regression arithmetic of classifier/logistic.h. Each group's
// features are scaled by its norm so that a long message moves the score no
// more than a short one; the lab that chose the learner (ARCHITECTURE.md,
// "Default learner") measured η = 10 best with 1/√n, before the two groups
// halved it.
#include "classifier/logistic.h"

#include <algorithm>
#include <cmath>

namespace dspamd {

double logistic(double x) {
    if (x >= 0.0) {
        return 1.0 / (1.0 + std::exp(-x));
    }
    const double e = std::exp(x);
    return e / (1.0 + e);
}

RateClass rate_class(std::int64_t hits, double decay_hits, double value) {
    if (!(value > 0.0)) {
        return k_max_rate_class;
    }
    // v/√(1 + h/d) = 2^(-q/8)  <=>  q = 4·log2(1 + h/d) - 8·log2(v)
    double q = -8.0 * std::log2(std::min(value, 1.0));
    if (decay_hits > 0.0 && hits > 0) {
        q += 4.0 * std::log2(1.0 + static_cast<double>(hits) / decay_hits);
    }
    return static_cast<RateClass>(std::min(std::round(q), static_cast<double>(k_max_rate_class)));
}

double rarity(const Counts& counts, const Totals& totals, double power) {
    if (power <= 0.0) {
        return 1.0;
    }
    // Negative counts cannot come from a consistent store; read them as 0.
    const auto count = [](std::int64_t n) { return static_cast<double>(std::max<std::int64_t>(n, 0)); };
    const double spam_messages = count(totals.spam_learned) + 1.0;
    const double innocent_messages = count(totals.innocent_learned) + 1.0;
    const double share =
        ((count(counts.spam) + 0.5) / spam_messages + (count(counts.innocent) + 0.5) / innocent_messages) /
        2.0;
    const double share_never_seen = (0.5 / spam_messages + 0.5 / innocent_messages) / 2.0;
    // Both logarithms are <= 0 and ln share_0 < 0; more hits than messages
    // (an inconsistent store) read as a token in every message.
    const double r = std::log(std::min(share, 1.0)) / std::log(share_never_seen);
    return std::pow(std::clamp(r, 0.0, 1.0), power);
}

double evidence(const Counts& counts) {
    const auto hits = [](std::int64_t n) { return static_cast<double>(std::max<std::int64_t>(n, 0)); };
    return std::min(std::fabs(std::log((hits(counts.spam) + 1.0) / (hits(counts.innocent) + 1.0))),
                    k_max_evidence);
}

double feature_value(const Counts& counts, const Totals& totals, const FeatureParams& features) {
    double value = rarity(counts, totals, features.rarity_power);
    const double beta = features.evidence_weight;
    if (beta > 0.0) {
        value *= (1.0 + beta * evidence(counts)) / (1.0 + beta * k_max_evidence);
    }
    return value;
}

double spam_lean(const Totals& totals, double share, double prior_messages) {
    const auto classified = [](std::int64_t seen, std::int64_t fed) {
        return static_cast<double>(std::max<std::int64_t>(seen - fed, 0));
    };
    const double spam = classified(totals.spam_seen(), totals.spam_corpusfed);
    const double innocent = classified(totals.innocent_seen(), totals.innocent_corpusfed);
    if (!(share > 0.0) || spam <= innocent) {
        return 0.0;
    }
    // prior_messages >= 0; a store with one class only and no prior counts
    // one message of the other, so the lean stays finite.
    const double k = std::max(prior_messages, 0.0);
    return share * std::log((spam + k) / std::max(innocent + k, 1.0));
}

// GCC and Clang have 128-bit integers; __extension__ says it is on purpose.
__extension__ using Uint128 = unsigned __int128;

std::int64_t scaled_step(std::int64_t step, RateClass q) {
    // 2^(-k/8) for k = 0..7 in units of 2^-32: the factor's mantissa; q/8
    // more halvings follow as a shift.
    static constexpr std::uint64_t k_mantissa[8] = {
        4294967296, 3938502376, 3611622603, 3311872529,
        3037000500, 2784941738, 2553802834, 2341847524};
    q &= k_max_rate_class;
    if (q == 0 || step == 0) {
        return step;
    }
    const unsigned shift = 32U + q / 8U;
    // |step| <= 2^63 and the mantissa < 2^33: the product fits in 128 bits.
    const std::uint64_t abs_step =
        step < 0 ? 0 - static_cast<std::uint64_t>(step) : static_cast<std::uint64_t>(step);
    const Uint128 magnitude =
        static_cast<Uint128>(abs_step) * k_mantissa[q % 8U];
    const auto scaled = static_cast<std::int64_t>(
        (magnitude + (static_cast<Uint128>(1) << (shift - 1))) >> shift);
    return step < 0 ? -scaled : scaled;
}

double logistic_score(std::span<const TokenStat> stats, const Totals& totals,
                      const FeatureParams& features, FeatureNorms* norms) {
    double body = 0.0;
    double headers = 0.0;
    FeatureNorms sums;
    for (const TokenStat& stat : stats) {
        const double v = feature_value(stat.counts, totals, features);
        (stat.from_header() ? headers : body) += v * weight_value(stat.counts.weight);
        (stat.from_header() ? sums.headers : sums.body) += v * v;
    }
    if (norms != nullptr) {
        *norms = sums;
    }
    double score = 0.0;
    if (sums.body > 0.0) {
        score += body / std::sqrt(sums.body);
    }
    if (sums.headers > 0.0) {
        score += headers / std::sqrt(sums.headers);
    }
    return score;
}

LogisticSteps logistic_steps(double score, double norm, double rate, double ham_cost) {
    if (!(norm > 0.0)) {
        return {};
    }
    const double scale = rate / std::sqrt(norm) * k_weight_unit;
    // 1 - σ(s) = σ(-s): no cancellation when p is close to 1.
    LogisticSteps steps;
    steps.spam = std::llround(scale * logistic(-score));
    steps.innocent = -std::llround(ham_cost * scale * logistic(score));
    return steps;
}

LogisticSteps logistic_steps(double score, double body, double headers, double rate,
                             double ham_cost) {
    LogisticSteps steps = logistic_steps(score, body, rate, ham_cost);
    const LogisticSteps header = logistic_steps(score, headers, rate, ham_cost);
    steps.header_spam = header.spam;
    steps.header_innocent = header.innocent;
    return steps;
}

}  // namespace dspamd
