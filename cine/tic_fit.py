"""TIC parameters (EFSUMB DCE-US 2023 / VueBox conventions) and the lognormal bolus fit.

Times are in seconds, relative to the injection when its time is given. Data parameters come
from the curve lightly smoothed (a moving mean); MTT comes from the lognormal model
I(t) = O + AUC / (sqrt(2 pi) s (t - t0)) exp(-(ln(t - t0) - mu)^2 / (2 s^2)), for which
TTP = t0 + e^(mu - s^2) and MTT = t0 + e^(mu + s^2 / 2). Areas are of the enhancement
(curve minus baseline). A curve that cannot be analysed gives parameters None and a reason.

A fit can succeed and still say little: a 3 s loop gives an MTT of 70 s. ``fit_warnings``
lists why the model's numbers (MTT) should not be read as measurements, as reason codes
(``FIT_WARNINGS``) that the caller translates; ``fit_reliable`` is true when there is none.
"""

import dataclasses
import functools
import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import least_squares

_SQRT_2PI = math.sqrt(2.0 * math.pi)


@dataclass(frozen=True)
class TicSettings:
    """Analysis choices, kept as data so an instructor's setting can change them."""

    smoothing_s: float = 1.0  # moving-mean window for slopes and the peak
    onset_fraction: float = 0.1  # enhancement above this share of PE ends the baseline
    min_samples: int = 8
    noise_factor: float = 5.0  # PE below this many smoothed-noise SDs is "no enhancement"
    fit_sigmas: tuple[float, ...] = (0.3, 0.6, 1.0)  # starting shapes of the model fit
    min_fit_r2: float = 0.8  # below: the model does not describe the curve
    min_samples_after_peak: int = 5  # fewer: the wash-out, hence MTT, is extrapolated


# Why a fitted model's numbers are not to be trusted (codes, translated by the caller).
MTT_BEYOND_RECORDING = "mtt_beyond_recording"  # MTT outside the recorded time span
FEW_SAMPLES_AFTER_PEAK = "few_samples_after_peak"
POOR_FIT = "poor_fit"  # R² below TicSettings.min_fit_r2
FIT_WARNINGS = (MTT_BEYOND_RECORDING, FEW_SAMPLES_AFTER_PEAK, POOR_FIT)


@dataclass(frozen=True)
class LognormalFit:
    offset: float
    auc: float
    mu: float
    sigma: float
    t0: float
    r2: float
    ttp: float
    mtt: float
    peak_enhancement: float

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class TicParameters:
    """Parameters of one curve; any of them is None when it cannot be measured."""

    domain: str
    time_origin: str
    n_samples: int
    baseline: float | None = None
    pe: float | None = None
    ttp: float | None = None
    arrival_time: float | None = None
    rt: float | None = None
    wir: float | None = None
    wor: float | None = None
    ft: float | None = None
    wiauc: float | None = None
    woauc: float | None = None
    wiwoauc: float | None = None
    wipi: float | None = None
    mtt: float | None = None
    fit: LognormalFit | None = None
    reason: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    fit_warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def fit_reliable(self) -> bool:
        return self.fit is not None and not self.fit_warnings

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["notes"] = list(self.notes)
        data["fit_warnings"] = list(self.fit_warnings)
        data["fit_reliable"] = self.fit_reliable
        return data


def fit_warnings(
    t: np.ndarray, peak_index: int, fit: LognormalFit, settings: TicSettings
) -> tuple[str, ...]:
    """Reason codes (FIT_WARNINGS) why the fitted model's numbers are extrapolation."""
    warnings = []
    if not float(t[0]) <= fit.mtt <= float(t[-1]):
        warnings.append(MTT_BEYOND_RECORDING)
    if t.size - 1 - peak_index < settings.min_samples_after_peak:
        warnings.append(FEW_SAMPLES_AFTER_PEAK)
    if fit.r2 < settings.min_fit_r2:
        warnings.append(POOR_FIT)
    return tuple(warnings)


def lognormal(
    t: ArrayLike, offset: float, auc: float, mu: float, sigma: float, t0: float
) -> np.ndarray:
    """The lognormal bolus model; equal to `offset` for t <= t0."""
    t = np.asarray(t, dtype=np.float64)
    out = np.full(t.shape, float(offset))
    elapsed = t - t0
    after = elapsed > 0
    x = elapsed[after]
    out[after] += auc / (_SQRT_2PI * sigma * x) * np.exp(-((np.log(x) - mu) ** 2) / (2 * sigma**2))
    return out


def _smooth(y: np.ndarray, window: int) -> np.ndarray:
    if window <= 1:
        return y.copy()
    half = window // 2
    padded = np.pad(y, half, mode="edge")
    return np.convolve(padded, np.ones(window) / window, mode="valid")


def _noise_sd(y: np.ndarray) -> float:
    """White-noise SD from first differences, robust to the bolus itself (MAD)."""
    diffs = np.diff(y)
    mad = np.median(np.abs(diffs - np.median(diffs)))
    return float(1.4826 * mad / math.sqrt(2.0))


def _integral(t: np.ndarray, f: np.ndarray, a: float, b: float) -> float:
    a, b = max(a, float(t[0])), min(b, float(t[-1]))
    if b <= a:
        return 0.0
    inner = (t > a) & (t < b)
    ts = np.concatenate([[a], t[inner], [b]])
    fs = np.interp(ts, t, f)
    return float(np.sum((fs[1:] + fs[:-1]) * np.diff(ts)) / 2.0)


def fit_lognormal(
    t: np.ndarray,
    y: np.ndarray,
    *,
    baseline: float,
    pe: float,
    ttp: float,
    arrival: float,
    sigmas: tuple[float, ...] = TicSettings.fit_sigmas,
) -> LognormalFit | str:
    """Fit the lognormal model by least squares; a reason string when it cannot be done."""
    scale = pe if pe > 0 else 1.0
    yn = (y - baseline) / scale  # O(1) values: better conditioned than raw echo power
    span = float(t[-1] - t[0])
    t0_high = ttp - 1e-3 * max(span, 1.0)
    t0_low = float(t[0]) - span
    rise = max(ttp - arrival, 1e-3)
    starts = sorted({min(max(arrival - k * rise, t0_low), t0_high - 1e-6) for k in (0.1, 0.5)})
    best = None

    def residuals(p: np.ndarray) -> np.ndarray:
        return lognormal(t, *p) - yn

    for t0 in starts:
        mode = max(ttp - t0, 1e-3)
        for sigma in sigmas:
            mu = math.log(mode) + sigma**2
            auc = _SQRT_2PI * sigma * mode * math.exp(sigma**2 / 2)
            try:
                with np.errstate(over="ignore", under="ignore", invalid="ignore"):
                    result = least_squares(
                        residuals,
                        x0=[0.0, auc, mu, sigma, t0],
                        bounds=([-np.inf, 0, -20, 0.02, t0_low], [np.inf, np.inf, 20, 5, t0_high]),
                        x_scale="jac",
                        max_nfev=400,
                    )
            except (ValueError, FloatingPointError):
                continue
            if np.all(np.isfinite(result.x)) and (best is None or result.cost < best.cost):
                best = result
    if best is None:
        return "the lognormal model could not be fitted"
    offset_n, auc_n, mu, sigma, t0 = (float(v) for v in best.x)
    offset, auc = baseline + offset_n * scale, auc_n * scale
    residual = float(np.sum((lognormal(t, offset, auc, mu, sigma, t0) - y) ** 2))
    total = float(np.sum((y - y.mean()) ** 2))
    mode = math.exp(mu - sigma**2)
    return LognormalFit(
        offset=offset,
        auc=auc,
        mu=mu,
        sigma=sigma,
        t0=t0,
        r2=1.0 - residual / total if total > 0 else 0.0,
        ttp=t0 + mode,
        mtt=t0 + math.exp(mu + sigma**2 / 2),
        peak_enhancement=auc / (_SQRT_2PI * sigma * mode) * math.exp(-(sigma**2) / 2),
    )


def _baseline_and_onset(
    y: np.ndarray, smooth: np.ndarray, ipk: int, fraction: float
) -> tuple[float, int | None]:
    """Mean of the pre-arrival samples and the last pre-arrival index (None if none)."""
    peak = float(smooth[ipk])
    level = float(np.percentile(smooth[: ipk + 1], 10))
    onset = None
    for _ in range(2):  # refine: the baseline sets the onset threshold and vice versa
        below = np.nonzero(smooth[: ipk + 1] <= level + fraction * (peak - level))[0]
        if below.size == 0:
            return float(np.min(smooth[: ipk + 1])), None
        onset = int(below[-1])
        level = float(np.mean(y[: onset + 1]))
    return level, onset


def analyse_curve(
    times_s: ArrayLike,
    values: ArrayLike,
    *,
    injection_time_s: float | None = None,
    domain: str = "linear",
    settings: TicSettings | None = None,
) -> TicParameters:
    """Compute TIC parameters; degenerate curves give None parameters and a reason."""
    settings = settings or TicSettings()
    t = np.asarray(times_s, dtype=np.float64).ravel()
    y = np.asarray(values, dtype=np.float64).ravel()
    if t.shape != y.shape:
        raise ValueError("times and values must have the same length")
    origin = "injection" if injection_time_s is not None else "recording"
    valid = np.isfinite(t) & np.isfinite(y)
    t, y = t[valid], y[valid]
    head = functools.partial(
        TicParameters, domain=domain, time_origin=origin, n_samples=int(t.size)
    )
    if t.size < settings.min_samples:
        return head(reason="too few valid samples for a curve")
    if np.any(np.diff(t) <= 0):
        raise ValueError("times must increase")
    if injection_time_s is not None:
        t = t - float(injection_time_s)
    window = max(1, round(settings.smoothing_s / float(np.median(np.diff(t))))) | 1
    smooth = _smooth(y, window)
    ipk = int(np.argmax(smooth))
    notes: list[str] = []
    baseline, onset = _baseline_and_onset(y, smooth, ipk, settings.onset_fraction)
    if onset is None:
        notes.append("no pre-arrival samples: baseline is the minimum before the peak")
    pe = float(smooth[ipk]) - baseline
    noise = _noise_sd(y) / math.sqrt(window)
    if ipk == 0 or not pe > settings.noise_factor * noise or not pe > 0:
        return head(baseline=baseline, reason="no enhancement above the noise")
    ttp = float(t[ipk])
    slope = np.gradient(smooth, t)
    start = onset or 0
    iw = start + int(np.argmax(slope[start : ipk + 1]))
    wir = float(slope[iw])
    if not wir > 0:
        return head(baseline=baseline, reason="no wash-in slope")
    arrival = float(t[iw]) - (float(smooth[iw]) - baseline) / wir
    if np.any(t < arrival):  # pre-arrival = before the wash-in tangent meets the baseline
        baseline = float(np.mean(y[t < arrival]))
        pe = float(smooth[ipk]) - baseline
        arrival = float(t[iw]) - (float(smooth[iw]) - baseline) / wir
    rt = ttp - arrival
    wor = ft = None
    io = ipk + int(np.argmin(slope[ipk:]))
    if slope[io] < 0:
        wor = float(-slope[io])
        ft = float(t[io]) + (float(smooth[io]) - baseline) / wor - ttp
    else:
        notes.append("no wash-out within the recording")
    enhancement = y - baseline
    wiauc = _integral(t, enhancement, arrival, ttp)
    woauc = _integral(t, enhancement, ttp, float(t[-1]))
    fitted = fit_lognormal(
        t, y, baseline=baseline, pe=pe, ttp=ttp, arrival=arrival, sigmas=settings.fit_sigmas
    )
    fit = fitted if isinstance(fitted, LognormalFit) else None
    if isinstance(fitted, str):
        notes.append(fitted)
    return head(
        baseline=baseline,
        pe=pe,
        ttp=ttp,
        arrival_time=arrival,
        rt=rt,
        wir=wir,
        wor=wor,
        ft=ft,
        wiauc=wiauc,
        woauc=woauc,
        wiwoauc=wiauc + woauc,
        wipi=wiauc / rt if rt > 0 else None,
        mtt=fit.mtt if fit else None,
        fit=fit,
        notes=tuple(notes),
        fit_warnings=fit_warnings(t, ipk, fit, settings) if fit else (),
    )
