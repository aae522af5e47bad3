"""What every command shares: input options, the loader, the dataset name, the output (churn/commands/common.py)."""

from __future__ import annotations

import argparse
import json

import pandas as pd
import pytest

from churn.commands import common
from churn.core.errors import InputError, SchemaError


def parse(argv: list[str], path_required: bool = False) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="test")
    common.add_input_arguments(parser, path_required=path_required)
    return parser.parse_args(argv)


@pytest.fixture
def two_labels(tmp_path) -> str:
    """Four customers with two yes/no columns: ``Churn`` (guessed as the label) and ``Status``."""
    path = tmp_path / "kunder.csv"
    pd.DataFrame(
        {
            "id": ["a", "b", "c", "d"],
            "Status": ["Yes", "No", "No", "Yes"],
            "Churn": ["No", "No", "Yes", "No"],
            "plan": ["x", "y", "x", "y"],
        }
    ).to_csv(path, index=False)
    return str(path)


@pytest.mark.parametrize(
    "paths,expected",
    [
        (("data/customers.csv",), "customers"),
        (("data/customers.csv", "data/events.csv"), "customers + events"),
        ((None, "logs/events.parquet"), "events"),
        (("C:\\Users\\kari\\Desktop\\kunder.xlsx",), "kunder"),
        (("C:\\data\\kunder.csv", "D:\\logg\\hendelser.tsv"), "kunder + hendelser"),
        (("./my data/kunder 2026.csv",), "kunder 2026"),
        (("customers",), "customers"),
        ((None, None), "dataset"),
        ((), "dataset"),
    ],
)
def test_dataset_name(paths, expected):
    assert common.dataset_name(*paths) == expected


def test_input_options_and_their_defaults():
    """Local files have no size limit unless --max-mb sets one."""
    args = parse([])
    assert (args.path, args.events, args.churn_label, args.max_mb) == (None, None, None, None)
    assert (args.sheet, args.no_id, args.churned_values) == (None, False, None)
    args = parse(["c.csv", "--events", "e.csv", "--target", "Churn", "--max-mb", "1.5"])
    assert (args.path, args.events, args.churn_label, args.max_mb) == ("c.csv", "e.csv", "Churn", 1.5)
    assert parse(["c.csv", "--label", "Status"]).churn_label == "Status"


def test_a_required_path_is_refused_when_missing(capsys):
    with pytest.raises(SystemExit) as exit_:
        parse([], path_required=True)
    assert exit_.value.code == 2
    assert "the following arguments are required: path" in capsys.readouterr().err


def test_load_with_neither_file_says_what_to_give():
    with pytest.raises(
        InputError, match=r"^Give a customer table \(PATH\), an event log \(--events PATH\) or both\.$"
    ):
        common.load(parse([]))


def test_load_names_a_missing_file(tmp_path):
    missing = tmp_path / "nowhere.csv"
    with pytest.raises(InputError, match=r"nowhere\.csv' does not exist; check the path\."):
        common.load(parse([str(missing)]))


def test_load_guesses_the_churn_column(two_labels):
    """Without --target the column called ``Churn`` is the label: only customer c left."""
    loaded = common.load(parse([two_labels]))
    assert loaded.dataset.mapping.churn_label == "Churn"
    assert loaded.dataset.customers["churned"].tolist() == [0, 0, 1, 0]
    assert loaded.dataset.name == "kunder"
    assert loaded.customers["Status"].tolist() == ["Yes", "No", "No", "Yes"]  # the table as read
    assert loaded.events is None


def test_target_overrides_the_guessed_churn_column(two_labels):
    """--target Status: customers a and d (Status = Yes) left; Status is no longer a segment."""
    loaded = common.load(parse([two_labels, "--target", "Status"]))
    assert loaded.dataset.mapping.churn_label == "Status"
    assert loaded.dataset.customers["churned"].tolist() == [1, 0, 0, 1]
    assert "Status" not in loaded.dataset.mapping.segments
    assert "Status" not in loaded.dataset.customers.columns


@pytest.mark.parametrize(
    "target,hint",
    [
        ("nope", "its columns are 'id', 'Status', 'Churn', 'plan'"),
        ("churn", "the closest name is 'Churn'"),
        ("Status ", "the closest name is 'Status'"),
        ("Statu", "the closest name is 'Status'"),
    ],
)
def test_target_naming_a_missing_column_is_refused(two_labels, target, hint):
    with pytest.raises(SchemaError) as error:
        common.load(parse([two_labels, "--target", target]))
    assert str(error.value) == (
        f"Column '{target}' is not in the customer table; {hint} (check the name given to --label)."
    )


def test_target_without_a_customer_table_is_refused(two_labels):
    with pytest.raises(
        SchemaError,
        match=r"^Column 'Churn' is not in the customer table: no customer table was given \(PATH\) for --label",
    ):
        common.load(parse(["--events", two_labels, "--target", "Churn"]))


@pytest.mark.parametrize(
    "name,columns,expected",
    [
        ("Stat", ["id", "Status", "State", "plan"], ["State", "Status"]),
        ("CHURN", ["Churn", "churn_reason"], ["Churn"]),
        ("Subscription Length", ["Subscription  Length", "Charge  Amount"], ["Subscription  Length"]),
        ("xyz", ["id", "Status"], []),
    ],
)
def test_closest_columns(name, columns, expected):
    assert common.closest_columns(name, columns) == expected


def test_an_id_column_with_repeats_is_named_with_its_count(tmp_path):
    """K1 appears 3 times, K2 twice: 2 + 1 = 3 repeated ids, the first repeat is K1."""
    path = tmp_path / "snapshots.csv"
    path.write_text("customer_id,churn\nK1,No\nK2,No\nK1,No\nK3,Yes\nK1,Yes\nK2,Yes\n")
    with pytest.raises(
        SchemaError,
        match=r"^Column 'customer_id' looks like the customer id but has 3 repeated ids \(e\.g\. 'K1'\); "
        r"keep one row per customer, or pass the file with --events if each row is an event \(an order, a visit, a payment\)\.$",
    ):
        common.load(parse([str(path)]))


def test_no_id_and_no_id_like_column_numbers_the_rows_and_says_so(tmp_path):
    """Two rows, no id: customers 1 and 2 (the two Annes are not merged); the first left."""
    path = tmp_path / "names.csv"
    path.write_text("name,churn\nAnne,Yes\nAnne,No\n")
    loaded = common.load(parse([str(path)]))
    assert loaded.dataset.mapping.customer_id is None
    assert loaded.dataset.customers["customer_id"].tolist() == ["1", "2"]
    assert loaded.dataset.customers["churned"].tolist() == [1, 0]
    assert "roles.note_row_numbers" in [note.key for note in loaded.evidence.notes]


def test_max_mb_smaller_than_the_file_refuses_it(tmp_path):
    """The file is 9 + 100 × 9 + 100 × 10 = 1,909 bytes ("id,churn" and 200 rows, "K0000,No" or
    "K0001,Yes"); 0.001 MB = 1,048 bytes is too small, 0.01 MB = 10,485 bytes is enough."""
    path = tmp_path / "big.csv"
    path.write_text("id,churn\n" + "".join(f"K{i:04d},{'Yes' if i % 2 else 'No'}\n" for i in range(200)))
    assert path.stat().st_size == 1909
    with pytest.raises(
        InputError, match=r"^The file 'big\.csv' is larger than the 0\.001 MB limit \(--max-mb\); raise"
    ) as refused:
        common.load(parse([str(path), "--max-mb", "0.001"]))
    assert "upload" not in str(refused.value)
    assert len(common.load(parse([str(path), "--max-mb", "0.01"])).dataset.customers) == 200


def test_no_default_size_limit_for_local_files(tmp_path, monkeypatch):
    """Without --max-mb a local file larger than parsing.MAX_BYTES is read: the limit is set to 1,000
    bytes here and the 1,909-byte file of 200 customers still loads."""
    from churn.ingest import parsing

    monkeypatch.setattr(parsing, "MAX_BYTES", 1000)
    path = tmp_path / "big.csv"
    path.write_text("id,churn\n" + "".join(f"K{i:04d},{'Yes' if i % 2 else 'No'}\n" for i in range(200)))
    assert path.stat().st_size > parsing.MAX_BYTES
    assert len(common.load(parse([str(path)])).dataset.customers) == 200


def test_emit_prints_json_or_text(capsys):
    result = {"customers": 3, "name": "Kåre", "when": pd.Timestamp("2026-10-31")}
    common.emit(result, True, "ignored")
    assert json.loads(capsys.readouterr().out) == {
        "customers": 3,
        "name": "Kåre",
        "when": "2026-10-31 00:00:00",
    }
    common.emit(result, False, "3 customers")
    assert capsys.readouterr().out == "3 customers\n"
