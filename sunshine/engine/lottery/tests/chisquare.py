"""Upper quantiles of the chi-square distribution, computed from the regularised gamma function.

Used to set thresholds whose false-failure probability is exactly known (scipy is
not a dependency). Q(a, x) = Γ(a, x) / Γ(a) by its power series for x < a + 1 and
by its Legendre continued fraction otherwise; both are textbook expansions.
"""

from __future__ import annotations

import math


def _lower_series(a: float, x: float) -> float:
    # P(a, x) = x^a e^-x / Γ(a+1) * Σ_k x^k / ((a+1)…(a+k))
    term = 1.0 / a
    total = term
    k = 0
    while abs(term) > abs(total) * 1e-17:
        k += 1
        term *= x / (a + k)
        total += term
    return total * math.exp(-x + a * math.log(x) - math.lgamma(a))


def _upper_continued_fraction(a: float, x: float) -> float:
    # Q(a, x) = e^-x x^a / Γ(a) * 1/(x+1-a- 1(1-a)/(x+3-a- 2(2-a)/(x+5-a- …))), by Lentz's method
    tiny = 1e-300
    b = x + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    fraction = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        step = d * c
        fraction *= step
        if abs(step - 1.0) < 1e-16:
            break
    return fraction * math.exp(-x + a * math.log(x) - math.lgamma(a))


def chi_square_survival(statistic: float, degrees_of_freedom: int) -> float:
    """P(X > statistic) for X ~ chi-square with the given degrees of freedom."""
    if statistic <= 0:
        return 1.0
    a = degrees_of_freedom / 2.0
    x = statistic / 2.0
    if x < a + 1.0:
        return 1.0 - _lower_series(a, x)
    return _upper_continued_fraction(a, x)


def chi_square_critical_value(degrees_of_freedom: int, false_failure: float) -> float:
    """The value c with P(X > c) = false_failure, by bisection on the survival function."""
    low, high = 0.0, 1.0
    while chi_square_survival(high, degrees_of_freedom) > false_failure:
        high *= 2.0
    for _ in range(200):
        middle = (low + high) / 2.0
        if chi_square_survival(middle, degrees_of_freedom) > false_failure:
            low = middle
        else:
            high = middle
    return high
