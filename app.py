"""Churn workshop: the router and the shared sidebar.

Run with ``streamlit run app.py``. Pages live in ``pages/`` and call ``churn``.
The navigation is drawn here as links (``st.navigation`` is hidden), and
``.streamlit/config.toml`` hides Streamlit's own page list, so a freshly started
server never shows the page files' raw names while the first run imports the libraries.
"""

import contextlib
import sys

import streamlit as st

from churn.core.i18n import normalise_language, t

st.set_page_config(page_title="Churn workshop", page_icon=":material/trending_down:", layout="wide")

first_run = "pages.common" not in sys.modules  # a fresh server loads CatBoost and SHAP first (seconds)
opening = t("app.opening", normalise_language(st.query_params.get("lang")))
with st.spinner(opening) if first_run else contextlib.nullcontext():
    from churn.core.formatting import CURRENCIES, fmt_number
    from churn.core.i18n import LANGUAGE_NAMES
    from pages import access, common, display, state

#: Our own fixed style (never user text): less empty space above the title and a smaller
#: title, so a projector's 1280×720 shows the headline figures and the first chart.
st.html(
    "<style>[data-testid='stMainBlockContainer']{padding-top:2.2rem;padding-bottom:3rem}"
    "[data-testid='stMainBlockContainer'] h1{font-size:2.1rem;padding-top:0.4rem}</style>"
)
access.check_access()
common.init_session()
tr = common.tr

#: (page file, title key, icon); the start page first, then the seven steps in order.
PAGES = [
    ("pages/home.py", "nav.home", ":material/home:"),
    ("pages/data.py", "nav.data", ":material/upload_file:"),
    ("pages/when.py", "nav.when", ":material/calendar_month:"),
    ("pages/why.py", "nav.why", ":material/troubleshoot:"),
    ("pages/model.py", "nav.model", ":material/model_training:"),
    ("pages/explain.py", "nav.explain", ":material/lightbulb:"),
    ("pages/roi.py", "nav.roi", ":material/savings:"),
    ("pages/report.py", "nav.report", ":material/description:"),
]

pages = [
    st.Page(path, title=tr(key), icon=icon, default=(i == 0)) for i, (path, key, icon) in enumerate(PAGES)
]
navigation = st.navigation(pages, position="hidden")
common.follow_deep_link()

with st.sidebar:
    st.markdown(f"### {tr('app.title')}")
    for page in pages:
        st.page_link(page)

    st.divider()
    codes = common.language_options()
    chosen = st.segmented_control(
        tr("app.language"),
        options=codes,
        format_func=lambda code: LANGUAGE_NAMES[code],
        default=common.lang(),
        key=state.Widget.LANGUAGE_CHOICE,
    )
    if chosen and chosen != common.lang():
        common.set_language(chosen)
        st.rerun()

    datasets = common.workspace_datasets()
    if datasets:
        ids = [d["id"] for d in datasets]
        labels = {
            d["id"]: f"{common.dataset_name(d['name'])} · {fmt_number(d['customers'], common.lang())}"
            for d in datasets
        }
        current = state.DATASET_ID.get()
        picked = st.selectbox(
            tr("app.dataset"),
            ids,
            index=ids.index(current) if current in ids else 0,
            format_func=labels.get,
            help=tr("app.dataset_help"),
        )
        if picked != current:
            common.select_dataset(picked)
    else:
        st.caption(tr("app.no_dataset_yet"))

    money = display.currency()
    picked_currency = st.selectbox(
        tr("app.currency"),
        CURRENCIES,
        index=CURRENCIES.index(money),
        help=tr("app.currency_help"),
    )
    if picked_currency != money:
        display.set_currency(picked_currency)
        st.rerun()

    if state.WORKSPACE_NOTICE.pop():
        st.warning(tr("common.ws_invalid"), icon=":material/link_off:")
    st.caption(tr("app.workspace_help"))

# A page run that takes longer than half a second shows that it is working (Streamlit's delay).
with st.spinner(tr("app.working")):
    navigation.run()
