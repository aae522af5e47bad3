"""Churn workshop: the router and the shared sidebar.

Run with ``streamlit run app.py``. Pages live in ``pages/`` and call ``churn``.
"""

import streamlit as st

from churn.core.formatting import fmt_number
from churn.core.i18n import LANGUAGE_NAMES
from pages import access, common, state

st.set_page_config(page_title="Churn workshop", page_icon=":material/trending_down:", layout="wide")
access.check_access()
common.init_session()
tr = common.tr

PAGES = [
    ("pages/data.py", "nav.data", ":material/upload_file:"),
    ("pages/when.py", "nav.when", ":material/calendar_month:"),
    ("pages/why.py", "nav.why", ":material/troubleshoot:"),
    ("pages/model.py", "nav.model", ":material/model_training:"),
    ("pages/explain.py", "nav.explain", ":material/lightbulb:"),
    ("pages/roi.py", "nav.roi", ":material/savings:"),
    ("pages/report.py", "nav.report", ":material/description:"),
]

navigation = st.navigation(
    [st.Page(path, title=tr(key), icon=icon, default=(i == 0)) for i, (path, key, icon) in enumerate(PAGES)]
)
common.follow_deep_link()

with st.sidebar:
    st.markdown(f"### {tr('app.title')}")
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
        labels = {d["id"]: f"{d['name']} · {fmt_number(d['customers'], common.lang())}" for d in datasets}
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

    if state.WORKSPACE_NOTICE.pop():
        st.warning(tr("common.ws_invalid"), icon=":material/link_off:")
    st.caption(tr("app.workspace_help"))

navigation.run()
