"""Area and accuracy estimates from a stratified random reference sample.

Olofsson, P., Foody, G. M., Herold, M., Stehman, S. V., Woodcock, C. E., Wulder, M. A. (2014).
Good practices for estimating area and assessing accuracy of land change. Remote Sensing of
Environment 148, 42-57 (eqs. 2-10 for the estimates, eq. 13 for the sample size).

Two estimators:

- ``olofsson_estimate``: the strata are the map classes; from the error matrix of sample counts
  and the mapped area shares (the paper's formulas, as written there).
- ``stratified_estimate``: the general stratified estimator, for strata that differ from the map
  classes (for example each class split into a low- and a high-confidence stratum): Stehman,
  S. V. (2014), Estimating area and map accuracy for stratified random sampling when the strata
  are different from the map classes, International Journal of Remote Sensing 35, 4923-4939.
  Totals are estimated stratum by stratum; accuracies are ratios of two totals, with the
  linearised variance of a combined ratio estimator. With the map classes as strata it gives
  the same figures as ``olofsson_estimate``.

No finite population correction, as in the paper (it is negligible when the sample is a tiny
part of the pixels). 95 % intervals are +/- ``Z95`` standard errors. Undefined figures (the user's
accuracy of a class no sample unit is mapped as, the producer's accuracy of a class no unit is
referenced as) are NaN.

Also: the sample size of Cochran's formula for a target standard error of overall accuracy
(eq. 13), and the allocation of a total sample to strata.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .errors import CropMaskError

Z95 = 1.96

PROPORTIONAL = "proportional"
EQUAL = "equal"
MINIMUM_THEN_PROPORTIONAL = "minimum_then_proportional"
ALLOCATIONS = (PROPORTIONAL, EQUAL, MINIMUM_THEN_PROPORTIONAL)


@dataclass(frozen=True)
class Estimate:
    """Estimates for K classes, in area proportions of the whole stratified area.

    ``error_matrix[i, j]``: the share of the area mapped as class i whose reference is class j.
    """

    error_matrix: np.ndarray  # K x K
    proportions: np.ndarray  # K: the estimated area proportion of each (reference) class
    proportions_se: np.ndarray  # K
    users: np.ndarray  # K
    users_se: np.ndarray  # K
    producers: np.ndarray  # K
    producers_se: np.ndarray  # K
    overall: float
    overall_se: float


def _check_strata(sizes: np.ndarray, sample_sizes: np.ndarray) -> None:
    if np.any(sizes < 0) or not np.any(sizes > 0):
        raise CropMaskError("The strata sizes must be positive numbers.")
    short = np.flatnonzero(sample_sizes < 2)
    if short.size:
        raise CropMaskError(
            f"Stratum {int(short[0]) + 1} holds {int(sample_sizes[short[0]])} sample unit(s): "
            "a stratum needs at least 2 for a standard error. Add reference points to it."
        )


def _divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, NaN where the denominator is 0."""
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    out = np.full(np.broadcast(numerator, denominator).shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def olofsson_estimate(counts: np.ndarray, weights: np.ndarray) -> Estimate:
    """The paper's estimates from ``counts[i, j]`` (sample units mapped i, reference j; the
    strata are the map classes) and ``weights[i]`` (the mapped area share W_i of class i, or
    the mapped areas: they are normalised)."""
    counts = np.asarray(counts, dtype=float)
    weights = np.asarray(weights, dtype=float)
    n_i = counts.sum(axis=1)
    _check_strata(weights, n_i)
    weights = weights / weights.sum()
    share = counts / n_i[:, None]  # n_ij / n_i.
    p = weights[:, None] * share  # eq. 4
    p_i, p_j = p.sum(axis=1), p.sum(axis=0)  # eq. 9
    diagonal = np.diag(p)
    users = _divide(diagonal, p_i)
    producers = _divide(diagonal, p_j)
    overall = float(diagonal.sum())
    # eq. 10: standard error of the estimated area proportion of each class
    term = share * (1 - share) / (n_i - 1)[:, None]
    proportions_se = np.sqrt((weights[:, None] ** 2 * term).sum(axis=0))
    # eq. 5, 6
    u = np.diag(share)
    overall_se = math.sqrt(float(np.sum(weights**2 * u * (1 - u) / (n_i - 1))))
    users_se = np.sqrt(u * (1 - u) / (n_i - 1))
    # eq. 7, with N_i. as the weights (the common factor cancels)
    n_hat_j = (weights[:, None] * share).sum(axis=0)
    off = term * (weights**2)[:, None]
    np.fill_diagonal(off, 0.0)
    first = weights**2 * (1 - producers) ** 2 * u * (1 - u) / (n_i - 1)
    producers_var = _divide(first + producers**2 * off.sum(axis=0), n_hat_j**2)
    return Estimate(
        error_matrix=p,
        proportions=p_j,
        proportions_se=proportions_se,
        users=users,
        users_se=users_se,
        producers=producers,
        producers_se=np.sqrt(producers_var),
        overall=overall,
        overall_se=overall_se,
    )


@dataclass(frozen=True)
class _Stratified:
    """Per-stratum means and covariances of unit indicator variables."""

    weights: np.ndarray  # H: N_h / N
    strata: np.ndarray  # units: stratum index
    sample_sizes: np.ndarray  # H

    def total(self, y: np.ndarray) -> float:
        """The estimated population mean of ``y`` (a proportion for an indicator)."""
        means = np.bincount(self.strata, weights=y, minlength=self.weights.size) / self.sample_sizes
        return float(np.sum(self.weights * means))

    def covariance(self, y: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Per stratum sample covariance of y and x (n_h - 1 denominator)."""
        h = self.weights.size
        mean_y = np.bincount(self.strata, weights=y, minlength=h) / self.sample_sizes
        mean_x = np.bincount(self.strata, weights=x, minlength=h) / self.sample_sizes
        products = (y - mean_y[self.strata]) * (x - mean_x[self.strata])
        return np.bincount(self.strata, weights=products, minlength=h) / (self.sample_sizes - 1)

    def variance_of_mean(self, y: np.ndarray) -> float:
        """V of the estimated population mean of ``y``."""
        return float(np.sum(self.weights**2 * self.covariance(y, y) / self.sample_sizes))

    def ratio(self, y: np.ndarray, x: np.ndarray) -> tuple[float, float]:
        """(R, SE(R)) of the combined ratio estimator R = total(y) / total(x)."""
        x_hat = self.total(x)
        if x_hat == 0:
            return math.nan, math.nan
        ratio = self.total(y) / x_hat
        s_yy, s_xx, s_xy = self.covariance(y, y), self.covariance(x, x), self.covariance(y, x)
        terms = self.weights**2 * (s_yy + ratio**2 * s_xx - 2 * ratio * s_xy) / self.sample_sizes
        return ratio, math.sqrt(max(float(terms.sum()), 0.0)) / x_hat


def stratified_estimate(
    stratum_sizes: Sequence[float] | np.ndarray,
    unit_strata: Sequence[int] | np.ndarray,
    unit_map: Sequence[int] | np.ndarray,
    unit_reference: Sequence[int] | np.ndarray,
    classes: int,
) -> Estimate:
    """The general stratified estimator (Stehman 2014).

    ``stratum_sizes[h]``: the pixels (or area) of stratum h; per sample unit: its stratum index
    ``unit_strata``, its map class index ``unit_map`` and reference class index
    ``unit_reference`` (class indices from 0 to ``classes`` - 1).
    """
    sizes = np.asarray(stratum_sizes, dtype=float)
    strata = np.asarray(unit_strata, dtype=np.int64)
    mapped = np.asarray(unit_map, dtype=np.int64)
    reference = np.asarray(unit_reference, dtype=np.int64)
    sample_sizes = np.bincount(strata, minlength=sizes.size).astype(float)
    _check_strata(sizes, sample_sizes)
    design = _Stratified(sizes / sizes.sum(), strata, sample_sizes)
    matrix = np.zeros((classes, classes))
    proportions_se = np.zeros(classes)
    users, users_se = np.zeros(classes), np.zeros(classes)
    producers, producers_se = np.zeros(classes), np.zeros(classes)
    for j in range(classes):
        is_ref = (reference == j).astype(float)
        for i in range(classes):
            matrix[i, j] = design.total(((mapped == i) & (reference == j)).astype(float))
        proportions_se[j] = math.sqrt(design.variance_of_mean(is_ref))
        hit = ((mapped == j) & (reference == j)).astype(float)
        users[j], users_se[j] = design.ratio(hit, (mapped == j).astype(float))
        producers[j], producers_se[j] = design.ratio(hit, is_ref)
    correct = (mapped == reference).astype(float)
    return Estimate(
        error_matrix=matrix,
        proportions=matrix.sum(axis=0),
        proportions_se=proportions_se,
        users=users,
        users_se=users_se,
        producers=producers,
        producers_se=producers_se,
        overall=design.total(correct),
        overall_se=math.sqrt(design.variance_of_mean(correct)),
    )


def cochran_sample_size(
    weights: Sequence[float] | np.ndarray,
    users_accuracies: Sequence[float] | np.ndarray,
    target_se: float,
) -> int:
    """Olofsson 2014 eq. 13: n = (sum W_i S(U_i) / S(O))^2, S(U_i) = sqrt(U_i (1 - U_i)),
    rounded up. ``weights``: the strata's area shares (or areas; normalised)."""
    w = np.asarray(weights, dtype=float)
    u = np.asarray(users_accuracies, dtype=float)
    if not target_se > 0:
        raise CropMaskError(
            f"The target standard error {target_se} must be above 0 (for example 0.01)."
        )
    if np.any((u < 0) | (u > 1)):
        raise CropMaskError("Expected user's accuracies are proportions from 0 to 1.")
    w = w / w.sum()
    n = (float(np.sum(w * np.sqrt(u * (1 - u)))) / target_se) ** 2
    return max(1, math.ceil(n - 1e-9))


def _largest_remainder(total: int, shares: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """Integers summing to ``total`` (at most the sum of ``caps``), proportional to ``shares``,
    none above its cap: capped strata are fixed and the rest shared again."""
    result = np.zeros(shares.size, dtype=np.int64)
    free = (shares > 0) & (caps > 0)
    left = total
    while left > 0 and free.any():
        exact = left * shares * free / shares[free].sum()
        over = free & (exact > caps)
        if over.any():
            result[over] = caps[over]
            left -= int(caps[over].sum())
            free &= ~over
            continue
        base = np.floor(exact).astype(np.int64)
        order = np.lexsort((-shares, -(exact - base)))  # largest remainder, then largest share
        extra = left - int(base.sum())
        base[order[:extra]] += 1
        result += base
        break
    return result


def allocate(
    sizes: Sequence[int] | np.ndarray, total: int, allocation: str, minimum: int = 0
) -> np.ndarray:
    """The sample size of each stratum for a total ``total``.

    - PROPORTIONAL: proportional to the stratum sizes;
    - EQUAL: the same for every stratum;
    - MINIMUM_THEN_PROPORTIONAL (Olofsson 2014's recommendation): every stratum at least
      ``minimum`` (or all its pixels), the rest of the total proportional to the sizes of the
      strata whose proportional share is above the minimum.

    Rounded by largest remainder; no stratum gets more than its pixels.
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    if allocation not in ALLOCATIONS:
        raise CropMaskError(f"Unknown allocation {allocation!r}; use one of {ALLOCATIONS}.")
    if total > sizes.sum():
        raise CropMaskError(
            f"The sample size {total} is larger than the {int(sizes.sum())} pixels of the strata."
        )
    if allocation == EQUAL:
        return _largest_remainder(total, (sizes > 0).astype(float), sizes)
    if allocation == PROPORTIONAL:
        return _largest_remainder(total, sizes.astype(float), sizes)
    floors = np.minimum(sizes, minimum)
    if floors.sum() > total:
        raise CropMaskError(
            f"The sample size {total} is smaller than {minimum} points in each of the "
            f"{int(np.count_nonzero(sizes))} strata ({int(floors.sum())}). Give a larger sample "
            "or a smaller minimum per stratum."
        )
    fixed = np.zeros(sizes.size, dtype=bool)
    while True:
        left = total - int(floors[fixed].sum())
        free_sizes = np.where(fixed, 0, sizes).astype(float)
        share = left * free_sizes / max(free_sizes.sum(), 1.0)
        newly = ~fixed & (share < floors)
        if not newly.any():
            break
        fixed |= newly
    result = np.where(fixed, floors, 0)
    return result + _largest_remainder(total - int(result.sum()), free_sizes, sizes - result)


def parse_expected_accuracies(text: str) -> tuple[float | None, dict[int, float]]:
    """'0.8' or '1=0.7, 2=0.6, 0.9': (the value for classes not listed, {class code: value})."""
    default: float | None = None
    by_class: dict[int, float] = {}
    for item in (part.strip() for part in (text or "").replace(";", ",").split(",")):
        if not item:
            continue
        code_text, _, value_text = item.rpartition("=")
        try:
            value = float(value_text)
            code = int(code_text) if code_text.strip() else None
        except ValueError:
            raise CropMaskError(
                f"'{item}' is not an expected user's accuracy: write one proportion for all "
                "classes (0.8) or class=proportion pairs (1110=0.7, 1120=0.9), comma-separated."
            ) from None
        if not 0 < value < 1:
            raise CropMaskError(
                f"The expected user's accuracy {value_text.strip()} is not between 0 and 1 "
                "(exclusive): write a proportion such as 0.85."
            )
        if code is None:
            default = value
        else:
            by_class[code] = value
    if default is None and not by_class:
        raise CropMaskError("No expected user's accuracy is given: write, for example, 0.8.")
    return default, by_class


def expected_accuracy(default: float | None, by_class: dict[int, float], code: int) -> float:
    """The expected user's accuracy of map class ``code``."""
    if code in by_class:
        return by_class[code]
    if default is None:
        raise CropMaskError(
            f"No expected user's accuracy is given for class {code}: add {code}=0.8 (for "
            "example), or one value without a class for all the classes not listed."
        )
    return default
