"""Column and label-value overrides on every command that reads data (churn/commands/common.py).

Each file here is written by hand in ``tmp_path``; the expected mapping and counts
are read off the rows.
"""

from __future__ import annotations

import argparse
import dataclasses

import pandas as pd
import pytest

from churn.commands import common
from churn.commands.cli import main
from churn.core.dataset import RoleMapping
from churn.core.errors import SchemaError
from churn.ingest.evidence import Candidate, Note, RoleEvidence, role_guess


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="test")
    common.add_input_arguments(parser)
    return parser.parse_args(argv)


def error_line(capsys, argv: list[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: "), err
    return err[0]


@pytest.fixture
def customers(tmp_path) -> str:
    """Six customers; every role has a second column it could be told to use instead.

    ``Status``: Churned (k1, k4), Stayed (k2, k5), Joined (k3, k6); ``Churn``: Yes for k2 only.
    """
    path = tmp_path / "customers.csv"
    pd.DataFrame(
        {
            "customer_id": ["k1", "k2", "k3", "k4", "k5", "k6"],
            "Account": ["A-1", "A-2", "A-3", "A-4", "A-5", "A-6"],
            "Churn": ["No", "Yes", "No", "No", "No", "No"],
            "Status": ["Churned", "Stayed", "Joined", "Churned", "Stayed", "Joined"],
            "signup_date": [
                "2024-01-05",
                "2024-02-01",
                "2024-03-01",
                "2024-01-20",
                "2024-02-10",
                "2024-03-15",
            ],
            "Registered": [
                "2024-01-06",
                "2024-02-02",
                "2024-03-02",
                "2024-01-21",
                "2024-02-11",
                "2024-03-16",
            ],
            "Closed": ["2024-06-01", "", "", "2024-07-01", "", ""],
            "tenure": [5, 9, 8, 6, 9, 8],
            "Months": [4, 8, 7, 5, 8, 7],
            "MonthlyCharges": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0],
            "Fee": [11.0, 21.0, 31.0, 41.0, 51.0, 61.0],
            "plan": ["a", "b", "a", "b", "a", "b"],
        }
    ).to_csv(path, index=False)
    return str(path)


@pytest.fixture
def events(tmp_path) -> str:
    """Eight events of k1 ... k6 with two candidate columns for every event role."""
    path = tmp_path / "events.csv"
    pd.DataFrame(
        {
            "customer_id": ["k1", "k2", "k3", "k4", "k5", "k6", "k1", "k2"],
            "Who": ["k1", "k2", "k3", "k4", "k5", "k6", "k1", "k2"],
            "timestamp": ["2024-04-01", "2024-04-02", "2024-04-03", "2024-04-04"] * 2,
            "Logged": ["2024-04-05", "2024-04-06", "2024-04-07", "2024-04-08"] * 2,
            "event_type": ["order", "login", "order", "login"] * 2,
            "Channel": ["web", "shop", "web", "shop"] * 2,
            "amount": [10.0, 0.0, 20.0, 0.0, 5.0, 0.0, 7.0, 0.0],
            "Total": [11.0, 1.0, 21.0, 1.0, 6.0, 1.0, 8.0, 1.0],
        }
    ).to_csv(path, index=False)
    return str(path)


@pytest.mark.parametrize(
    "flag,column,role",
    [
        ("--id", "Account", "customer_id"),
        ("--label", "Churn", "churn_label"),
        ("--target", "Churn", "churn_label"),
        ("--start", "Registered", "start_date"),
        ("--end", "Closed", "end_date"),
        ("--tenure", "Months", "tenure"),
        ("--value", "Fee", "value"),
    ],
)
def test_each_customer_flag_sets_its_role(customers, flag, column, role):
    loaded = common.load(parse([customers, "--label", "Churn", flag, column]))
    assert getattr(loaded.dataset.mapping, role) == column
    assert column not in loaded.dataset.mapping.segments
    assert loaded.given[role] == common.FLAG_OF[role]


@pytest.mark.parametrize(
    "flag,column,role",
    [
        ("--event-id", "Who", "event_customer_id"),
        ("--timestamp", "Logged", "event_timestamp"),
        ("--event-type", "Channel", "event_type"),
        ("--amount", "Total", "event_amount"),
    ],
)
def test_each_event_flag_sets_its_role(customers, events, flag, column, role):
    loaded = common.load(parse([customers, "--events", events, "--label", "Churn", flag, column]))
    assert getattr(loaded.dataset.mapping, role) == column


def test_label_override_reads_that_column(customers):
    """--label Churn: only k2 (Churn = Yes) left, 1 of 6."""
    dataset = common.load(parse([customers, "--label", "Churn"])).dataset
    assert dataset.customers["churned"].tolist() == [0, 1, 0, 0, 0, 0]
    assert (dataset.mapping.churned_values, dataset.mapping.active_values) == (("Yes",), ("No",))


def test_churned_values_map_a_three_valued_status(customers):
    """--label Status --churned-values Churned: k1 and k4 left; Stayed and Joined are still customers
    (every value not named counts as still a customer), so 2 of 6 churned."""
    dataset = common.load(parse([customers, "--label", "Status", "--churned-values", "Churned"])).dataset
    mapping = dataset.mapping
    assert mapping.churned_values == ("Churned",)
    assert set(mapping.active_values) == {"Stayed", "Joined"}
    assert mapping.excluded_values == ()
    assert dataset.customers["churned"].tolist() == [1, 0, 0, 1, 0, 0]


def test_excluded_values_leave_those_rows_out(customers):
    """--excluded-values Joined: k3 and k6 are left out, 4 customers remain of whom k1, k4 left."""
    dataset = common.load(
        parse([customers, "--label", "Status", "--churned-values", "Churned", "--excluded-values", "Joined"])
    ).dataset
    assert (dataset.mapping.active_values, dataset.mapping.excluded_values) == (("Stayed",), ("Joined",))
    assert dataset.customers["customer_id"].tolist() == ["k1", "k2", "k4", "k5"]
    assert dataset.customers["churned"].tolist() == [1, 0, 1, 0]


def test_active_values_alone_make_every_other_value_left(customers):
    """--active-values Stayed: Churned and Joined mean left, so k1, k3, k4, k6 churned (4 of 6)."""
    dataset = common.load(parse([customers, "--label", "Status", "--active-values", "Stayed"])).dataset
    assert set(dataset.mapping.churned_values) == {"Churned", "Joined"}
    assert dataset.customers["churned"].tolist() == [1, 0, 1, 1, 0, 1]


def test_value_lists_are_split_on_commas_and_trimmed():
    args = parse(["x.csv", "--churned-values", "Churned, Lost ,", "--excluded-values", "Joined"])
    assert args.churned_values == ("Churned", "Lost")
    assert args.excluded_values == ("Joined",)


def test_a_value_the_label_does_not_hold_is_refused_with_its_values(customers, capsys):
    line = error_line(capsys, ["profile", customers, "--label", "Status", "--churned-values", "Lost"])
    assert line.startswith(
        "error: Column 'Status' has no value 'Lost' (given to --churned-values); its values are "
    )
    assert all(v in line for v in ("Churned", "Stayed", "Joined"))


def test_a_value_given_twice_is_refused(customers):
    with pytest.raises(
        SchemaError, match=r"^The value 'Joined' is given to both --churned-values and --excluded-values"
    ):
        common.load(
            parse(
                [
                    customers,
                    "--label",
                    "Status",
                    "--churned-values",
                    "Churned,Joined",
                    "--excluded-values",
                    "Joined",
                ]
            )
        )


def test_label_values_without_a_label_are_refused(tmp_path):
    """Churn comes from the end date; there is no label column for the values to belong to."""
    path = tmp_path / "ends.csv"
    path.write_text(
        "customer_id,signup_date,cancel_date\nk1,2024-01-01,2024-05-01\nk2,2024-01-02,\nk3,2024-01-03,\n"
    )
    with pytest.raises(SchemaError, match=r"^--churned-values needs a churn column; pass --label COLUMN"):
        common.load(parse([str(path), "--churned-values", "Yes"]))


@pytest.mark.parametrize(
    "argv,expected",
    [
        (
            ["--label", "Staus"],
            "error: Column 'Staus' is not in the customer table; the closest name is 'Status' "
            "(check the name given to --label).",
        ),
        (
            ["--value", "fee"],
            "error: Column 'fee' is not in the customer table; the closest name is 'Fee' "
            "(check the name given to --value).",
        ),
        (
            ["--start", "zzz"],
            "error: Column 'zzz' is not in the customer table; its columns are 'customer_id', 'Account', "
            "'Churn', 'Status', 'signup_date', 'Registered', 'Closed', 'tenure', ... "
            "(check the name given to --start).",
        ),
    ],
)
def test_a_column_not_in_the_file_is_one_line_with_the_closest_names(customers, capsys, argv, expected):
    assert error_line(capsys, ["profile", customers, *argv]) == expected


def test_an_event_flag_without_an_event_log_is_refused(customers, capsys):
    assert error_line(capsys, ["profile", customers, "--timestamp", "when"]) == (
        "error: Column 'when' is not in the event log: no event log was given (--events PATH) "
        "for --timestamp to name."
    )


def test_an_event_flag_names_the_event_log_columns(customers, events, capsys):
    line = error_line(capsys, ["profile", customers, "--events", events, "--event-id", "Whoo"])
    assert line == (
        "error: Column 'Whoo' is not in the event log; the closest name is 'Who' "
        "(check the name given to --event-id)."
    )


def test_no_id_numbers_the_rows(tmp_path):
    """Four rows and no id column: customers 1 ... 4, the two 'Ja' rows (1 and 3) left."""
    path = tmp_path / "rows.csv"
    path.write_text("name,city,churn\nAnne,Oslo,Ja\nAnne,Oslo,Nei\nPer,Bergen,Ja\nKari,Oslo,Nei\n")
    dataset = common.load(parse([str(path), "--no-id"])).dataset
    assert dataset.mapping.customer_id is None
    assert dataset.customers["customer_id"].tolist() == ["1", "2", "3", "4"]
    assert dataset.customers["churned"].tolist() == [1, 0, 1, 0]


def test_no_id_wins_over_a_guessed_id_column(customers):
    dataset = common.load(parse([customers, "--label", "Churn", "--no-id"])).dataset
    assert dataset.mapping.customer_id is None
    assert dataset.customers["customer_id"].tolist() == ["1", "2", "3", "4", "5", "6"]


def test_no_id_and_id_together_are_a_usage_error(customers, capsys):
    assert main(["profile", customers, "--id", "Account", "--no-id"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_a_column_named_for_one_role_leaves_the_role_it_was_guessed_for():
    """MonthlyCharges was the value; --tenure MonthlyCharges takes it, so the value is empty."""
    mapping = RoleMapping(customer_id="id", tenure="t", value="MonthlyCharges", segments=("plan", "t"))
    changed = common.apply_overrides(mapping, {"tenure": "MonthlyCharges"})
    assert (changed.tenure, changed.value, changed.customer_id) == ("MonthlyCharges", None, "id")
    assert changed.segments == ("plan", "t")


def test_event_overrides_do_not_touch_customer_roles():
    mapping = RoleMapping(customer_id="id", event_customer_id="id", segments=("id",))
    changed = common.apply_overrides(mapping, {"event_customer_id": "Who"})
    assert (changed.customer_id, changed.event_customer_id, changed.segments) == ("id", "Who", ("id",))


@dataclasses.dataclass(frozen=True)
class _Reason(Note):
    """A candidate's reason whose text is given (the same in every language)."""

    def text(self, lang: str = "en") -> str:
        return self.values["text"]


def _evidence(role: str, *candidates: tuple[str, float, str]) -> RoleEvidence:
    guess = role_guess(role, [Candidate(c, s, _Reason("roles.test", {"text": r})) for c, s, r in candidates])
    return RoleEvidence(RoleMapping(), {role: guess})


def test_an_unsure_label_lists_the_candidates_and_the_flag():
    """Scores 0.5 and 0.48 are 0.02 apart (< LOW_MARGIN 0.05): low confidence, the CLI asks."""
    evidence = _evidence(
        "churn_label", ("Status", 0.5, "values Churned / Stayed / Joined"), ("Married", 0.48, "Yes/No values")
    )
    with pytest.raises(SchemaError) as error:
        common.refuse_unsure_roles(evidence, RoleMapping(), pd.DataFrame(), None)
    assert str(error.value) == (
        "Not sure which column says who left: 'Status' (values Churned / Stayed / Joined) "
        "or 'Married' (Yes/No values); pass --label COLUMN."
    )


def test_an_unsure_role_is_not_asked_when_the_command_can_do_without():
    """An end date says who left, so an unsure label is no reason to stop; nor is an unsure id
    without an event log (intake numbers the rows)."""
    label = _evidence("churn_label", ("Status", 0.5, "a"), ("Married", 0.48, "b"))
    common.refuse_unsure_roles(label, RoleMapping(end_date="Closed"), pd.DataFrame(), None)
    ids = _evidence("customer_id", ("Account", 0.5, "a"), ("Ref", 0.49, "b"))
    common.refuse_unsure_roles(ids, RoleMapping(), pd.DataFrame(), None)
    with pytest.raises(
        SchemaError,
        match=r"^Not sure which column identifies each customer: 'Account' \(a\) or 'Ref' \(b\); pass --id COLUMN\.$",
    ):
        common.refuse_unsure_roles(ids, RoleMapping(churn_label="c"), pd.DataFrame(), pd.DataFrame())


def test_the_reason_loses_a_leading_column_name():
    evidence = _evidence(
        "event_timestamp",
        ("date", 0.5, "'date': dates in every row"),
        ("when", 0.49, "'when' named like a date"),
    )
    with pytest.raises(SchemaError) as error:
        common.refuse_unsure_roles(evidence, RoleMapping(), None, pd.DataFrame())
    assert str(error.value) == (
        "Not sure which column of the event log holds the date: 'date' (dates in every row) "
        "or 'when' (named like a date); pass --timestamp COLUMN."
    )


def test_sheet_is_passed_to_the_reader_only_when_given(customers, monkeypatch):
    calls = []
    real = common.read_table

    def spy(path, **kwargs):
        calls.append(dict(kwargs))
        kwargs.pop("sheet", None)
        return real(path, **kwargs)

    monkeypatch.setattr(common, "read_table", spy)
    common.load(parse([customers, "--label", "Churn"]))
    common.load(parse([customers, "--label", "Churn", "--sheet", "Data"]))
    assert "sheet" not in calls[0] and calls[1]["sheet"] == "Data"


def test_help_says_what_the_unnamed_values_mean(capsys):
    with pytest.raises(SystemExit):
        parse(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "every other value then means still a customer, unless --excluded-values names it" in out
    for flag in (
        "--id",
        "--label",
        "--target",
        "--no-id",
        "--sheet",
        "--event-id",
        "--timestamp",
        "--amount",
    ):
        assert flag in out


def test_notes_an_override_made_stale_are_dropped(customers, tmp_path):
    """The guesser's note on how Status's values were read says nothing once --label Churn is given;
    a note on numbered rows says nothing once --id names the id column."""
    loaded = common.load(parse([customers, "--label", "Churn"]))
    label_notes = [n for n in loaded.evidence.notes if n.key.startswith("roles.note_label")]
    assert all(n.values.get("column") == "Churn" for n in label_notes)
    path = tmp_path / "no_id_name.csv"
    path.write_text("Ref,churn\nr1,Yes\nr2,No\nr3,No\n")
    loaded = common.load(parse([str(path), "--id", "Ref"]))
    assert loaded.dataset.customers["customer_id"].tolist() == ["r1", "r2", "r3"]
    assert "roles.note_row_numbers" not in [n.key for n in loaded.evidence.notes]


@pytest.fixture
def workbook(tmp_path) -> str:
    """Sheet 'Notes' (a data dictionary) first, then 'Kunder' (4 customers, 2 left) and 'Old' (3, 1 left)."""
    from openpyxl import Workbook

    book = Workbook()
    notes = book.active
    notes.title = "Notes"
    for row in [("column", "meaning"), ("id", "customer number"), ("churn", "Yes if the customer left")]:
        notes.append(row)
    data = book.create_sheet("Kunder")
    for row in [
        ("id", "churn", "plan"),
        ("k1", "Yes", "a"),
        ("k2", "No", "b"),
        ("k3", "Yes", "a"),
        ("k4", "No", "b"),
    ]:
        data.append(row)
    old = book.create_sheet("Old")
    for row in [("id", "churn", "plan"), ("o1", "Yes", "a"), ("o2", "No", "b"), ("o3", "No", "a")]:
        old.append(row)
    path = tmp_path / "book.xlsx"
    book.save(path)
    return str(path)


def test_sheet_picks_the_workbook_sheet(workbook):
    """--sheet Old: customers o1, o2, o3 of whom o1 left; without it the data sheet 'Kunder' is read."""
    dataset = common.load(parse([workbook, "--sheet", "Old"])).dataset
    assert dataset.customers["customer_id"].tolist() == ["o1", "o2", "o3"]
    assert dataset.customers["churned"].tolist() == [1, 0, 0]
    assert common.load(parse([workbook])).dataset.customers["customer_id"].tolist() == [
        "k1",
        "k2",
        "k3",
        "k4",
    ]


def test_sheet_goes_to_the_event_log_when_it_is_the_only_file(customers, monkeypatch):
    calls = []

    def spy(path, **kwargs):
        calls.append((path, kwargs.get("sheet")))
        raise SchemaError("stop here")

    monkeypatch.setattr(common, "read_table", spy)
    for argv in (
        ["--events", "log.xlsx", "--sheet", "Log"],
        ["c.xlsx", "--events", "log.xlsx", "--sheet", "Data"],
    ):
        with pytest.raises(SchemaError, match="stop here"):
            common.load(parse(argv))
    assert calls == [("log.xlsx", "Log"), ("c.xlsx", "Data")]


def test_customer_level_combines_subscription_rows(tmp_path):
    """Subscriptions s1 (A, canceled), s2 (A, active), s3 (B, canceled): by customer, A stays and
    B left, so 2 customers and 1 churned; A's value is 100 + 50."""
    path = tmp_path / "subs.csv"
    pd.DataFrame(
        {
            "subscription_id": ["s1", "s2", "s3"],
            "customer": ["A", "A", "B"],
            "status": ["canceled", "active", "canceled"],
            "mrr": [100.0, 50.0, 70.0],
        }
    ).to_csv(path, index=False)
    loaded = common.load(parse([str(path), "--customer-level", "customer"]))
    c = loaded.dataset.customers
    assert c["customer_id"].tolist() == ["A", "B"] and c["churned"].tolist() == [0, 1]
    assert c["monthly_value"].tolist() == [150.0, 70.0]
    assert [n.key for n in loaded.dataset.notes] == ["roles.note_grain_applied"]
