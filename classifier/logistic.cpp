// The logistic-regression arithmetic of classifier/logistic.h. Features are
// scaled by 1/√n so that a long message moves the score no more than a short
// one; the lab that chose the learner (ARCHITECTURE.md, "Default learner")
// measured η = 10 best with this scaling.
#include "classifier/logistic.h"

#include <cmath>

namespace dspamd {

double logistic(double x) {
    if (x >= 0.0) {
        return 1.0 / (1.0 + std::exp(-x));
    }
    const double e = std::exp(x);
    return e / (1.0 + e);
}

double logistic_score(std::span<const TokenStat> stats) {
    if (stats.empty()) {
        return 0.0;
    }
    double sum = 0.0;
    for (const TokenStat& stat : stats) {
        sum += weight_value(stat.counts.weight);
    }
    return sum / std::sqrt(static_cast<double>(stats.size()));
}

LogisticSteps logistic_steps(double score, std::size_t tokens, double rate, double ham_cost) {
    if (tokens == 0) {
        return {};
    }
    const double scale = rate / std::sqrt(static_cast<double>(tokens)) * k_weight_unit;
    // 1 - σ(s) = σ(-s): no cancellation when p is close to 1.
    LogisticSteps steps;
    steps.spam = std::llround(scale * logistic(-score));
    steps.innocent = -std::llround(ham_cost * scale * logistic(score));
    return steps;
}

}  // namespace dspamd
