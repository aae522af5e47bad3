"""Data page (AppTest): sample button, uploads with role confirmation, bad uploads keep the workspace intact.

The role pickers show each guess with its reason and confidence and ask when the
evidence is thin; the label values of the churn column can be changed; notes say how
the file was read; workbooks get a sheet picker; subscriptions can be combined into
customers; leakage suspects can be brought back. Each test asserts on what is shown
and on what is saved.
"""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import openpyxl
import pytest

from churn.workspace import store
from tests.hostile import names
from tests.test_hostile_pages import rendered_leaks

FILES = Path(__file__).parent / "files"
CONFIRM = "Confirm and analyse"


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.info] + [e.value for e in at.success] + [e.value for e in at.warning]
    return re.sub(r"\\(.)", r"\1", "\n".join(str(p) for p in parts))  # undo markdown escapes


def test_empty_workspace_explains_and_the_sample_button_loads_and_saves(app_test):
    at = app_test(dataset=None)
    at.switch_page("pages/data.py").run()
    assert not at.exception
    assert "Parquet" in at.info[0].value  # the empty state says which files work
    sample_button = next(b for b in at.button if b.label == "Use the sample data")
    sample_button.click().run()
    assert not at.exception
    token = at.session_state["ws"]
    datasets = store.list_datasets(token, shared=store.get_settings(token)["shared"])
    assert len(datasets) == 1 and datasets[0]["name"] == "sample" and datasets[0]["shared"]
    assert store.list_datasets(token) == []  # the sample is the shared copy, not the workspace's own
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
    assert "Kunder" in labels and "Avgangsrate" in labels
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


def _norwegian_upload(app_test):
    """An empty workspace's Data page with the cp1252 Norwegian customer file uploaded."""
    at = app_test(dataset=None)
    at.switch_page("pages/data.py").run()
    content = (FILES / "norsk_cp1252.csv").read_bytes()
    at.file_uploader(key="upload_customers").upload("norsk_cp1252.csv", content, "text/csv")
    at.run()
    assert not at.exception
    return at


def test_upload_confirm_roles_and_save(app_test):
    at = _norwegian_upload(app_test)
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


def _until_idle(at, runs: int = 60):
    """Rerun until the page shows no background progress (AppTest does not run timed fragments)."""
    for _ in range(runs):
        if not at.get("progress"):
            return at
        time.sleep(0.25)
        at.run()
    raise AssertionError("the background work did not finish")


def test_a_big_upload_is_read_and_saved_in_the_background(app_test, monkeypatch):
    """Above the heavy-upload size (0 MB here), reading and saving run as intake jobs with progress."""
    monkeypatch.setenv("CHURN_HEAVY_UPLOAD_MB", "0")
    at = _norwegian_upload(app_test)
    _until_idle(at)
    assert {s.label: s.value for s in at.selectbox}["Customer id"] == "Kundenr"
    next(b for b in at.button if b.label == "Confirm and analyse").click().run()
    assert not at.exception
    _until_idle(at)
    (saved,) = store.list_datasets(at.session_state["ws"])
    assert saved["customers"] == 8 and at.session_state["dataset_id"] == saved["id"]
    assert any("8 customers" in s.value for s in at.success), [s.value for s in at.success]
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


# ---------------------------------------------------------------- roles from evidence


def _upload(at, name: str, content: bytes, key: str = "upload_customers"):
    at.file_uploader(key=key).upload(name, content, "text/csv")
    at.run()
    assert not at.exception, at.exception
    return at


def _confirm(at):
    next(b for b in at.button if b.label == CONFIRM).click().run()
    assert not at.exception, at.exception
    return at


def _select(at, label: str):
    return next(s for s in at.selectbox if s.label == label)


def _saved(at):
    (saved,) = store.list_datasets(at.session_state["ws"])
    return store.load_dataset(at.session_state["ws"], saved["id"])


def _csv(header: str, rows) -> bytes:
    return ("\n".join([header, *(",".join(str(v) for v in row) for row in rows)]) + "\n").encode()


def _two_yes_no_columns() -> bytes:
    """20 customers; 'A' is Yes for odd i (10 of 20), 'B' is No for i divisible by 3 (0, 3, ..., 18: 7 of 20)."""
    rows = [(f"c{i}", "Yes" if i % 2 else "No", "Yes" if i % 3 else "No", i * 3) for i in range(20)]
    return _csv("id,A,B,spend", rows)


def _three_statuses() -> bytes:
    """12 customers: 5 active, 4 canceled, 3 paused (most common first: active, canceled, paused)."""
    statuses = ["active"] * 5 + ["canceled"] * 4 + ["paused"] * 3
    return _csv("customer_id,status,monthly_fee", [(f"k{i}", s, 100 + i) for i, s in enumerate(statuses)])


def test_a_low_confidence_file_asks_naming_both_candidates_and_saves_the_users_pick(app_test):
    """Neither Yes/No column is named like a churn label: the page asks instead of guessing.

    Picking 'B' makes churn its Yes rows: 20 - 7 No rows = 13 churned.
    """
    at = app_test(dataset=None)
    at.switch_page("pages/data.py").run()
    _upload(at, "low.csv", _two_yes_no_columns())
    (ask,) = [w.value for w in at.warning]
    assert ask.startswith("Not sure which column is the churn column:") and "Pick it below" in ask
    assert "'A'" in ask and "'B'" in ask and "not named like a churn column" in ask
    churn = _select(at, "Churn column (yes/no or status)")
    assert churn.value is None
    assert _select(at, "Customer id").value == "id"
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Guess (unsure): 'A'") and "next best: 'B'" in c for c in captions)
    assert any(c.startswith("Guess (sure): 'id'") for c in captions)
    churn.set_value("B").run()
    assert not at.exception and not at.warning  # answered: the question goes
    assert "B" not in at.multiselect[0].options  # the label is no segment
    _confirm(at)
    data = _saved(at)
    assert data.mapping.churn_label == "B" and data.mapping.churned_values == ("Yes",)
    assert int(data.customers["churned"].sum()) == 13
    assert {m.label: m.value for m in at.metric}["Churned"] == "13"


def test_a_three_valued_status_gets_an_editable_label_mapping(app_test):
    """Defaults: canceled left (4), active and paused still customers. Moving 'paused' to Left: 4 + 3 = 7."""
    at = app_test(dataset=None)
    at.switch_page("pages/data.py").run()
    _upload(at, "status.csv", _three_statuses())
    (editor,) = at.data_editor
    table = editor.value
    assert table.to_dict("list") == {
        "value": ["active", "canceled", "paused"],
        "rows": [5, 4, 3],
        "means": ["active", "left", "active"],
    }
    texts = _texts(at)
    assert "Churn column values" in texts and "'paused' counts as still a customer" in texts
    assert "With these choices: 12 customers, 4 of them left (33.3%)." in texts
    paused = table["value"].tolist().index("paused")
    at.session_state[editor.key] = {
        "edited_rows": {paused: {"means": "left"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception
    texts = _texts(at)
    assert "With these choices: 12 customers, 7 of them left (58.3%)." in texts
    assert "'paused' counts as still a customer" not in texts  # the note no longer holds
    _confirm(at)
    data = _saved(at)
    assert data.mapping.churned_values == ("canceled", "paused") and data.mapping.active_values == ("active",)
    assert int(data.customers["churned"].sum()) == 7
    assert "'canceled', 'paused' count as left; 'active' as still a customer." in _texts(at)
    confirmed = dict(at.dataframe[-1].value.values.tolist())  # the report's confirmed roles
    assert (
        confirmed["Churn column (yes/no or status)"] == "status"
        and confirmed["Values that mean left"] == "canceled, paused"
    )


def test_a_value_left_out_drops_its_rows(app_test):
    """'paused' marked Leave out: 12 - 3 = 9 customers, 4 of them left."""
    at = app_test(dataset=None)
    at.switch_page("pages/data.py").run()
    _upload(at, "status.csv", _three_statuses())
    editor = at.data_editor[0]
    at.session_state[editor.key] = {
        "edited_rows": {2: {"means": "excluded"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert "With these choices: 9 customers, 4 of them left (44.4%)." in _texts(at)
    _confirm(at)
    data = _saved(at)
    assert len(data.customers) == 9 and data.mapping.excluded_values == ("paused",)


def test_a_file_without_an_id_column_numbers_the_rows_and_saves(app_test):
    """No id: each of the 30 rows is a customer, numbered 1..30; Churn is Yes for 20 of them (i % 3 != 0)."""
    rows = [(["Oslo", "Bergen"][i % 2], "No" if i % 3 == 0 else "Yes", 10 + i) for i in range(30)]
    at = app_test(dataset=None)
    at.switch_page("pages/data.py").run()
    _upload(at, "noid.csv", _csv("city,Churn,fee", rows))
    (note,) = [i.value for i in at.info]
    assert "No column identifies the customers, so each of the 30 rows is taken as one customer" in note
    assert _select(at, "Customer id").value is None
    assert not at.warning  # the note answers it: no question about the id
    _confirm(at)
    data = _saved(at)
    assert data.mapping.customer_id is None and len(data.customers) == 30
    assert data.customers["customer_id"].astype(str).tolist()[:3] == ["1", "2", "3"]
    assert int(data.customers["churned"].sum()) == 20


def test_norwegian_words_for_evidence_label_values_and_notes(app_test):
    at = app_test(dataset=None, lang="nb")
    at.switch_page("pages/data.py").run()
    _upload(at, "status.csv", _three_statuses())
    texts = _texts(at)
    assert "Verdier i avgangskolonnen" in texts and "Slik ble filen lest" in texts
    assert any(c.value.startswith("Gjetning (sikker): ") for c in at.caption)
    assert "Med disse valgene: 12 kunder, og 4 av dem har sluttet (33,3" in texts.replace("\u00a0", " ")
    assert _select(at, "Avgangskolonne (ja/nei eller status)").value == "status"
    columns = at.data_editor[0].proto.columns
    assert "Fortsatt kunde" in columns and "Holdes utenfor" in columns and "Betyr" in columns
    _upload(at, "low.csv", _two_yes_no_columns())
    (ask,) = [w.value for w in at.warning]
    assert ask.startswith("Usikker på hvilken kolonne som er avgangskolonnen:") and " eller " in ask


def test_a_workbook_gets_a_sheet_picker_and_another_sheet_is_read(app_test):
    """The first sheet is a data dictionary; 'Data' (12 rows) is read, 'Data 2023' (5 rows) on request."""
    book = openpyxl.Workbook()
    book.active.title = "About"
    for row in [("Field", "Meaning"), ("customer_id", "The customer"), ("Churn", "Yes if left")]:
        book.active.append(row)
    for title, rows in (("Data", 12), ("Data 2023", 5)):
        sheet = book.create_sheet(title)
        sheet.append(("customer_id", "Churn", "fee"))
        for i in range(rows):
            sheet.append((f"{title[-1]}{i}", "Yes" if i % 3 == 0 else "No", 10 + i))
    content = io.BytesIO()
    book.save(content)
    at = app_test(dataset=None)
    at.switch_page("pages/data.py").run()
    _upload(at, "book.xlsx", content.getvalue())
    picker = _select(at, "Sheet in 'book.xlsx'")
    assert picker.value == "Data" and list(picker.options) == ["About", "Data", "Data 2023"]
    assert "Sheet 'Data' looks like the data" in _texts(at)
    assert "12 rows" in at.expander[0].label
    picker.set_value("Data 2023").run()
    assert not at.exception and "5 rows" in at.expander[0].label
    _confirm(at)
    assert len(_saved(at).customers) == 5


def test_subscription_rows_can_be_combined_into_customers(app_test):
    """6 subscriptions of 3 customers; a customer left when all their rows left: only 'C' (both canceled)."""
    rows = [
        ("s1", "A", "active"),
        ("s2", "A", "canceled"),
        ("s3", "B", "active"),
        ("s4", "B", "active"),
        ("s5", "C", "canceled"),
        ("s6", "C", "canceled"),
    ]
    at = app_test(dataset=None)
    at.switch_page("pages/data.py").run()
    _upload(at, "subs.csv", _csv("subscription_id,customer_id,status", rows))
    texts = _texts(at)
    assert "Each row is one 'subscription_id', not one customer: 'customer_id' repeats (6 rows for 3" in texts
    (box,) = [c for c in at.checkbox if c.label.startswith("One row per customer")]
    assert box.label.replace("\\_", "_") == "One row per customer (by 'customer_id')" and box.value is False
    box.check().run()
    assert "With these choices: 3 customers, 1 of them left" in _texts(at)
    _confirm(at)
    data = _saved(at)
    assert data.mapping.grain_key == "customer_id" and len(data.customers) == 3
    assert int(data.customers["churned"].sum()) == 1


def test_a_leak_is_listed_with_its_reason_and_can_be_brought_back(app_test):
    content = (FILES / "traps" / "customers_model_score.csv").read_bytes()
    at = app_test(dataset=None)
    at.switch_page("pages/data.py").run()
    _upload(at, "score.csv", content)
    texts = _texts(at)
    assert "Left out as possible leaks" in texts and "another model's output" in texts
    keep = next(m for m in at.multiselect if m.label == "Bring back as features")
    assert keep.value == [] and "churn_probability" in keep.options
    _confirm(at)
    assert "churn_probability" in _saved(at).leakage
    keep = next(m for m in at.multiselect if m.label == "Bring back as features")
    keep.set_value(["churn_probability"]).run()
    _confirm(at)
    latest = store.list_datasets(at.session_state["ws"])[0]
    data = store.load_dataset(at.session_state["ws"], latest["id"])
    assert data.mapping.kept_suspects == ("churn_probability",)
    assert "churn_probability" not in data.leakage and "churn_probability" in data.model_attributes


def test_hostile_headers_and_values_in_the_evidence_are_shown_as_written(app_test):
    """Headers and label values that are markdown or HTML reach asks, captions, notes and the editor escaped."""
    header = f"kundenr,{names.IMAGE},{names.LINK},{names.HTML}"
    rows = [
        (f"c{i}", "Yes" if i % 2 else "No", "Yes" if i % 3 else "No", f"{names.CODE} {i % 3}")
        for i in range(20)
    ]
    at = app_test(dataset=None)
    at.switch_page("pages/data.py").run()
    _upload(at, f"{names.MATHS}.csv", _csv(header, rows))
    assert at.warning and rendered_leaks(at) == []
    _select(at, "Churn column (yes/no or status)").set_value(names.IMAGE).run()
    assert not at.exception and at.data_editor and rendered_leaks(at) == []
    _confirm(at)
    assert rendered_leaks(at) == []


def test_label_values_without_a_meaning_are_named(app_test):
    """'spend' is no label: of its 20 values only '0' reads as a class; the page names the others."""
    at = app_test(dataset=None)
    at.switch_page("pages/data.py").run()
    _upload(at, "low.csv", _two_yes_no_columns())
    _select(at, "Churn column (yes/no or status)").set_value("spend").run()
    assert not at.exception
    (unset,) = [w.value for w in at.warning]
    assert unset.startswith("No meaning chosen yet for '3', '6', '9', '12', '15' …")


@pytest.mark.parametrize(
    "lang,expected",
    [
        ("en", ["Files up to 200 MB can be uploaded here", "command line", "no size limit", "Parquet"]),
        ("nb", ["filer på opptil 200 MB", "kommandolinjen", "ikke har noen størrelsesgrense", "Parquet"]),
    ],
)
def test_the_upload_limit_says_what_to_do_above_it(app_test, lang, expected):
    """The limit is the server's maxUploadSize (.streamlit/config.toml: 200); above it: the CLI or Parquet."""
    at = app_test(dataset=None, lang=lang)
    at.switch_page("pages/data.py").run()
    assert not at.exception
    (caption,) = [c.value for c in at.caption if "200 MB" in c.value]
    for text in expected:
        assert text in caption
