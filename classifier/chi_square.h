// The chi-square distribution's tails in log space, for Fisher-Robinson's
// inverse chi-square combining. DSPAM's chi2Q (src/util.c) sums
// e^{-m} m^i / i! in plain doubles, so with a few hundred strong tokens it
// returns exactly 0 or 1 and messages can no longer be ranked; here both
// tails are kept as logarithms.
#pragma once

#include <cstddef>

namespace dspamd {

// For x² with 2n degrees of freedom (n >= 1), m = x²/2:
//   upper tail Q(x², 2n) = e^{-m} Σ_{i<n} m^i / i!     (DSPAM's chi2Q)
//   lower tail P(x², 2n) = 1 - Q = e^{-m} Σ_{i>=n} m^i / i!
// Both returned as natural logarithms, each accurate also where the other is
// near 1. m must be >= 0.
struct Chi2Tails {
    double log_upper = 0.0;  // ln Q
    double log_lower = 0.0;  // ln P
};
Chi2Tails chi2_tails(double m, std::size_t n);

// ln(e^a + e^b) without overflow or underflow.
double log_add(double a, double b);

}  // namespace dspamd
