// Test-conditional retraining (DSPAM 3.10's TestConditionalTraining,
// src/dspam.c retrain_message): after a correction the message is classified
// again and, while it still comes out wrong, learned once more as the right
// class, as a corpus message (DSPAM switches the source to DSS_CORPUS after
// the first pass), at most max_iterations passes in all (DSPAM: 5, the
// correction included). DSPAM skips the loop for a correction to spam while
// the user has fewer than 1,000 innocent messages (learned + classified).
//
// Each extra pass is recorded in the signature (Signature::repeats), so that
// a later correction back or an unlearn takes exactly those passes back.
#pragma once

#include <cstdint>

#include "classifier/training.h"

namespace dspamd {

struct TestConditionalParams {
    bool enabled = false;    // DSPAM's compiled default (its sample dspam.conf turns it on)
    int max_iterations = 5;  // passes in all, the correction included
};

// DSPAM's maturity rule: false for a correction to spam while the user has
// fewer than 1,000 innocent messages learned or classified.
bool test_conditional_applies(Class right, const Totals& totals);

// One more pass: every learned token of `signature` +1 as its result,
// *_learned + 1 and *_corpusfed + 1; signature.repeats + 1.
TrainingDelta repeat_training(Signature& signature);

// Takes back every pass recorded in signature.repeats (tokens and totals) and
// sets it to 0. Call before correct() or unlearn on such a signature.
TrainingDelta take_back_repeats(Signature& signature);

}  // namespace dspamd
