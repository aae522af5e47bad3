"""What tests/test_client_ready.py needs besides the browser: two workspaces and the checks.

The workspaces are made the way a script would make them, before the server starts: the
sample (shared, as the Data page's "use the sample" makes it) and a Telco-like customer
table without any dates, read and confirmed through the same intake the Data page uses;
each with a model trained at the "fast" speed.

The checks are plain functions of the text a page shows (:func:`text_violations`) plus
two snippets of JavaScript measured in the page (:data:`CUT_OFF_METRICS`,
:data:`FIRST_METRIC_AND_CHART`). Every check returns sentences naming the offending text,
so one failing run lists everything a page author has to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bench.bench_pages import SHOWN  # noqa: F401 - the page is shown: the bench's definition, one place

#: The page paths walked, the start page first ("" is the root URL).
PAGES = ("", "data", "when", "why", "model", "explain", "roi", "report")
LANGUAGES = ("nb", "en")
#: The page files' raw names, which the sidebar must never show (a cold start used to).
RAW_PAGE_NAMES = ("app", "common", "home", "data", "explain", "model", "report", "roi", "when", "why")


# ---------------------------------------------------------------- workspaces


@dataclass(frozen=True)
class Workspace:
    """A prepared workspace: its token and the client's own words (column names and values)."""

    key: str
    token: str
    vocabulary: frozenset[str]


def telco_customers(rows: int = 1500, seed: int = 20261123) -> pd.DataFrame:
    """A Telco-like snapshot table without dates: one row per customer, a Yes/No churn column.

    Churn follows a logistic of contract, internet service, payment method, tenure,
    monthly charge and age group, so a model finds real signal (AUC about 0.75).
    """
    rng = np.random.default_rng(seed)
    contract = rng.choice(["Month-to-month", "One year", "Two year"], rows, p=[0.55, 0.25, 0.2])
    internet = rng.choice(["DSL", "Fiber optic", "No"], rows, p=[0.35, 0.45, 0.2])
    payment = rng.choice(
        ["Electronic check", "Mailed check", "Bank transfer (automatic)", "Credit card (automatic)"], rows
    )
    senior = rng.choice([0, 1], rows, p=[0.84, 0.16])
    tenure = rng.integers(1, 73, rows)
    charges = np.round(rng.normal(65, 25, rows).clip(18, 120), 2)
    logit = (
        -1.6
        + 1.3 * (contract == "Month-to-month")
        - 0.9 * (contract == "Two year")
        + 0.7 * (internet == "Fiber optic")
        + 0.5 * (payment == "Electronic check")
        - 0.035 * tenure
        + 0.012 * (charges - 65)
        + 0.3 * senior
    )
    churned = rng.random(rows) < 1 / (1 + np.exp(-logit))
    letters = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ"))
    ids = [f"{i + 1:04d}-{''.join(rng.choice(letters, 5))}" for i in range(rows)]
    return pd.DataFrame(
        {
            "customerID": ids,
            "gender": rng.choice(["Female", "Male"], rows),
            "SeniorCitizen": senior,
            "Partner": rng.choice(["Yes", "No"], rows),
            "tenure": tenure,
            "Contract": contract,
            "InternetService": internet,
            "PaymentMethod": payment,
            "MonthlyCharges": charges,
            "Churn": np.where(churned, "Yes", "No"),
        }
    )


def vocabulary(*tables: pd.DataFrame | None, names: tuple[str, ...] = ()) -> frozenset[str]:
    """The client's own words: column names, values of text columns with few values, and ``names``."""
    words = set(names)
    for table in tables:
        if table is None:
            continue
        words |= {str(column) for column in table.columns}
        for column in table.columns:
            values = table[column].dropna()
            if values.dtype == object and values.nunique() <= 60:
                words |= {str(v) for v in values.unique()}
    return frozenset(w for w in words if w.strip())


def _train_and_save(token: str, dataset_id: int, dataset) -> None:
    from churn.model.churn_model import SPEEDS, ChurnModel
    from churn.model.persistence import model_record
    from churn.workspace import store

    model = ChurnModel(iterations=SPEEDS["fast"], thread_count=2, random_seed=0).fit(dataset)
    record = model_record(model)
    store.save_model(
        token, dataset_id, record["model_bytes"], record["settings"], record["metrics"], record["features"]
    )


def sample_workspace(db: Path) -> Workspace:
    """The bundled sample, shared as the Data page's sample button shares it, with a trained model."""
    from churn.ingest.intake import SAMPLE_DIR, load_sample
    from churn.workspace import store

    dataset = load_sample()
    token = store.create_workspace(db)
    dataset_id = store.save_shared_dataset(dataset, db)
    store.update_settings(token, db, shared=[dataset_id], dataset_id=dataset_id)
    _train_and_save(token, dataset_id, dataset)
    tables = [pd.read_csv(SAMPLE_DIR / name) for name in ("customers.csv", "events.csv")]
    return Workspace("sample", token, vocabulary(*tables))  # "sample" is our name, not the client's


def telco_workspace(db: Path, folder: Path) -> Workspace:
    """A dateless Telco-like table written as a client's CSV, confirmed as the Data page does, trained."""
    from churn.ingest.confirm import confirm_upload
    from churn.ingest.intake import guess_roles, read_table
    from churn.workspace import store

    path = folder / "telco-kunder.csv"
    telco_customers().to_csv(path, index=False)
    table = read_table(path.read_bytes(), path.name)
    token = store.create_workspace(db)
    saved = confirm_upload(token, table, None, guess_roles(table, None), path.stem, "nb")
    store.update_settings(token, db, dataset_id=saved["id"])
    _train_and_save(token, saved["id"], store.load_dataset(token, saved["id"], db))
    return Workspace("telco", token, vocabulary(table, names=(path.stem, path.name)))


# ---------------------------------------------------------------- text checks

#: Common English UI words and phrases that never belong in correct bokmål UI text
#: (matched as whole words, case-insensitive). Words Norwegian shares ("for", "to",
#: "per", "segment", "total", "no", "risiko"'s "risk"...) are left out on purpose.
ENGLISH_WORDS = (
    "the", "and", "of", "with", "without", "is", "are", "was", "this", "that", "these", "which",
    "what", "who", "when", "why", "how", "from", "into", "your", "you", "our", "not", "yet",
    "customer", "customers", "churn rate", "churned", "churners", "threshold", "baseline", "baselines",
    "months", "month", "days", "weeks", "year", "years", "today", "rate", "average", "share",
    "Download", "Upload", "Save", "Loading", "Running", "Choose options", "Choose an option",
    "Below tiers", "scored", "score", "model is", "rule-based", "random", "tier", "tiers",
    "expected", "profit", "revenue", "cost", "value", "active", "left", "stayed", "leave",
    "feature", "features", "training", "trained", "sample", "click", "select", "please", "show",
    "hide", "more", "less", "than", "high", "low", "risk", "drivers", "signals", "warning", "error",
)  # fmt: skip
#: Streamlit's own text that the app cannot change, and the link only a keyboard user focuses.
STREAMLIT_OWN = ("Drag and drop file here", "Browse files", "Limit 200MB per file", "Skip to main content")

_ENGLISH = re.compile(r"(?i)(?<![\w-])(" + "|".join(re.escape(w) for w in ENGLISH_WORDS) + r")(?![\w-])")
_SEED = re.compile(r"(?i)\bseed \d{3}\b")
#: Decimal points in Norwegian: not a date (23.11.2026, 01.11, 11.2026) nor a version (v1.2, 1.2.3).
_DECIMAL_POINT = re.compile(r"(?<![\w.,])\d+\.\d+(?![\w.,]*\d)")
_DATE_LIKE = re.compile(
    r"^(?:(?:0?[1-9]|[12]\d|3[01])\.(?:0?[1-9]|1[0-2])\.\d{2,4}"  # 23.11.2026
    r"|(?:0[1-9]|[12]\d|3[01])\.(?:0[1-9]|1[0-2])"  # 01.11
    r"|(?:0?[1-9]|1[0-2])\.(?:19|20)\d\d)$"  # 11.2026
)
_VERSION_BEFORE = re.compile(r"(?i)(?:\bv|versjon |version |python )$")
#: A comma between thousands: 1,500 or 12,345,678; a leading 0 (0,907) is a Norwegian decimal.
_THOUSANDS_COMMA = re.compile(r"(?<![\w.,])[1-9]\d{0,2}(?:,\d{3})+(?![\w,]*\d)")
#: Python's and JavaScript's words for nothing ("None of the ..." is an English sentence).
_NOTHING = re.compile(r"(?<![\w-])(?:None(?! of\b)|nan|NaN|NaT|<NA>|null|undefined)(?![\w-])")
_URL = re.compile(r"\bhttps?://\S+")
_SNAKE = re.compile(r"(?<![\w.-])[a-z]+(?:_[a-z0-9]+)+(?![\w-])")


def snippet(text: str, start: int, end: int, width: int = 40) -> str:
    """The match with a little context on one line, for a readable report."""
    left, right = max(0, start - width), min(len(text), end + width)
    return " ".join(text[left:right].split())


def _mask(text: str, words: frozenset[str]) -> str:
    """``text`` with the client's own words blanked out (whole words, longest first)."""
    if not words:
        return text
    ordered = sorted(words, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w])(?:" + "|".join(re.escape(w) for w in ordered) + r")(?![\w])")
    return pattern.sub(lambda m: "▯" * len(m.group()), text)


def _english_lines(text: str, masked: str) -> list[str]:
    """One line per line of text with English in it: the words, then the line as shown."""
    found, start = [], 0
    for line in masked.split("\n"):
        words = list(dict.fromkeys(m.group() for m in _ENGLISH.finditer(line)))
        if words:
            shown = " ".join(text[start : start + len(line)].split())
            found.append(f"English ({', '.join(words)}): «{shown[:200]}{'…' if len(shown) > 200 else ''}»")
        start += len(line) + 1
    return found


def text_violations(text: str, lang: str, client_words: frozenset[str], *, raw: bool = False) -> list[str]:
    """Every problem in a page's visible ``text`` as ``"<check>: <snippet>"`` lines.

    ``client_words`` (the client's column names and values) may be shown as written in
    any language; everything else must be ours and in the reader's language. Links are
    addresses, not words. ``raw``: the text is a table's raw cell values, not what it
    shows, so only its words are checked (not how numbers or empty cells are written).
    """
    masked = _URL.sub(lambda m: "▯" * len(m.group()), _mask(text, client_words | frozenset(STREAMLIT_OWN)))
    found = []

    def add(check: str, match: re.Match, shown: str | None = None) -> None:
        found.append(f"{check} «{shown or match.group()}»: …{snippet(text, match.start(), match.end())}…")

    for match in _SEED.finditer(masked):
        add("seed", match)
    for match in () if raw else _NOTHING.finditer(masked):
        add("empty value", match)
    for match in _SNAKE.finditer(masked):
        add("internal name", match)
    if lang == "nb":
        found += _english_lines(text, masked)
    if lang == "nb" and not raw:
        for match in _DECIMAL_POINT.finditer(masked):
            before = masked[max(0, match.start() - 8) : match.start()]
            if not _DATE_LIKE.match(match.group()) and not _VERSION_BEFORE.search(before):
                add("decimal point", match)
        for match in _THOUSANDS_COMMA.finditer(masked):
            add("thousands comma", match)
    return found


# ---------------------------------------------------------------- in the page


#: The visible text of the main area and the sidebar, the values of the widgets in view
#: (label, value or placeholder), and the header and visible cells of every table. Material icons are ligature glyphs ("upload_file" draws an icon), the
#: uploader's drop zone is Streamlit's own text: both are hidden while the text is read.
#: A dataframe is a canvas (glide-data-grid); its accessibility table holds the header
#: and the cells drawn so far, as raw values (a styled table's "40,7 %" is 0.4066... there).
PAGE_TEXT = """() => {
  const icons = [...document.querySelectorAll("[data-testid='stApp'] span")]
    .filter((span) => getComputedStyle(span).fontFamily.includes("Material Symbols"));
  icons.forEach((icon) => icon.setAttribute("data-client-ready-icon", ""));
  const style = document.createElement("style");
  style.textContent = "[data-client-ready-icon], [data-testid='stIconEmoji'], "
    + "[data-testid='stFileUploaderDropzone'], [data-testid='stSkipToContent'] {display: none !important}";
  document.head.appendChild(style);
  const text = (selector) => [...document.querySelectorAll(selector)].map((e) => e.innerText).join("\\n");
  const read = {main: text("[data-testid='stMain']"), sidebar: text("[data-testid='stSidebar']")};
  style.remove();
  icons.forEach((icon) => icon.removeAttribute("data-client-ready-icon"));
  const grids = [...document.querySelectorAll("[data-testid='stDataFrame'] table[role='grid']")]
    .filter((grid) => grid.closest("[data-testid='stDataFrame']").checkVisibility());
  const cells = (selector) => grids
    .map((grid) => [...grid.querySelectorAll(selector)].map((cell) => cell.textContent).join(" | "))
    .join("\\n");
  // a widget's value (or its placeholder while empty) is an input's value, not text
  read.widgets = [...document.querySelectorAll("[data-testid='stApp'] input, [data-testid='stApp'] textarea")]
    .filter((input) => ["text", "number", "search", "textarea"].includes(input.type) && input.checkVisibility())
    .map((input) => [input.getAttribute("aria-label") || input.name || "", input.value || input.placeholder || ""])
    .filter(([, value]) => value);
  read.headers = cells("th");
  read.cells = cells("td");
  return read;
}"""

#: Metric labels and values, and buttons, whose text does not fit (cut off, often with an ellipsis).
CUT_OFF_METRICS = """() => {
  const cut = [];
  const parts = "[data-testid='stMetricLabel'], [data-testid='stMetricValue'], [data-testid^='stBaseButton']";
  for (const part of document.querySelectorAll(parts)) {
    if (!part.checkVisibility()) continue;
    const boxes = [part, ...part.querySelectorAll("*")];
    if (boxes.some((box) => box.scrollWidth > box.clientWidth + 1 && getComputedStyle(box).overflowX !== "visible")) {
      const kind = {stMetricLabel: "metric label", stMetricValue: "metric value"}[part.dataset.testid] || "button";
      cut.push(kind + " «" + part.innerText.trim() + "» (" + Math.round(part.getBoundingClientRect().width) + " px wide)");
    }
  }
  return cut;
}"""

#: Where the first metric and the first chart start, before any scrolling (None: no such element).
FIRST_METRIC_AND_CHART = """() => {
  const first = (selector) => [...document.querySelectorAll(selector)].find((e) => e.checkVisibility());
  const top = (e) => e ? Math.round(e.getBoundingClientRect().top) : null;
  const metric = first("[data-testid='stMetric']");
  return {
    metric: top(metric), metric_label: metric ? metric.innerText.split("\\n")[0] : null,
    chart: top(first("[data-testid='stVegaLiteChart'], .vega-embed")),
    height: window.innerHeight,
  };
}"""

#: Records the label of every sidebar link seen, from the first response on: every 100 ms
#: and at every change of the page. Installed with ``context.add_init_script``.
WATCH_NAV = """(() => {
  window.__navSeen = [];
  const labels = () => {
    for (const link of document.querySelectorAll(
        "[data-testid='stSidebarNavLink'], [data-testid='stPageLink-NavLink'], [data-testid='stSidebarNav'] a")) {
      const copy = link.cloneNode(true);
      copy.querySelectorAll("[data-testid='stIconMaterial'], [data-testid='stIconEmoji']").forEach((i) => i.remove());
      const label = copy.textContent.trim();
      if (label && !window.__navSeen.includes(label)) window.__navSeen.push(label);
    }
  };
  setInterval(labels, 100);
  const observe = () => new MutationObserver(labels).observe(document.documentElement, {childList: true, subtree: true});
  document.documentElement ? observe() : document.addEventListener("DOMContentLoaded", observe);
})()"""
