"""Data page (AppTest): sample button, uploads with role confirmation, bad uploads keep the workspace intact."""

from __future__ import annotations

from pathlib import Path

from churn.workspace import store

FILES = Path(__file__).parent / "files"


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.info] + [e.value for e in at.success] + [e.value for e in at.warning]
    return "\n".join(str(p) for p in parts).replace("\\_", "_")  # markdown escapes


def test_empty_workspace_explains_and_the_sample_button_loads_and_saves(app_test):
    at = app_test(dataset=None)
    at.switch_page("pages/data.py").run()
    assert not at.exception
    assert "Parquet" in at.info[0].value  # the empty state says which files work
    sample_button = next(b for b in at.button if b.label == "Use the sample data")
    sample_button.click().run()
    assert not at.exception
    datasets = store.list_datasets(at.session_state["ws"])
    assert len(datasets) == 1 and datasets[0]["name"] == "sample"
    assert at.session_state["dataset_id"] == datasets[0]["id"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Customers"] == f"{datasets[0]['customers']:,}"
    assert "churn_reason" in _texts(at) and "excluded from modelling by default" in _texts(at)


def test_current_dataset_report_is_shown(app_test):
    at = app_test(lang="nb")
    at.switch_page("pages/data.py").run()
    assert not at.exception
    assert at.title[0].value == "Data"
    labels = [m.label for m in at.metric]
    assert "Kunder" in labels and "Churn-rate" in labels
    assert "måneder med historikk" in _texts(at)


def test_bad_upload_shows_one_error_and_keeps_the_previous_dataset(app_test):
    at = app_test()
    token, before_id = at.session_state["ws"], at.session_state["dataset_id"]
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="upload_customers").upload("garbage.csv", bytes(range(256)) * 16, "text/csv")
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and "binary" in at.error[0].value
    assert [d["id"] for d in store.list_datasets(token)] == [before_id]
    assert at.session_state["dataset_id"] == before_id
    assert at.metric  # the previous dataset's report is still shown


def test_upload_confirm_roles_and_save(app_test):
    at = app_test(dataset=None)
    at.switch_page("pages/data.py").run()
    content = (FILES / "norsk_cp1252.csv").read_bytes()
    at.file_uploader(key="upload_customers").upload("norsk_cp1252.csv", content, "text/csv")
    at.run()
    assert not at.exception
    chosen = {s.label: s.value for s in at.selectbox}
    assert chosen["Customer id"] == "Kundenr" and chosen["End / cancel date"] == "Oppsagt dato"
    assert set(at.multiselect[0].value) == {"Bransje", "Fylke"}
    at.multiselect[0].set_value(["Bransje"])
    next(b for b in at.button if b.label == "Confirm and analyse").click().run()
    assert not at.exception
    (saved,) = store.list_datasets(at.session_state["ws"])
    assert saved["customers"] == 8
    data = store.load_dataset(at.session_state["ws"], saved["id"])
    assert data.mapping.segments == ("Bransje",) and data.mapping.end_date == "Oppsagt dato"
    assert {m.label: m.value for m in at.metric}["Churned"] == "4"


def test_one_class_label_upload_is_refused_on_confirm(app_test):
    at = app_test()
    token, before_id = at.session_state["ws"], at.session_state["dataset_id"]
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="upload_customers").upload(
        "one.csv", b"customerID,Churn\na,No\nb,No\nc,No\n", "text/csv"
    )
    at.run()
    next(b for b in at.button if b.label == "Confirm and analyse").click().run()
    assert not at.exception
    assert any("only one value ('No')" in e.value for e in at.error)
    assert [d["id"] for d in store.list_datasets(token)] == [before_id]
