// Unlearning a corpus feed or a classified message.
#include "classifier/unlearn.h"

#include <algorithm>
#include <iterator>

#include "classifier/delta_merge.h"
#include "classifier/test_conditional.h"

namespace dspamd {

TrainingDelta unlearn_corpus(std::span<const Token> tokens, Class cls) {
    // learn_corpus's delta negated: the same tokens, the same totals.
    TrainingDelta delta = learn_corpus(tokens, cls);
    for (TokenDelta& d : delta.tokens) {
        d.spam = -d.spam;
        d.innocent = -d.innocent;
    }
    Totals negated;
    negated.spam_learned = -delta.totals.spam_learned;
    negated.innocent_learned = -delta.totals.innocent_learned;
    negated.spam_corpusfed = -delta.totals.spam_corpusfed;
    negated.innocent_corpusfed = -delta.totals.innocent_corpusfed;
    delta.totals = negated;
    return delta;
}

TrainingDelta unlearn_signature(Signature& signature) {
    if (signature.withdrawn) {
        return {};
    }
    TrainingDelta repeats = take_back_repeats(signature);
    TrainingDelta delta;
    std::vector<Token> learned = signature.learned;
    std::sort(learned.begin(), learned.end());
    learned.erase(std::unique(learned.begin(), learned.end()), learned.end());
    for (Token token : learned) {
        TokenDelta d;
        d.token = token;
        (signature.result == Class::spam ? d.spam : d.innocent) = -1;
        delta.tokens.push_back(d);
    }
    // Every token of the message, learned or not, holds the weight step.
    const std::int64_t weight_step = signature.logistic ? -signature.logistic->of(signature.result) : 0;
    const bool spam = signature.result == Class::spam;
    if (signature.totals_learned) {
        (spam ? delta.totals.spam_learned : delta.totals.innocent_learned) = -1;
    } else {
        (spam ? delta.totals.spam_classified : delta.totals.innocent_classified) = -1;
    }
    if (signature.corrected) {
        (spam ? delta.totals.spam_misclassified : delta.totals.innocent_misclassified) = -1;
    }

    std::vector<Token> seen = signature.unlearned;
    std::sort(seen.begin(), seen.end());
    std::vector<Token> all;
    std::set_union(learned.begin(), learned.end(), seen.begin(), seen.end(),
                   std::back_inserter(all));
    all.erase(std::unique(all.begin(), all.end()), all.end());
    if (weight_step != 0) {
        TrainingDelta weights;
        for (Token token : all) {
            TokenDelta d;
            d.token = token;
            d.weight = weight_step;
            weights.tokens.push_back(d);
        }
        delta = merge_deltas(delta, weights);
    }
    signature.logistic.reset();
    signature.learned.clear();
    signature.unlearned = std::move(all);
    signature.totals_learned = false;
    signature.corrected = false;
    signature.withdrawn = true;
    return merge_deltas(repeats, delta);
}

}  // namespace dspamd
