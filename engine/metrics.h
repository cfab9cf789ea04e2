// Accuracy metrics of the TREC spam track for the benchmark: the confusion
// counts of a run, its error rates and the area under the ROC curve computed
// exactly from the scores. Pure arithmetic over a list of judgements.
//
// Positive means spam throughout. A run without ham has no false positive
// rate, one without spam no false negative rate, and a run missing either has
// no ROC area. Rather than NaN (which JSON cannot carry), these are reported
// as if nothing could go wrong: rate 0, AUC 1, (1-ROCA)% 0, with `auc_defined`
// false. The confusion counts always show how many of each class there were.
#pragma once

#include <cstddef>
#include <span>

namespace dspamd {

// One message of a run.
struct Judgement {
    bool gold_spam = false;     // what the message really is
    bool verdict_spam = false;  // what the filter said
    double score = 0.0;         // the filter's spamminess: higher = spammier; never NaN
};

struct Confusion {
    std::size_t spam_as_spam = 0;  // true positives
    std::size_t ham_as_spam = 0;   // false positives
    std::size_t ham_as_ham = 0;    // true negatives
    std::size_t spam_as_ham = 0;   // false negatives

    std::size_t spam() const { return spam_as_spam + spam_as_ham; }
    std::size_t ham() const { return ham_as_ham + ham_as_spam; }
    std::size_t total() const { return spam() + ham(); }
    friend bool operator==(const Confusion&, const Confusion&) = default;
};

struct Metrics {
    Confusion confusion;
    double fpr = 0.0;             // ham judged spam / all ham (0 without ham)
    double fnr = 0.0;             // spam judged ham / all spam (0 without spam)
    double accuracy = 0.0;        // right verdicts / all messages (0 without messages)
    bool auc_defined = false;     // both classes present
    double auc = 1.0;             // P(a random spam scores above a random ham), ties count 1/2
    double one_minus_roca = 0.0;  // TREC's (1-ROCA)%: 100 * (1 - auc)
};

// Counts, rates and the exact ROC area of a run, in O(n log n). Throws
// std::invalid_argument when a score is NaN: NaN has no place in a ranking and
// would make the sort undefined.
Metrics evaluate(std::span<const Judgement> run);

}  // namespace dspamd
