// Unlearning (DSPAM 3.10's --mode=unlearn, DSF_UNLEARN in src/libdspam.c):
// takes back what a message taught, so that the store ends up as if it had
// never been seen.
//   corpus feed      every token -1 in the class, *_learned - 1 (DSPAM) and
//                    *_corpusfed - 1 (DSPAM leaves that one; here it is
//                    undone too so that dspam_stats stays consistent)
//   classification   by its signature: exactly what the signature says was
//                    learned (tokens, totals, a correction's *_misclassified,
//                    test-conditional repeats) is taken back. DSPAM can only
//                    subtract the signature's tokens from the class given;
//                    dspamd's signatures know what really went in.
// The signature is then marked withdrawn: it can be neither corrected nor
// unlearned again. Decrements are clamped at zero by the store, as DSPAM
// clamps them.
#pragma once

#include <span>

#include "classifier/training.h"

namespace dspamd {

TrainingDelta unlearn_corpus(std::span<const Token> tokens, Class cls);

// Empty when the signature was already withdrawn.
TrainingDelta unlearn_signature(Signature& signature);

}  // namespace dspamd
