// Combining: DSPAM 3.10's _ds_calc_result (src/libdspam.c), one algorithm at
// a time, computed in log space.
//
// As in DSPAM, every token gets its probability (token_probability.cpp) and
// the most interesting ones, by |0.5 - p| then frequency, fill a window
// ("heap") of 15 tokens (27 for burton, 25 for robinson). Then:
//   graham    P = Πp / (Πp + Π(1-p)) over the window
//   burton    the same over 27 tokens, a token occurring more than once in the
//             message counting twice
//   robinson  each windowed p shrunk to f = (s·x + n·p)/(s + n), n = window
//             size (DSPAM's ROB_S/ROB_X); tokens with 0.3 <= f <= 0.7 skipped;
//             P = 1 - (Π(1-f))^(1/k), Q = 1 - (Πf)^(1/k), S = P / (P + Q)
//             (Robinson's geometric mean; DSPAM writes ((P-Q)/(P+Q)+1)/2)
//   chi       Fisher-Robinson: the k tokens of the whole message with
//             |f(w) - 0.5| > exclusion radius; H = C⁻¹(-2 ln Πf, 2k),
//             S = C⁻¹(-2 ln Π(1-f), 2k), I = (1 + H - S) / 2, where C⁻¹ is
//             the chi-square upper tail (Robinson's notation; DSPAM computes
//             the same I as ((1-S') - (1-H') + 1)/2). No token: I = cutoff - 0.1
//   naive     Πp / (Πp + Π(1-p)) over every token of the message
//   fisher    Fisher-Robinson over all k tokens of the message, unknown ones
//             at f = x: the upper chi-square tails Q(-2 ln Πf, 2k) (ham
//             evidence) and Q(-2 ln Π(1-f), 2k) (spam evidence), one test
//             for the body's tokens and one for the headers'
//   logistic  Σ w/√n over the body's n tokens + Σ w/√m over the headers' m
//             (classifier/logistic.h)
//   fisher_logistic  logistic's score + λ × fisher's: the weights learn from
//             every message, fisher's counts only near errors (TONE), and the
//             sum ranked better than either alone (ARCHITECTURE.md, lab: 0.093
//             (1-ROCA)% against 0.131 for logistic and 0.124 for fisher)
//
// score = ln(P / (1 - P)) of the algorithm's own probability P, never
// formed from P itself:
//   graham, burton, naive   Σ ln p - Σ ln(1-p) over the tokens used
//   robinson                ln P - ln Q, with P and Q from expm1 of the mean logs
//   chi                     ln(1 - S + H) - ln(1 + S - H), where each tail and
//                           its complement is a logarithm (chi_square.h):
//                           ln(P_s + Q_h) - ln(Q_s + P_h)
//   fisher                  ln Q_h - ln Q_s of the body + fisher_header_weight
//                           × that of the headers; each: how much less likely the spam
//                           evidence is under chance than the ham evidence.
//                           Unlike I, it does not flatten when both tails are
//                           tiny, so it ranks long messages well (measured:
//                           ARCHITECTURE.md, "Default learner")
//   logistic                the model's log-odds itself
//   fisher_logistic         the sum above, read as a log-odds
// so P = 1/(1 + e^-score) exactly, and the class is decided on score against
// the logit of the threshold: the same decision as DSPAM's P >= threshold,
// without P's rounding. Robinson with no token outside 0.3..0.7 is DSPAM's
// S = 0 (innocent); its score is then 0, "no evidence".
//
// Confidence is DSPAM's: Robinson's S over the window whatever the algorithm,
// S for a spam verdict and 1 - S for an innocent one.
//
// DSPAM's naive loop multiplies a stale variable (the last windowed token's
// probability) once per token; here each token's own probability is used, as
// the algorithm intends.
#include "classifier/combiner.h"

#include <algorithm>
#include <cmath>
#include <span>

#include "classifier/chi_square.h"

namespace dspamd {
namespace {

// X-DSPAM-Factors: every token of the largest DSPAM window, no more.
constexpr std::size_t k_max_factors = 27;
// Robinson's geometric mean ignores tokens with f in this band (DSPAM).
constexpr double k_robinson_band_low = 0.3;
constexpr double k_robinson_band_high = 0.7;
// Chi-square with no token outside the exclusion radius: DSPAM reports
// CHI_CUTOFF - 0.1, an innocent verdict.
constexpr double k_chi_no_evidence_offset = 0.1;

struct Scored {
    Token token = 0;
    double probability = 0.5;
    std::uint32_t frequency = 1;
    std::uint16_t header_line = 0;  // TokenStat::header_line
};

double interest(double p) {
    return std::fabs(0.5 - p);
}

// DSPAM's heap order (src/heap.c, HP_DELTA): larger |0.5 - p| first, then the
// more frequent token; the token value makes the order total.
bool more_interesting(const Scored& a, const Scored& b) {
    const double da = interest(a.probability);
    const double db = interest(b.probability);
    if (da != db) {
        return da > db;
    }
    if (a.frequency != b.frequency) {
        return a.frequency > b.frequency;
    }
    return a.token < b.token;
}

double logit(double p) {
    return std::log(p) - std::log1p(-p);
}

std::size_t window_size(const ScoringParams& params) {
    // DSPAM sizes its heap by the algorithm: burton, robinson, else graham's.
    switch (params.algorithm) {
        case Algorithm::burton:
            return params.burton_tokens;
        case Algorithm::robinson:
            return params.robinson_tokens;
        default:
            return params.graham_tokens;
    }
}

std::vector<Scored> score_tokens(std::span<const TokenStat> stats, const Totals& totals,
                                 const ScoringParams& params) {
    std::vector<Scored> scored;
    scored.reserve(stats.size());
    for (const TokenStat& stat : stats) {
        scored.push_back({stat.token, token_probability(stat.counts, totals, params),
                          std::max<std::uint32_t>(stat.frequency, 1), stat.header_line});
    }
    return scored;
}

std::vector<Scored> most_interesting(const std::vector<Scored>& all, std::size_t window) {
    std::vector<Scored> heap = all;
    const std::size_t keep = std::min(window, heap.size());
    std::partial_sort(heap.begin(), heap.begin() + static_cast<std::ptrdiff_t>(keep), heap.end(),
                      more_interesting);
    heap.resize(keep);
    return heap;
}

// The tokens a combiner used, most decisive first, each once, capped. A
// message uses hundreds of tokens and only k_max_factors are kept, so only a
// prefix is put in order (twice the cap, room for repeated tokens, which the
// total order puts side by side); the whole list only when repeats filled it.
std::vector<Factor> factors_of(std::vector<Scored> used) {
    const auto distinct_in = [](std::span<const Scored> sorted) {
        std::vector<Factor> factors;
        for (std::size_t i = 0; i < sorted.size() && factors.size() < k_max_factors; ++i) {
            if (i == 0 || sorted[i].token != sorted[i - 1].token) {
                factors.push_back({sorted[i].token, sorted[i].probability});
            }
        }
        return factors;
    };
    const std::size_t prefix = std::min(used.size(), 2 * k_max_factors);
    std::partial_sort(used.begin(), used.begin() + static_cast<std::ptrdiff_t>(prefix), used.end(),
                      more_interesting);
    std::vector<Factor> factors = distinct_in(std::span(used).first(prefix));
    if (factors.size() < k_max_factors && prefix < used.size()) {
        std::sort(used.begin(), used.end(), more_interesting);
        factors = distinct_in(used);
    }
    return factors;
}

struct Combined {
    double probability = 0.0;
    double score = 0.0;
    bool evidence = true;  // false: robinson found no token outside its band
    std::vector<Scored> used;
};

// Graham and Burton (DSPAM's bay_* and abay_*): the Bayesian product over the
// first `limit` windowed tokens, in log-odds.
Combined bayes_window(const std::vector<Scored>& heap, std::size_t limit, bool count_twice) {
    Combined c;
    std::size_t used = 0;
    for (const Scored& s : heap) {
        if (used >= limit) {
            break;
        }
        const double log_odds = logit(s.probability);
        c.score += log_odds;
        c.used.push_back(s);
        ++used;
        // Burton: a token seen more than once in the message counts twice.
        if (count_twice && used < limit && s.frequency > 1) {
            c.score += log_odds;
            ++used;
        }
    }
    c.probability = logistic(c.score);
    return c;
}

// Robinson's geometric mean (DSPAM's rob_*), also DSPAM's confidence.
Combined robinson_geometric(const std::vector<Scored>& heap, const ScoringParams& params) {
    Combined c;
    const std::size_t limit = params.robinson_tokens;
    // DSPAM shrinks with n = the number of windowed tokens (at most 25), not
    // the token's hits.
    const double n = static_cast<double>(std::min(heap.size(), limit));
    double sum_log_f = 0.0;
    double sum_log_not_f = 0.0;
    std::size_t used = 0;
    for (const Scored& s : heap) {
        if (used >= limit) {
            break;
        }
        const double f =
            (params.robinson_s * params.robinson_x + n * s.probability) / (params.robinson_s + n);
        if (f >= k_robinson_band_low && f <= k_robinson_band_high) {
            continue;
        }
        const int times = (used + 1 < limit && s.frequency > 1) ? 2 : 1;
        sum_log_f += times * std::log(f);
        sum_log_not_f += times * std::log1p(-f);
        used += static_cast<std::size_t>(times);
        c.used.push_back(s);
    }
    if (used == 0) {
        c.evidence = false;
        c.probability = 0.0;
        c.score = 0.0;
        return c;
    }
    const double k = static_cast<double>(used);
    const double spamminess = -std::expm1(sum_log_not_f / k);  // P = 1 - (Π(1-f))^(1/k)
    const double hamminess = -std::expm1(sum_log_f / k);       // Q = 1 - (Πf)^(1/k)
    c.score = std::log(spamminess) - std::log(hamminess);
    c.probability = logistic(c.score);
    return c;
}

// Fisher-Robinson's inverse chi-square (DSPAM's chi_*) over all tokens.
Combined chi_square(const std::vector<Scored>& all, const ScoringParams& params) {
    Combined c;
    double log_h = 0.0;  // ln Π f
    double log_s = 0.0;  // ln Π (1 - f)
    std::size_t used = 0;
    for (const Scored& s : all) {
        if (interest(s.probability) > params.exclusion_radius) {
            log_h += std::log(s.probability);
            log_s += std::log1p(-s.probability);
            ++used;
            c.used.push_back(s);
        }
    }
    if (used == 0) {
        c.probability = std::max(params.chi_cutoff - k_chi_no_evidence_offset, params.prob_min);
        c.score = logit(c.probability);
        return c;
    }
    // x² = -2 ln Π, so m = x²/2 = -ln Π.
    const Chi2Tails spam_tails = chi2_tails(-log_s, used);  // S = Q_s
    const Chi2Tails ham_tails = chi2_tails(-log_h, used);   // H = Q_h
    // 2I = 1 + H - S = P_s + Q_h and 2(1 - I) = 1 - H + S = Q_s + P_h.
    const double log_two_i = log_add(spam_tails.log_lower, ham_tails.log_upper);
    const double log_two_not_i = log_add(spam_tails.log_upper, ham_tails.log_lower);
    c.score = log_two_i - log_two_not_i;
    c.probability = logistic(c.score);
    return c;
}

// One Fisher test over a group of votes: its products of f and of 1 - f.
struct FisherTest {
    double log_h = 0.0;  // ln Π f
    double log_s = 0.0;  // ln Π (1 - f)
    std::size_t votes = 0;

    void add(double f) { add_logs(std::log(f), std::log1p(-f)); }
    void add_logs(double ln_f, double ln_not_f) {
        log_h += ln_f;
        log_s += ln_not_f;
        ++votes;
    }
    // ln Q_h - ln Q_s; 0, no evidence either way, for no vote.
    double score() const {
        if (votes == 0) {
            return 0.0;
        }
        return chi2_tails(-log_h, votes).log_upper - chi2_tails(-log_s, votes).log_upper;
    }
};

// The header test's votes: one per header line, the geometric mean of its
// tokens' f and of their 1 - f. A Received line gives a dozen tokens
// that rise and fall together (its hosts, their pairs, "for" the same
// recipient); as a dozen votes they would swamp a short header that says
// something else.
FisherTest header_test(const std::vector<Scored>& all) {
    struct HeaderToken {
        std::uint16_t line;
        double ln_f;
        double ln_not_f;
    };
    std::vector<HeaderToken> tokens;
    for (const Scored& s : all) {
        if (s.header_line != 0) {
            tokens.push_back({s.header_line, std::log(s.probability), std::log1p(-s.probability)});
        }
    }
    // Stable: each line's sums add in token order, the same in every store.
    std::stable_sort(tokens.begin(), tokens.end(),
                     [](const HeaderToken& a, const HeaderToken& b) { return a.line < b.line; });
    FisherTest test;
    for (std::size_t begin = 0, end = 0; begin < tokens.size(); begin = end) {
        double ln_f = 0.0;
        double ln_not_f = 0.0;
        for (end = begin; end < tokens.size() && tokens[end].line == tokens[begin].line; ++end) {
            ln_f += tokens[end].ln_f;
            ln_not_f += tokens[end].ln_not_f;
        }
        const auto n = static_cast<double>(end - begin);
        test.add_logs(ln_f / n, ln_not_f / n);
    }
    return test;
}

// dspamd's fisher: every token counts, none is excluded. The headers and
// the body are two tests whose scores add, the headers' weighed by
// `header_weight`: a message whose body is all new words keeps the full
// weight of what its headers say, and the reverse, instead of one test
// diluted by the other part's unknown tokens. The body's votes are its
// tokens, the headers' their lines (header_test); the headers count less
// still, as most of them are transport the message shares with others.
Combined fisher(const std::vector<Scored>& all, double header_weight) {
    Combined c;
    FisherTest body;
    for (const Scored& s : all) {
        if (s.header_line == 0) {
            body.add(s.probability);
        }
    }
    const FisherTest headers = header_test(all);
    c.used = all;
    if (all.empty()) {
        c.evidence = false;  // nothing to go by: innocent, score 0
        c.probability = 0.5;
        return c;
    }
    c.score = body.score() + header_weight * headers.score();
    c.probability = logistic(c.score);
    return c;
}

// Logistic regression: a token's factor probability is σ(w), its own vote.
Combined logistic_regression(std::span<const TokenStat> stats, double weights_score) {
    Combined c;
    c.score = weights_score;
    c.probability = logistic(c.score);
    c.used.reserve(stats.size());
    for (const TokenStat& stat : stats) {
        c.used.push_back({stat.token, logistic(weight_value(stat.counts.weight)),
                          std::max<std::uint32_t>(stat.frequency, 1)});
    }
    return c;
}

// Both learners' evidence as one log-odds; fisher's tokens are the factors
// (its probabilities are the ones a reader of X-DSPAM-Factors knows).
Combined fisher_logistic(double weights_score, const std::vector<Scored>& all,
                         const ScoringParams& params, double& fisher_score) {
    Combined c = fisher(all, params.fisher_header_weight);
    fisher_score = c.score;
    c.evidence = true;  // no token: score 0, a tie, innocent
    c.score = weights_score + params.fisher_weight * fisher_score;
    c.probability = logistic(c.score);
    return c;
}

Combined naive(const std::vector<Scored>& all) {
    Combined c;
    for (const Scored& s : all) {
        c.score += logit(s.probability);
    }
    c.probability = logistic(c.score);
    c.used = all;
    return c;
}

}  // namespace

Verdict combine(std::span<const TokenStat> stats, const Totals& totals,
                const ScoringParams& params) {
    const std::vector<Scored> all = score_tokens(stats, totals, params);
    const std::vector<Scored> heap = most_interesting(all, window_size(params));

    const bool weighted = uses_weights(params.algorithm);
    FeatureNorms norms;
    const double weights_score =
        weighted ? logistic_score(stats, totals, params.logistic_features(), &norms) : 0.0;
    // What the weights say, less the lean of a spam-heavy stream; the steps
    // below are the weights' own, from weights_score.
    const double weights_verdict =
        weighted ? weights_score - spam_lean(totals, params.logistic_balance,
                                             params.logistic_balance_messages)
                 : 0.0;
    Combined combined;
    double threshold = params.spam_threshold;
    double counts_score = 0.0;
    switch (params.algorithm) {
        case Algorithm::graham:
            combined = bayes_window(heap, params.graham_tokens, false);
            break;
        case Algorithm::burton:
            combined = bayes_window(heap, params.burton_tokens, true);
            break;
        case Algorithm::robinson:
            combined = robinson_geometric(heap, params);
            threshold = params.robinson_cutoff;
            break;
        case Algorithm::chi_square:
            combined = chi_square(all, params);
            threshold = params.chi_cutoff;
            break;
        case Algorithm::naive:
            combined = naive(all);
            break;
        case Algorithm::fisher:
            combined = fisher(all, params.fisher_header_weight);
            threshold = params.fisher_cutoff;
            break;
        case Algorithm::logistic:
            combined = logistic_regression(stats, weights_verdict);
            threshold = params.logistic_cutoff;
            break;
        case Algorithm::fisher_logistic:
            combined = fisher_logistic(weights_verdict, all, params, counts_score);
            threshold = params.logistic_cutoff;
            break;
    }

    Verdict verdict;
    verdict.probability = combined.probability;
    verdict.score = combined.score;
    verdict.counts_score =
        params.algorithm == Algorithm::fisher_logistic ? counts_score : combined.score;
    if (weighted) {
        verdict.logistic_steps = logistic_steps(weights_score, norms.body, norms.headers,
                                                params.logistic_rate, params.logistic_ham_cost);
        // Where the weights alone are already this sure, the step towards
        // their own side is below η·σ(-margin) per feature: not worth a row
        // write per token. The other side's step stays whole, so an error
        // still learns, and a correction (which swaps the two) stays exact.
        if (params.logistic_margin > 0 && std::fabs(weights_score) >= params.logistic_margin) {
            LogisticSteps& steps = *verdict.logistic_steps;
            (weights_score > 0 ? steps.spam : steps.innocent) = 0;
            (weights_score > 0 ? steps.header_spam : steps.header_innocent) = 0;
        }
    }
    // fisher's and logistic's scores are ratios of evidence, 0 meaning a tie:
    // a tie is innocent.
    const bool strict = params.algorithm == Algorithm::fisher || weighted;
    const bool spam =
        strict ? combined.score > logit(threshold) : combined.score >= logit(threshold);
    verdict.result = combined.evidence && spam ? Class::spam : Class::innocent;
    // DSPAM: confidence is Robinson's S whatever the algorithm.
    const double robinson = params.algorithm == Algorithm::robinson
                                ? combined.probability
                                : robinson_geometric(heap, params).probability;
    verdict.confidence = verdict.result == Class::spam ? robinson : 1.0 - robinson;
    verdict.factors = factors_of(std::move(combined.used));
    return verdict;
}

}  // namespace dspamd
