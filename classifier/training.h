// Training: what a classification, a corpus feed or a user's correction adds
// to the token store, as a set of count deltas. Pure: the caller applies the
// deltas in one transaction.
//
// Modes (DSPAM 3.10's, src/libdspam.c):
//   teft     train everything: every classified message is learned as its result
//   toe      train on error: only corrections are learned; until both classes
//            have more than toe_warmup messages learned, TOE trains like TEFT
//   tum      train until mature: like teft, but tokens that already have
//            tum_maturity hits are not learned again, unless the verdict's
//            confidence is below tum_min_confidence
//   notrain  classify only; corrections are still counted, never learned
//   tone     train on or near error (dspamd's default, the "thick threshold"
//            of crm114/OSBF): a message is learned as its verdict only when
//            |score| < tone_margin; errors are learned through corrections.
//            Together that learns exactly the messages whose score was not
//            at least tone_margin on the right side: the uncertain ones.
// A correction of a signature moves the counts it learned from the wrong class
// to the right one, so the store ends up as if the message had been learned
// right in the first place (an error always trains every token, in TUM too).
//
// Weights (classifier/logistic.h) are not counts: when the verdict carries
// logistic steps, every classified message adds its class's step to every
// one of its tokens, whatever the mode (the regression learns from every
// message; the mode only says what the counts learn). The signature keeps
// both steps, so a correction takes back exactly the step added and adds the
// right class's, computed from the same p.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "classifier/logistic.h"
#include "classifier/types.h"

namespace dspamd {

enum class TrainingMode { teft, toe, tum, notrain, tone };

struct TrainingParams {
    // dspamd's default, chosen by measurement (ARCHITECTURE.md); DSPAM's was teft.
    TrainingMode mode = TrainingMode::tone;
    std::int64_t tum_maturity = 50;    // TUM: tokens with this many hits in all are mature
    double tum_min_confidence = 0.70;  // TUM: below this confidence every token is learned
    std::int64_t toe_warmup = 100;     // TOE: trains like TEFT while a class has <= this learned
    double tone_margin = 20.0;         // TONE: learn when |score| is below this (log-odds units)
};

// What DSPAM's training rules read besides the tokens: the verdict's
// confidence (TUM), its score (TONE) and the user's totals before this
// message (TOE warm-up).
// Left out, TUM takes the verdict as confident and TOE has no warm-up.
struct LearnContext {
    double confidence = 1.0;
    double score = 0.0;  // the verdict's counts_score (TONE); 0 = no margin: learn
    std::optional<Totals> totals;
    std::optional<LogisticSteps> logistic;  // the verdict's steps; none: weights untouched
    // Per-token step sizes (logistic.h, rate_class): a token with h hits
    // takes v/√(1 + h/logistic_decay_hits) of the step, v its feature value
    // under `totals`; decay 0 and both feature parameters 0: all the whole step.
    double logistic_decay_hits = 0.0;
    FeatureParams logistic_features;
};

struct TokenDelta {
    Token token = 0;
    std::int32_t spam = 0;
    std::int32_t innocent = 0;
    std::int64_t weight = 0;  // added to the weight as is, never clamped
    bool empty() const { return spam == 0 && innocent == 0 && weight == 0; }
    friend bool operator==(const TokenDelta&, const TokenDelta&) = default;
};

// Everything one training changes: token deltas in ascending token order and
// the change to the user's totals.
struct TrainingDelta {
    std::vector<TokenDelta> tokens;
    Totals totals;
    bool empty() const { return tokens.empty() && totals == Totals{}; }
};

// What a retraining needs to know about a classified message.
struct Signature {
    Class result = Class::innocent;  // what the message was classified (or last corrected) as
    std::vector<Token> learned;      // tokens whose counts went to `result` (sorted)
    std::vector<Token> unlearned;    // tokens seen but not learned (sorted)
    bool totals_learned = false;     // the message counted in result's *_learned total
                                     //   (else in result's *_classified total)
    bool corrected = false;          // `result` comes from a correction: the classifier said
                                     //   the opposite, counted in result's *_misclassified
    // Test-conditional retraining (classifier/test_conditional.h): how many
    // times `learned` was learned again as `result`, each counted in result's
    // *_learned and *_corpusfed.
    std::uint32_t repeats = 0;
    bool withdrawn = false;  // unlearned (classifier/unlearn.h): nothing of it is in the store
    // The weight steps of the classification: every token (learned and
    // unlearned) holds steps.of(result). None: the weights were not touched.
    std::optional<LogisticSteps> logistic;
    // Each token's rate class (logistic.h), aligned with the ascending union
    // of `learned` and `unlearned` (disjoint lists, so the union keeps its
    // order when a correction moves tokens between them). Empty: every token
    // took the whole step (class 0).
    std::vector<RateClass> rate_classes;
    friend bool operator==(const Signature&, const Signature&) = default;
};

// The learning that follows a classification. `stats` are the message's tokens
// with the counts they had when classified (TUM needs them to tell maturity).
// Fills `signature` with what was done.
TrainingDelta learn_classified(std::span<const TokenStat> stats, Class result,
                               const TrainingParams& params, Signature& signature,
                               const LearnContext& context = {});

// Corpus feeding (dspamctl train): learn the tokens' counts as `cls`
// without a classification; counted in *_corpusfed and *_learned. The
// weights do not move (Filter::train says why).
TrainingDelta learn_corpus(std::span<const Token> tokens, Class cls);

// A correction with no signature (retraining by content): learn_corpus's
// counts for `tokens`, and with context.logistic (the steps of the message
// as the weights score it now) each token's weight takes the step of `cls`
// as learn_classified would give it: the header step for a header token,
// scaled by the rate class of its counts in `stats` (the message's tokens as
// scored). A token not in `stats` takes the whole body step.
TrainingDelta learn_content(std::span<const Token> tokens, Class cls,
                            std::span<const TokenStat> stats, const LearnContext& context);

// The rate class (logistic.h) of each token of `sorted` (ascending, each
// once), as learn_classified records it in the signature: its hits and
// feature value under the context's totals, k_header_class_bit for a header
// token. Empty when every token would take the whole body step.
std::vector<RateClass> rate_classes(std::span<const TokenStat> sorted, const LearnContext& context);

// A user's correction: the message of `signature` is really `right`. Returns
// an empty delta when the signature already says `right`. Updates `signature`
// so that a second correction back is exact too: it takes back the first
// one's *_misclassified count. Token and total decrements are clamped at zero
// by the store, as DSPAM clamps them.
TrainingDelta correct(Signature& signature, Class right, const TrainingParams& params);

// The weight step the k-th token of the ascending union of the signature's
// learned and unlearned tokens took (or would take) as `cls`.
std::int64_t token_weight_step(const Signature& signature, Class cls, std::size_t k);

// Signatures are stored as bytes: a compact, versioned encoding (sorted tokens
// as varint deltas, see training.cpp). encode_signature writes version 2;
// decode_signature reads versions 1 and 2 and returns false on malformed
// input (then `out` is unchanged).
std::string encode_signature(const Signature& signature);
bool decode_signature(std::string_view bytes, Signature& out);

bool parse_training_mode(std::string_view name, TrainingMode& out);
std::string_view training_mode_name(TrainingMode mode);

}  // namespace dspamd
