// The chi-square distribution's tails in log space (see chi_square.h). For
// even degrees of freedom the chi-square tail is a Poisson sum:
// Q(x², 2n) = P[Poisson(m) < n], m = x²/2 (Abramowitz & Stegun 26.4.21),
// which is what Robinson's and DSPAM's chi2Q compute term by term.
#include "classifier/chi_square.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dspamd {
namespace {

constexpr double k_neg_inf = -std::numeric_limits<double>::infinity();
constexpr double k_log_half = -0.69314718055994530942;  // ln 0.5
// The lower tail's series stops when a term adds less than this to the sum.
constexpr double k_series_epsilon = 1e-18;
// A bound on the lower tail's series; it converges in O(sqrt(m)) terms past
// its peak, so this is never reached for finite inputs.
constexpr std::size_t k_max_series_terms = 1000000;

// ln(m^i / i!)
double log_poisson_term(double log_m, std::size_t i) {
    const double di = static_cast<double>(i);
    return di * log_m - std::lgamma(di + 1.0);
}

// ln Σ_{i<n} m^i / i!, relative to the largest term so nothing overflows.
// The terms rise up to i ≈ m and fall after: the largest is at
// k = min(floor(m), n - 1); from there each neighbour is the previous one
// times i/m (downwards) or m/i (upwards), and the sum stops once the terms
// no longer count, so a thousand tokens cost O(sqrt(m)) steps, not n.
double log_head_sum(double m, std::size_t n) {
    if (m == 0.0) {
        return 0.0;  // only the i = 0 term, 0^0 / 0! = 1
    }
    const std::size_t peak =
        static_cast<std::size_t>(std::min(std::floor(m), static_cast<double>(n - 1)));
    double sum = 1.0;
    double ratio = 1.0;
    for (std::size_t i = peak; i >= 1; --i) {
        ratio *= static_cast<double>(i) / m;
        sum += ratio;
        if (ratio < sum * k_series_epsilon) {
            break;
        }
    }
    ratio = 1.0;
    for (std::size_t i = peak + 1; i < n; ++i) {
        ratio *= m / static_cast<double>(i);
        sum += ratio;
        if (ratio < sum * k_series_epsilon) {
            break;
        }
    }
    return log_poisson_term(std::log(m), peak) + std::log(sum);
}

// ln Σ_{i>=n} m^i / i!, used only where that tail is small (m below about n),
// so the terms fall from some point on and the series converges.
double log_tail_sum(double m, std::size_t n) {
    if (m == 0.0) {
        return k_neg_inf;
    }
    const double log_m = std::log(m);
    const double first = log_poisson_term(log_m, n);
    // Relative to the first term: r_0 = 1, r_{k+1} = r_k * m / (n + k + 1).
    double sum = 1.0;
    double ratio = 1.0;
    for (std::size_t k = 1; k < k_max_series_terms; ++k) {
        ratio *= m / static_cast<double>(n + k);
        sum += ratio;
        if (ratio < sum * k_series_epsilon && m < static_cast<double>(n + k)) {
            break;
        }
    }
    return first + std::log(sum);
}

}  // namespace

double log_add(double a, double b) {
    if (a == k_neg_inf) {
        return b;
    }
    if (b == k_neg_inf) {
        return a;
    }
    const double hi = std::max(a, b);
    return hi + std::log1p(std::exp(std::min(a, b) - hi));
}

Chi2Tails chi2_tails(double m, std::size_t n) {
    Chi2Tails tails;
    if (n == 0) {
        // No degrees of freedom: all mass at 0.
        tails.log_upper = k_neg_inf;
        tails.log_lower = 0.0;
        return tails;
    }
    tails.log_upper = std::min(0.0, -m + log_head_sum(m, n));
    if (tails.log_upper < k_log_half) {
        // Q < 1/2: 1 - Q loses nothing.
        tails.log_lower = std::log1p(-std::exp(tails.log_upper));
    } else {
        // Q >= 1/2: P may be far below double's epsilon; sum it directly.
        tails.log_lower = std::min(0.0, -m + log_tail_sum(m, n));
    }
    return tails;
}

}  // namespace dspamd
