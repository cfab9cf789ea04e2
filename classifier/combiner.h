// Combiners: the counts of a message's tokens become one verdict. DSPAM's
// five algorithms, with DSPAM 3.10's documented constants as defaults:
//   graham      Paul Graham's "A Plan for Spam": the 15 most interesting tokens
//   burton      Bill Burton's variant: 27 tokens, a token may count twice
//   robinson    Gary Robinson's geometric-mean combining, 25 tokens
//   chi_square  Fisher-Robinson inverse chi-square over all tokens outside the
//               exclusion radius
//   naive       plain naive Bayes over all tokens
//   fisher      Fisher-Robinson over every token, seen or not, with no
//               cut-offs (bogofilter's method), ranked by the log ratio of the
//               two chi-square tails
//   logistic    online logistic regression over every token's weight
//               (classifier/logistic.h)
//   fisher_logistic  dspamd's default: logistic's score plus
//               fisher_weight × fisher's score (ARCHITECTURE.md)
// Besides the class and DSPAM's probability/confidence, every verdict carries
// `score`, an unsaturated log-odds spamminess used to rank messages: it keeps
// its order where the probability has long rounded to 0 or 1.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "classifier/logistic.h"
#include "classifier/types.h"

namespace dspamd {

enum class Algorithm {
    graham,
    burton,
    robinson,
    chi_square,
    naive,
    fisher,
    logistic,
    fisher_logistic
};

// Defaults are DSPAM 3.10's (src/libdspam.c, src/libdspam_objects.h).
struct ScoringParams {
    // dspamd's default, chosen by measurement (ARCHITECTURE.md); DSPAM's was
    // chi_square (with the osb tokenizer and TEFT).
    Algorithm algorithm = Algorithm::fisher_logistic;
    int min_hits = 5;                  // fewer hits: the token is unknown
    double unknown_probability = 0.4;  // probability of an unknown token (Graham; DSPAM's .4)
    bool processor_bias = false;       // innocent hits count twice (DSPAM's processorBias)
    double prob_min = 0.0001;          // token probabilities are clamped into
    double prob_max = 0.9999;          //   [prob_min, prob_max]
    std::size_t graham_tokens = 15;    // also the window for chi_square/naive confidence
    std::size_t burton_tokens = 27;    // BURTON_WINDOW_SIZE
    std::size_t robinson_tokens = 25;
    double robinson_s = 0.01;        // geometric mean: strength of the prior (ROB_S)
    double robinson_x = 0.5;         // geometric mean: assumed probability (ROB_X)
    double robinson_cutoff = 0.5;    // robinson: spam when S >= cutoff (ROB_CUTOFF)
    double chi_s = 0.1;              // chi-square: Robinson's f(w) strength (CHI_S)
    double chi_x = 0.5;              // chi-square: Robinson's f(w) assumed probability (CHI_X)
    double chi_cutoff = 0.5010;      // chi-square: spam when I >= cutoff (CHI_CUTOFF)
    double exclusion_radius = 0.45;  // chi-square uses only tokens with |f(w) - 0.5| > radius
    double spam_threshold = 0.9;     // graham/burton/naive/fisher: spam when p >= threshold
    // fisher (dspamd's own): Robinson's f(w) over every token of the message,
    // unknown ones included, no minimum hits and no exclusion radius.
    double fisher_s = 0.1;        // strength of the prior
    double fisher_x = 0.4;        // a token never seen leans innocent: false positives cost more
    double fisher_header_weight = 0.25;  // the headers' test beside the body's (combiner.cpp)
    double fisher_prior_messages = 1.0;  // each class's token rate as if this many more messages
                                         // of it had the token at its overall rate (token_probability.cpp)
    double fisher_cutoff = 0.5;   // fisher: spam when the probability > cutoff (score > 0)
    // logistic and fisher_logistic (dspamd's own, measured in ARCHITECTURE.md).
    double logistic_rate = 5.0;      // η: the step of every weight per learned message
    double logistic_ham_cost = 4.0;  // an innocent message's step weighs this much more
    double logistic_margin = 4.0;    // no step towards the weights' side when |Σw/√n| >= this; 0: always
    double logistic_decay_hits = 100.0;  // a token with h hits steps 1/√(1 + h/this); 0: all alike
    double logistic_rarity_power = 0.25;  // features fall with a token's share of messages (logistic.h)
    double logistic_evidence_weight = 0.1;  // features grow with how one-sided a token's hits are (logistic.h)
    double logistic_balance = 0.5;   // share of a spam-heavy stream's lean the score takes back (logistic.h)
    double logistic_balance_messages = 50.0;  // ... from ln((S + this)/(I + this))
    double fisher_weight = 0.3;      // λ: fisher_logistic's score = logistic + λ·fisher
    double logistic_cutoff = 0.5;  // spam when the probability > cutoff (score > 0)

    FeatureParams logistic_features() const {
        return {logistic_rarity_power, logistic_evidence_weight};
    }
};

// A token that decided the verdict, for X-DSPAM-Factors.
struct Factor {
    Token token = 0;
    double probability = 0.5;
};

struct Verdict {
    Class result = Class::innocent;
    double probability = 0.0;  // DSPAM's probability of spam, 0..1
    double confidence = 0.0;   // DSPAM's confidence in `result`, 0..1
    // ln(probability / (1 - probability)), computed in log space so that it
    // keeps ranking where probability has rounded to 0 or 1 (combiner.cpp
    // gives it per algorithm). The one exception: robinson with no token
    // outside its neutral band, where DSPAM reports probability 0 and score
    // is 0 (no evidence).
    double score = 0.0;
    // The score TONE's margin reads: the count-based combiner's own (fisher's
    // for fisher_logistic, whose counts learn like fisher's); `score` for the
    // others.
    double counts_score = 0.0;
    // logistic and fisher_logistic: what learning this message as either
    // class adds to each of its tokens' weights.
    std::optional<LogisticSteps> logistic_steps;
    std::vector<Factor> factors;
};

// `stats` holds one entry per distinct token of the message (unknown tokens
// with zero counts); `totals` are the user's (merged) totals.
Verdict combine(std::span<const TokenStat> stats, const Totals& totals,
                const ScoringParams& params);

// A token's spam probability as the algorithm sees it (DSPAM's _ds_calc_stat):
// Graham's p(w) with min_hits and the clamps; for chi_square Robinson's f(w)
// on top (DSPAM switches the p-value to Robinson's with chi-square).
double token_probability(const Counts& counts, const Totals& totals, const ScoringParams& params);

// logistic and fisher_logistic: the algorithms that read and learn weights.
constexpr bool uses_weights(Algorithm algorithm) {
    return algorithm == Algorithm::logistic || algorithm == Algorithm::fisher_logistic;
}

bool parse_algorithm(std::string_view name, Algorithm& out);
std::string_view algorithm_name(Algorithm algorithm);

}  // namespace dspamd
