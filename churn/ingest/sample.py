"""Seeded synthetic sample data: a Norwegian B2B subscription business with planted churn truths.

The generator returns what a client would export (the *raw file* shape, not the canonical
:class:`~churn.core.dataset.Dataset` frames), so the sample also exercises intake. The truths
planted here, with their numbers, are listed in ``data/sample/README.md``; the analysis
pages should rediscover them:

* churn hazard by tenure month (month ``k`` = tenure in ``(k-1, k]`` months of 30.4375 days)
  peaks in months 2-3 (end of onboarding) and month 12 (intro discount ends, annual
  contracts come up for renewal), over a low base hazard;
* segments differ: monthly contracts churn far more than annual/two-year ones, the web
  channel more and partner/referral less, some industries more; region has no effect;
* in the 2-4 months before a cancel date most churners show seed 004's warning signals:
  fewer orders, emails and logins, later payments, more support tickets, a new contact, all
  together; a single signal alone is common among customers who stay (noise episodes show one
  signal, sometimes two), so the combination is what predicts churn.

Everything is vectorised numpy; the only Python loop runs over tenure months.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from churn.core.dataset import DAYS_PER_MONTH, SECONDS_PER_DAY
from churn.core.errors import InputError

log = logging.getLogger(__name__)

MAX_CUSTOMERS = 5_000_000

#: name -> (share of customers, churn hazard multiplier)
INDUSTRIES = {
    "Bygg og anlegg": (0.18, 1.35),
    "Handel": (0.20, 1.15),
    "Helse": (0.12, 0.65),
    "IT og telekom": (0.16, 1.00),
    "Industri": (0.14, 0.80),
    "Transport": (0.12, 1.25),
    "Reiseliv og servering": (0.08, 1.50),
}
REGIONS = {  # region has no effect on churn (a planted null)
    "Oslo": (0.26, 1.0),
    "Viken/Innlandet": (0.22, 1.0),
    "Vestland": (0.14, 1.0),
    "Rogaland": (0.10, 1.0),
    "Trøndelag": (0.10, 1.0),
    "Agder/Telemark": (0.07, 1.0),
    "Møre og Romsdal": (0.05, 1.0),
    "Nord-Norge": (0.06, 1.0),
}
CHANNELS = {
    "partner": (0.20, 0.60),
    "web": (0.32, 1.50),
    "outbound_sales": (0.22, 1.00),
    "event": (0.12, 0.90),
    "referral": (0.14, 0.70),
}
#: name -> (share, hazard multiplier, median monthly value NOK, log-sd of value)
PLANS = {
    "Basis": (0.50, 1.20, 1490.0, 0.25),
    "Pro": (0.35, 0.90, 4490.0, 0.30),
    "Enterprise": (0.15, 0.70, 14900.0, 0.35),
}
CONTRACTS = ("monthly", "annual", "two_year")
#: contract shares given the plan (rows follow PLANS)
CONTRACT_SHARES = np.array([[0.65, 0.30, 0.05], [0.40, 0.45, 0.15], [0.15, 0.50, 0.35]])
#: multiplier on base + onboarding hazard per contract (annual contracts rarely end mid-term)
CONTRACT_HAZARD = np.array([1.70, 0.35, 0.25])
#: chance of an intro discount (20 % off for the first 12 months) per channel (rows follow CHANNELS)
DISCOUNT_SHARE = np.array([0.30, 0.60, 0.45, 0.50, 0.35])
DISCOUNT_FACTOR = 0.80

BASE_HAZARD = 0.009  # per tenure month
ONBOARDING_HAZARD = {1: 0.010, 2: 0.055, 3: 0.050, 4: 0.012}
RENEWAL_HAZARD = {"annual": 0.12, "two_year": 0.14, "monthly": 0.01, "discount": 0.09}
HAZARD_CAP = 0.9

REASONS = ("price", "competitor", "poor_support", "no_longer_needed", "bankruptcy", "other")
#: reason probabilities per phase of the churn: base, onboarding, renewal/discount end
REASON_SHARES = np.array(
    [
        [0.15, 0.25, 0.15, 0.25, 0.10, 0.10],
        [0.15, 0.15, 0.30, 0.25, 0.05, 0.10],
        [0.45, 0.30, 0.08, 0.10, 0.02, 0.05],
    ]
)

EVENT_TYPES = ("order", "payment", "support_ticket", "login", "email", "contact_change")
#: Poisson events per customer-month at baseline (payments are one a month, on the invoice date)
EVENT_RATES = {"order": 1.5, "support_ticket": 0.2, "login": 2.8, "email": 1.7, "contact_change": 0.01}
#: rate multiplier inside a window, for the customers whose window shows that signal
WINDOW_EFFECT = {"order": 0.60, "support_ticket": 2.50, "login": 0.55, "email": 0.60}
#: the warning signals a window can show (seed 004); "late" shifts payments, "contact_change"
#: adds a new contact person, the others scale the event rates above
WINDOW_SIGNALS = ("order", "email", "login", "late", "support_ticket", "contact_change")
SIGNAL_SHARE = 0.90  # churners whose last months show the warning signals (all of them together)
#: active customers with a noise episode that does not end in churn; seed 004: "a single warning
#: signal does not necessarily mean the customer is lost ... the combination counts", so each
#: episode shows ONE signal at full strength (two with NOISE_SECOND_SIGNAL)
NOISE_SHARE = 0.30
NOISE_SECOND_SIGNAL = 0.25
WINDOW_MONTHS = (2.0, 4.0)
LATE_SHIFT_DAYS = (5.0, 10.0)  # extra days late inside a window that shows "late"
CONTACT_CHANGE_CHANCE = 0.70  # a churner's new contact person inside the window


def _table(spec: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    names = np.array(list(spec), dtype=object)
    values = np.array(list(spec.values()), dtype=float)
    return names, values[:, 0] / values[:, 0].sum(), values[:, 1]


def _pick_n(rng: np.random.Generator, shares: np.ndarray, n: int) -> np.ndarray:
    cum = np.cumsum(shares)
    return np.minimum(np.searchsorted(cum, rng.random(n), side="right"), len(shares) - 1)


def _pick_rows(rng: np.random.Generator, shares: np.ndarray) -> np.ndarray:
    cum = np.cumsum(shares, axis=1)
    return np.minimum((rng.random(len(shares))[:, None] >= cum).sum(axis=1), shares.shape[1] - 1)


#: active customers whose (unseen) cancel date falls within this many days after as_of
SOON_DAYS = 120


def _check(n_customers: int, as_of: str, months: int, event_rate: float) -> None:
    if isinstance(n_customers, bool) or not isinstance(n_customers, int | np.integer):
        raise InputError("errors.sample_customers_not_whole", got=repr(n_customers))
    if not 1 <= n_customers <= MAX_CUSTOMERS:
        raise InputError("errors.sample_customers_range", most=MAX_CUSTOMERS, got=int(n_customers))
    if not 1 <= months <= 240:
        raise InputError("errors.sample_months_range", got=months)
    if not 0 <= event_rate <= 10:
        raise InputError("errors.sample_event_rate", got=event_rate)
    try:
        pd.Timestamp(as_of)
    except (TypeError, ValueError):
        raise InputError("errors.sample_as_of", date=str(as_of)) from None


def _hazard(k, onboarding: np.ndarray, seg: np.ndarray, contract: np.ndarray, disc: np.ndarray):
    """Base+onboarding and renewal parts of the monthly churn hazard in tenure month ``k``."""
    early = seg * CONTRACT_HAZARD[contract] * (BASE_HAZARD + onboarding[k])
    yearly = (k % 12 == 0) * (
        (contract == 1) * RENEWAL_HAZARD["annual"] + (contract == 0) * RENEWAL_HAZARD["monthly"]
    )
    renewal = seg * (
        yearly
        + (k % 24 == 0) * (contract == 2) * RENEWAL_HAZARD["two_year"]
        + (k == 12) * disc * RENEWAL_HAZARD["discount"]
    )
    return early, renewal


def _draw_customers(rng: np.random.Generator, n: int, as_of: pd.Timestamp, months: int) -> dict:
    epoch = pd.Timestamp("1970-01-01")
    as_of_day = (as_of - epoch).days
    start_day = (as_of - pd.DateOffset(months=months) - epoch).days
    growth = 1.5  # the signup rate grows linearly to 2.5x its starting level
    u = rng.random(n)
    t = (np.sqrt(1 + 2 * growth * u * (1 + growth / 2)) - 1) / growth
    signup = start_day + 1 + np.floor(t * (as_of_day - start_day)).astype(np.int64)
    signup = np.minimum(signup, as_of_day)

    c = {"signup": signup, "as_of_day": as_of_day}
    for key, spec in (("industry", INDUSTRIES), ("region", REGIONS), ("channel", CHANNELS)):
        names, shares, mult = _table(spec)
        c[key] = _pick_n(rng, shares, n)
        c[key + "_names"], c[key + "_mult"] = names, mult[c[key]]
    plan_names = np.array(list(PLANS), dtype=object)
    plan_spec = np.array(list(PLANS.values()))
    c["plan"] = _pick_n(rng, plan_spec[:, 0], n)
    c["plan_names"] = plan_names
    c["contract"] = _pick_rows(rng, CONTRACT_SHARES[c["plan"]])
    c["discount"] = rng.random(n) < DISCOUNT_SHARE[c["channel"]]
    value = plan_spec[c["plan"], 2] * np.exp(rng.normal(0.0, 1.0, n) * plan_spec[c["plan"], 3])
    c["value"] = np.round(value / 10.0) * 10.0
    c["seg_mult"] = c["industry_mult"] * c["channel_mult"] * plan_spec[c["plan"], 1]
    return c


def _draw_churn(rng: np.random.Generator, c: dict, months: int) -> None:
    n = len(c["signup"])
    onboarding = np.zeros(months + 1)
    for k, h in ONBOARDING_HAZARD.items():
        if k <= months:
            onboarding[k] = h
    alive = np.ones(n, dtype=bool)
    month = np.zeros(n, dtype=np.int64)
    for k in range(1, months + 1):  # a loop over tenure months, not over customers
        early, renewal = _hazard(k, onboarding, c["seg_mult"], c["contract"], c["discount"])
        hit = alive & (rng.random(n) < np.minimum(early + renewal, HAZARD_CAP))
        month[hit] = k
        alive &= ~hit
    frac = rng.uniform(0.05, 0.95, n)
    cancel = c["signup"] + np.floor((month - 1 + frac) * DAYS_PER_MONTH).astype(np.int64)
    churned = (month > 0) & (cancel <= c["as_of_day"])
    c["churned"], c["cancel"], c["month"] = churned, np.where(churned, cancel, -1), month
    # customers who will cancel soon after as_of are active today but already show the signals,
    # so the current risk list has real at-risk customers in it
    soon = (month > 0) & (cancel > c["as_of_day"]) & (cancel <= c["as_of_day"] + SOON_DAYS)
    c["soon"], c["soon_cancel"] = soon, np.where(soon, cancel, -1)

    # which part of the hazard made this customer leave decides the likely reason
    k = np.where(churned, month, 1)
    early, renewal = _hazard(k, onboarding, c["seg_mult"], c["contract"], c["discount"])
    base = c["seg_mult"] * CONTRACT_HAZARD[c["contract"]] * BASE_HAZARD
    u = rng.random(n) * (early + renewal)
    phase = np.where(u < base, 0, np.where(u < early, 1, 2))
    c["reason"] = np.where(churned, _pick_rows(rng, REASON_SHARES[phase]), -1)


def _windows(rng: np.random.Generator, c: dict, start: np.ndarray, end: np.ndarray) -> tuple:
    """Per customer: window kind (0 none, 1 churn warning, 2 noise), its [ws, we) in days and
    which of :data:`WINDOW_SIGNALS` it shows (a boolean ``(n, 6)`` array)."""
    n = len(start)
    kind = np.zeros(n, dtype=np.int64)
    draw = rng.random(n)
    warned = c["churned"] | c["soon"]
    kind[warned & (draw < SIGNAL_SHARE)] = 1
    kind[~warned & (draw < NOISE_SHARE)] = 2
    length = rng.uniform(*WINDOW_MONTHS, n) * DAYS_PER_MONTH
    place = rng.random(n)
    last_end = np.maximum(start + length, end.astype(float))
    target = np.where(c["soon"], c["soon_cancel"], end)  # a future cancel for the 'soon' customers
    we = np.where(kind == 1, target, start + length + place * (last_end - start - length))
    ws = np.maximum(start, we - length)
    we = np.minimum(we, end)
    kind[ws >= we] = 0  # a window that starts after as_of is not visible yet
    ws = np.where(kind == 0, end, ws)
    we = np.where(kind == 0, end, we)

    # churn warnings show every signal (a new contact with CONTACT_CHANGE_CHANCE); a noise
    # episode shows one signal drawn at random, or two different ones
    n_signals = len(WINDOW_SIGNALS)
    shows = np.zeros((n, n_signals), dtype=bool)
    shows[kind == 1] = True
    contact = WINDOW_SIGNALS.index("contact_change")
    shows[:, contact] &= rng.random(n) < CONTACT_CHANGE_CHANCE
    first = rng.integers(0, n_signals, n)
    second = (first + rng.integers(1, n_signals, n)) % n_signals
    noise = np.flatnonzero(kind == 2)
    shows[noise, first[noise]] = True
    two = noise[rng.random(len(noise)) < NOISE_SECOND_SIGNAL]
    shows[two, second[two]] = True
    return kind, ws, we, shows


def _draw_events(rng: np.random.Generator, c: dict, event_rate: float) -> dict:
    n = len(c["signup"])
    start = c["signup"].astype(float)
    end = np.where(c["churned"], c["cancel"], c["as_of_day"] + 1)  # exclusive
    kind, ws, we, shows = _windows(rng, c, start, end)
    activity = rng.gamma(5.0, 0.2, n)

    seg_start = np.stack([start, ws, we], axis=1).ravel()
    seg_len = np.stack([ws - start, we - ws, end - we], axis=1).ravel()
    seg_cust = np.repeat(np.arange(n, dtype=np.int32), 3)
    seg_window = np.tile([False, True, False], n)
    seg_months = seg_len / DAYS_PER_MONTH * event_rate

    parts = []
    for code, name in enumerate(EVENT_TYPES):
        if name == "payment":
            continue
        effect = 1.0
        if name in WINDOW_EFFECT:
            signal = seg_window & shows[seg_cust, WINDOW_SIGNALS.index(name)]
            effect = np.where(signal, WINDOW_EFFECT[name], 1.0)
        scale = activity[seg_cust] if name in ("order", "login", "email") else 1.0
        counts = rng.poisson(EVENT_RATES[name] * effect * scale * seg_months)
        idx = np.repeat(np.arange(len(seg_start)), counts)
        day = np.floor(seg_start[idx] + rng.random(len(idx)) * seg_len[idx]).astype(np.int32)
        parts.append(_part(seg_cust[idx], day, code))

    # the planted new contact person inside the window
    contact = shows[:, WINDOW_SIGNALS.index("contact_change")]
    who = np.flatnonzero(contact & (rng.random(n) < min(event_rate, 1.0)))
    day = np.floor(ws[who] + rng.random(len(who)) * (we[who] - ws[who])).astype(np.int32)
    ok = day < end[who]
    parts.append(_part(who[ok].astype(np.int32), day[ok], EVENT_TYPES.index("contact_change")))

    orders = parts[0]
    median = c["value"][orders[0]] * 0.35
    orders[3][:] = np.round(median * np.exp(rng.normal(0.0, 0.5, len(orders[0]))))

    late = shows[:, WINDOW_SIGNALS.index("late")]
    parts.append(_draw_payments(rng, c, late, ws, we, end, event_rate))

    columns = [np.concatenate([p[i] for p in parts]) for i in range(5)]
    stamp = columns[1].astype(np.int64) * SECONDS_PER_DAY + rng.integers(7 * 3600, 18 * 3600, len(columns[0]))
    order = np.lexsort((columns[2], columns[0], stamp))  # business hours above; sort by time
    return {
        "cust": columns[0][order], "stamp": stamp[order], "code": columns[2][order],
        "amount": columns[3][order], "days_late": columns[4][order],
    }  # fmt: skip


def _draw_payments(
    rng: np.random.Generator,
    c: dict,
    late_window: np.ndarray,
    ws: np.ndarray,
    we: np.ndarray,
    end: np.ndarray,
    event_rate: float,
):
    """One invoice a month from signup, paid ``days_late`` after its due date; later inside a window."""
    n = len(end)
    start = c["signup"]
    n_pay = np.ceil((end - start) / DAYS_PER_MONTH).astype(np.int64)
    pay_cust = np.repeat(np.arange(n, dtype=np.int32), n_pay)
    nth = np.arange(len(pay_cust)) - np.repeat(np.cumsum(n_pay) - n_pay, n_pay)
    due = start[pay_cust] + np.floor(nth * DAYS_PER_MONTH).astype(np.int64)
    habit = np.where(rng.random(n) < 0.6, 0.0, rng.exponential(3.0, n))
    shift = np.where(late_window, rng.uniform(*LATE_SHIFT_DAYS, n), 0.0)
    inside = (due >= ws[pay_cust]) & (due < we[pay_cust])
    late = habit[pay_cust] + rng.normal(0.0, 1.5, len(due)) + inside * shift[pay_cust]
    late = np.maximum(0, np.round(late)).astype(np.int64)
    keep = due + late < end[pay_cust]
    if event_rate < 1:
        keep &= rng.random(len(due)) < event_rate
    discounted = c["discount"][pay_cust] & (due < c["discount_end"][pay_cust])
    amount = np.round(c["value"][pay_cust] * np.where(discounted, DISCOUNT_FACTOR, 1.0))
    pay_code = EVENT_TYPES.index("payment")
    payments = _part(pay_cust[keep], (due + late)[keep].astype(np.int32), pay_code)
    payments[3][:], payments[4][:] = amount[keep], late[keep]
    return payments


def _part(cust: np.ndarray, day: np.ndarray, code: int) -> tuple:
    """One block of events: customer index, day, type code, amount (NaN), days late (-1)."""
    size = len(cust)
    return (cust, day, np.full(size, code, dtype=np.int8), np.full(size, np.nan), np.full(size, -1, np.int16))


def generate_sample(
    n_customers: int = 3000,
    seed: int = 7,
    as_of: str = "2026-10-31",
    months: int = 36,
    event_rate: float = 1.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Generate a seeded synthetic customer table and event log in raw-export shape.

    Parameters
    ----------
    n_customers : int
        Number of customers (1 to 5,000,000).
    seed : int
        Seed for numpy's generator; the same arguments give identical frames.
    as_of : str
        ISO date of "today"; signups spread over the ``months`` months before it.
    months : int
        Length of the history in months.
    event_rate : float
        Multiplier on event volume (1.0 = full detail, about 6 events per customer-month
        plus a monthly payment; benchmarks may use e.g. 0.1). Rates below 1 also thin
        payments at random; 0 gives an empty event log.

    Returns
    -------
    tuple[pd.DataFrame, pd.DataFrame]
        ``(customers, events)`` with the columns of ``customers.csv`` and ``events.csv``
        (see ``data/sample/README.md``); dates are datetime64, blanks are missing.

    Example
    -------
    >>> customers, events = generate_sample(200, seed=1)
    >>> len(customers), bool((customers["churn_reason"].notna() == customers["cancel_date"].notna()).all())
    (200, True)
    """
    _check(n_customers, as_of, months, event_rate)
    # the draws must keep this order (customers, churn, events): the committed sample depends on it
    rng = np.random.default_rng(seed)
    c = _draw_customers(rng, int(n_customers), pd.Timestamp(as_of).normalize(), months)
    _draw_churn(rng, c, months)
    signup, discount_end = _signup_and_discount_end(c)
    ids = _customer_ids(n_customers)
    customers = _customer_frame(c, ids, signup, discount_end)
    events = _event_frame(_draw_events(rng, c, event_rate), ids)
    log.info("sample: %d customers, %d churned, %d events", len(customers), c["churned"].sum(), len(events))
    return customers, events


def _signup_and_discount_end(c: dict) -> tuple[pd.DatetimeIndex, pd.Series]:
    """Signup and intro-discount end dates; also stores the end as epoch days in ``c`` for the payments."""
    signup = pd.to_datetime(c["signup"], unit="D")
    discount_end = pd.Series(signup) + pd.DateOffset(years=1)
    c["discount_end"] = (discount_end - pd.Timestamp("1970-01-01")).dt.days.to_numpy()
    return signup, discount_end


def _customer_ids(n_customers: int) -> np.ndarray:
    """Ids ``C00001``, ``C00002``, ... zero-padded to at least five digits."""
    width = max(5, len(str(n_customers)))
    return np.char.add("C", np.char.zfill(np.arange(1, n_customers + 1).astype(str), width)).astype(object)


def _cancel_dates(c: dict) -> pd.Series:
    """Cancel dates of the churned customers, NaT for the others.

    Only the churned customers' day numbers are converted: pandas' float-to-date
    conversion may read uninitialised memory at NaN positions, and under its own
    overflow check that garbage can raise at random.
    """
    churned = np.asarray(c["churned"], dtype=bool)
    dates = pd.Series(pd.NaT, index=range(len(churned)), dtype="datetime64[ns]")
    dates[churned] = pd.to_datetime(np.asarray(c["cancel"], dtype=float)[churned], unit="D")
    return dates


def _customer_frame(
    c: dict, ids: np.ndarray, signup: pd.DatetimeIndex, discount_end: pd.Series
) -> pd.DataFrame:
    """The customer table in ``customers.csv`` shape from the drawn customers."""
    reasons = np.array(REASONS, dtype=object)
    return pd.DataFrame(
        {
            "customer_id": ids,
            "signup_date": signup,
            "cancel_date": _cancel_dates(c),
            "industry": c["industry_names"][c["industry"]],
            "region": c["region_names"][c["region"]],
            "plan": c["plan_names"][c["plan"]],
            "contract_type": np.array(CONTRACTS, dtype=object)[c["contract"]],
            "acquisition_channel": c["channel_names"][c["channel"]],
            "monthly_value": c["value"].astype(np.int64),
            "discount_end_date": discount_end.where(c["discount"]).to_numpy(),
            "churn_reason": np.where(c["churned"], reasons[np.maximum(c["reason"], 0)], None),
        }
    )


def _event_frame(e: dict, ids: np.ndarray) -> pd.DataFrame:
    """The event log in ``events.csv`` shape from the drawn events (blanks as missing)."""
    return pd.DataFrame(
        {
            "customer_id": pd.Categorical.from_codes(e["cust"], categories=ids),
            "timestamp": e["stamp"].astype("datetime64[s]"),
            "event_type": pd.Categorical.from_codes(e["code"], categories=list(EVENT_TYPES)),
            "amount": pd.arrays.IntegerArray(
                np.nan_to_num(e["amount"]).astype(np.int64), np.isnan(e["amount"])
            ),
            "days_late": pd.arrays.IntegerArray(
                np.maximum(e["days_late"], 0).astype(np.int64), e["days_late"] < 0
            ),
        }
    )


def write_sample(
    out_dir: str | Path,
    n_customers: int = 3000,
    seed: int = 7,
    as_of: str = "2026-10-31",
    months: int = 36,
    event_rate: float = 1.0,
) -> dict:
    """Generate the sample and write ``customers.csv`` and ``events.csv`` (UTF-8, comma, ISO dates).

    Parameters
    ----------
    out_dir : str | Path
        Folder to write into (created if missing); existing files are replaced.
    n_customers, seed, as_of, months, event_rate
        As for :func:`generate_sample`.

    Returns
    -------
    dict
        ``out_dir``, ``customers`` and ``events`` (rows written), ``churned``, ``seed`` and
        ``files`` (path -> bytes).
    """
    customers, events = generate_sample(n_customers, seed, as_of, months, event_rate)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError("errors.folder_not_created", folder=str(out), reason=str(error.strerror)) from None
    paths = {"customers": out / "customers.csv", "events": out / "events.csv"}
    options = {"index": False, "encoding": "utf-8", "lineterminator": "\n"}
    customers.to_csv(paths["customers"], date_format="%Y-%m-%d", **options)
    # numpy formats ISO timestamps several times faster than to_csv's strftime
    stamps = np.datetime_as_string(events["timestamp"].to_numpy(), unit="s")
    events.assign(timestamp=stamps).to_csv(paths["events"], chunksize=500_000, **options)
    return {
        "out_dir": str(out),
        "customers": len(customers),
        "events": len(events),
        "churned": int(customers["cancel_date"].notna().sum()),
        "seed": seed,
        "files": {str(p): p.stat().st_size for p in paths.values()},
    }
