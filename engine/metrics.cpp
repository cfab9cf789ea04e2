// The benchmark's accuracy metrics. The ROC area is the Mann-Whitney U
// statistic over the scores (Hanley & McNeil 1982): the fraction of spam/ham
// pairs the scores order correctly, a tie counting one half. It is counted
// exactly, in integers, by one sort and one pass over the groups of equal
// scores, so that a (1-ROCA)% of 0.01 is not lost to rounding.
#include "engine/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

namespace dspamd {
namespace {

double ratio(std::size_t part, std::size_t whole) {
    return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

// Twice the number of spam/ham pairs ranked the wrong way (a spam scored below
// a ham counts 2, a tie counts 1), so that the count stays an integer.
std::uint64_t doubled_misordered_pairs(std::span<const Judgement> run) {
    std::vector<std::pair<double, bool>> ranked;
    ranked.reserve(run.size());
    for (const Judgement& j : run) {
        if (std::isnan(j.score)) {
            throw std::invalid_argument("evaluate: a score is NaN");
        }
        ranked.emplace_back(j.score, j.gold_spam);
    }
    std::sort(ranked.begin(), ranked.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });

    std::uint64_t wrong = 0;
    std::uint64_t spam_below = 0;  // spam with a lower score than the current group
    std::size_t i = 0;
    while (i < ranked.size()) {
        std::uint64_t spam = 0;
        std::uint64_t ham = 0;
        std::size_t j = i;
        for (; j < ranked.size() && ranked[j].first == ranked[i].first; ++j) {
            (ranked[j].second ? spam : ham) += 1;
        }
        wrong += 2 * ham * spam_below + ham * spam;
        spam_below += spam;
        i = j;
    }
    return wrong;
}

}  // namespace

Metrics evaluate(std::span<const Judgement> run) {
    Metrics m;
    Confusion& c = m.confusion;
    for (const Judgement& j : run) {
        if (j.gold_spam) {
            (j.verdict_spam ? c.spam_as_spam : c.spam_as_ham) += 1;
        } else {
            (j.verdict_spam ? c.ham_as_spam : c.ham_as_ham) += 1;
        }
    }
    m.fpr = ratio(c.ham_as_spam, c.ham());
    m.fnr = ratio(c.spam_as_ham, c.spam());
    m.accuracy = ratio(c.spam_as_spam + c.ham_as_ham, c.total());

    // NaN is refused even when the area is undefined: it means a broken run.
    std::uint64_t wrong = doubled_misordered_pairs(run);
    m.auc_defined = c.spam() > 0 && c.ham() > 0;
    if (m.auc_defined) {
        auto pairs = 2 * static_cast<std::uint64_t>(c.spam()) * c.ham();
        double wrong_fraction = static_cast<double>(wrong) / static_cast<double>(pairs);
        m.auc = static_cast<double>(pairs - wrong) / static_cast<double>(pairs);
        m.one_minus_roca = 100.0 * wrong_fraction;
    }
    return m;
}

}  // namespace dspamd
