"""Parquet frames named by content hash: exact round trips, one name per content in any process, safe writes."""

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from churn.core.errors import WorkspaceError
from churn.workspace import frames

ROOT = Path(__file__).resolve().parent.parent

COLUMNS = {
    "text with NaN": pd.Series(["Bygg og anlegg", np.nan, "Helse æøå"], dtype=object),
    "categories, one unused, ordered": pd.Categorical(
        ["lav", "høy", None], categories=["høy", "mid", "lav"], ordered=True
    ),
    "integer categories": pd.Categorical([3, 1, 3], categories=[9, 3, 1]),
    "dates with NaT": pd.to_datetime(
        ["2024-01-05 08:30:00", None, "2024-02-01 00:00:00.123456789"], format="ISO8601"
    ),
    "dates in a time zone": pd.to_datetime(["2024-03-30 01:30", None, "2024-10-28 02:30"]).tz_localize(
        "Europe/Oslo"
    ),
    "floats with NaN": [1200.5, np.nan, -0.0],
    "ints": np.array([12, -3, 2**62], dtype="int64"),
    "nullable ints": pd.array([12, None, 3], dtype="Int64"),
    "bools": [True, False, True],
    "string dtype": pd.array(["a", None, "c"], dtype="string"),
    "empty text": pd.Series([np.nan, np.nan, np.nan], dtype=object),
}


@pytest.mark.parametrize("name", list(COLUMNS))
def test_every_kind_of_column_reads_back_with_its_dtype_and_values(tmp_path, name):
    frame = pd.DataFrame({"customer_id": ["K1", "K2", "K3"], name: COLUMNS[name]})
    loaded = frames.read_frame(tmp_path, frames.write_frame(tmp_path, frame))
    pd.testing.assert_frame_equal(loaded, frame, check_exact=True)
    if isinstance(frame[name].dtype, pd.CategoricalDtype):
        assert list(loaded[name].cat.categories) == list(frame[name].cat.categories)


def test_missing_text_reads_back_as_nan_not_none(tmp_path):
    """Intake's frames use NaN for missing text; None would change what ``== np.nan`` tests see."""
    frame = pd.DataFrame({"Bransje": ["Helse", np.nan]})
    loaded = frames.read_frame(tmp_path, frames.write_frame(tmp_path, frame))
    assert isinstance(loaded["Bransje"].iloc[1], float) and np.isnan(loaded["Bransje"].iloc[1])


@pytest.mark.parametrize(
    "name", ["Ønsket?", "1st date", "a.b", '"; drop table x; --', "[x]", "c0", " padded "]
)
def test_odd_column_names_survive(tmp_path, name):
    frame = pd.DataFrame({"customer_id": ["K1"], name: [1.5]})
    loaded = frames.read_frame(tmp_path, frames.write_frame(tmp_path, frame))
    assert list(loaded.columns) == ["customer_id", name]


def test_a_frame_wider_than_sqlites_column_limit_round_trips(tmp_path):
    rng = np.random.default_rng(2500)
    wide = pd.DataFrame(rng.normal(size=(4, 2500)).round(3), columns=[f"f{j}" for j in range(2500)])
    wide.insert(0, "customer_id", ["K1", "K2", "K3", "K4"])
    digest = frames.write_frame(tmp_path, wide)
    pd.testing.assert_frame_equal(frames.read_frame(tmp_path, digest), wide, check_exact=True)
    info = frames.frame_info(tmp_path, digest)
    assert (info.rows, info.columns) == (4, 2501) and info.bytes == frames.frame_path(
        tmp_path, digest
    ).stat().st_size


def test_a_column_mixing_text_and_numbers_is_stored_as_text(tmp_path):
    """The store kept such columns as text before; Arrow needs one type per column."""
    frame = pd.DataFrame({"Kode": ["A1", 7, None, 2.5]})
    loaded = frames.read_frame(tmp_path, frames.write_frame(tmp_path, frame))
    assert loaded["Kode"].iloc[[0, 1, 3]].tolist() == ["A1", "7", "2.5"] and pd.isna(loaded["Kode"].iloc[2])


def test_only_the_columns_asked_for_are_read(tmp_path):
    frame = pd.DataFrame(
        {"a": [1, 2], "b": pd.Categorical(["x", "y"], categories=["y", "x"]), "c": [0.5, 1.5]}
    )
    loaded = frames.read_frame(tmp_path, frames.write_frame(tmp_path, frame), columns=["b", "c"])
    pd.testing.assert_frame_equal(loaded, frame[["b", "c"]])


def test_repeated_column_names_are_refused_with_the_name(tmp_path):
    frame = pd.DataFrame([[1, 2]], columns=["Beløp", "Beløp"])
    with pytest.raises(WorkspaceError, match="Column 'Beløp' appears more than once"):
        frames.write_frame(tmp_path, frame)


# ---------------------------------------------------------------- one name per content


def fixed_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": [f"K{i}" for i in range(50)],
            "plan": pd.Categorical(["basis", "pluss"] * 25),
            "start_date": pd.date_range("2024-01-01", periods=50, freq="D"),
            "monthly_value": np.linspace(100.0, 150.0, 50),
        }
    )


def test_the_name_is_the_sha256_of_the_file_and_the_same_in_another_process(tmp_path):
    """Hash randomisation differs per process (PYTHONHASHSEED); the name must not."""
    digest = frames.write_frame(tmp_path, fixed_frame())
    assert hashlib.sha256(frames.frame_path(tmp_path, digest).read_bytes()).hexdigest() == digest
    assert frames.frame_hash(fixed_frame()) == digest
    code = "from tests.test_frames import fixed_frame; from churn.workspace import frames; print(frames.frame_hash(fixed_frame()))"
    other = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert other.stdout.strip() == digest


@pytest.mark.parametrize(
    "change",
    [
        lambda f: f.assign(monthly_value=f["monthly_value"].where(f.index != 7, 101.0)),
        lambda f: f.assign(plan=f["plan"].cat.add_categories(["premium"])),
        lambda f: f.rename(columns={"plan": "Plan"}),
        lambda f: f[["plan", "customer_id", "start_date", "monthly_value"]],
        lambda f: f.iloc[:49],
    ],
    ids=["one value", "one more category", "a column name", "column order", "one row fewer"],
)
def test_any_change_of_content_gives_another_name(change):
    assert frames.frame_hash(change(fixed_frame())) != frames.frame_hash(fixed_frame())


def test_the_row_index_is_not_part_of_the_content():
    assert frames.frame_hash(fixed_frame().set_axis(range(100, 150))) == frames.frame_hash(fixed_frame())


def test_the_same_frame_is_stored_once_and_never_rewritten(tmp_path):
    digest = frames.write_frame(tmp_path, fixed_frame())
    before = frames.frame_path(tmp_path, digest).stat()
    time.sleep(0.01)
    assert frames.write_frame(tmp_path, fixed_frame()) == digest
    after = frames.frame_path(tmp_path, digest).stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{digest}.parquet"]


# ---------------------------------------------------------------- safe writes, paths, removal


def test_a_write_that_fails_leaves_neither_a_temporary_nor_a_final_file(tmp_path, monkeypatch):
    def full_disk(_):
        raise OSError("No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        frames.write_frame(tmp_path, fixed_frame())
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("digest", ["../../etc/passwd", "A" * 64, "0" * 63, "", None])
def test_only_a_hash_names_a_file(tmp_path, digest):
    with pytest.raises(ValueError, match="not a frame hash"):
        frames.frame_path(tmp_path, digest)


def test_reading_a_missing_frame_says_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        frames.read_frame(tmp_path, "0" * 64)


def test_a_parquet_file_is_stored_by_its_bytes_and_a_stored_one_is_not_copied(tmp_path):
    source = tmp_path / "events.parquet"
    pq.write_table(pa.table({"customer_id": ["K1"], "amount": [1.0]}), source)
    folder = tmp_path / "rows"
    digest = frames.store_file(folder, source)
    assert digest == hashlib.sha256(source.read_bytes()).hexdigest()
    assert frames.frame_path(folder, digest).read_bytes() == source.read_bytes()
    assert frames.store_file(folder, frames.frame_path(folder, digest)) == digest
    assert frames.stored_hashes(folder) == {digest}


def test_unreferenced_files_go_fresh_ones_and_live_temporary_files_stay(tmp_path):
    kept = frames.write_frame(tmp_path, fixed_frame())
    old = frames.write_frame(tmp_path, fixed_frame().iloc[:10])
    fresh = frames.write_frame(tmp_path, fixed_frame().iloc[:20])
    stale_temp, live_temp = tmp_path / ".tmp-dead.parquet", tmp_path / ".tmp-live.parquet"
    stale_temp.write_bytes(b"half"), live_temp.write_bytes(b"half")
    day_ago = time.time() - frames.STALE_SECONDS - 60
    for path in (frames.frame_path(tmp_path, old), stale_temp):
        os.utime(path, (day_ago, day_ago))
    assert frames.remove_unreferenced(tmp_path, {kept}, older_than=3600) == [old]
    assert frames.stored_hashes(tmp_path) == {kept, fresh}
    assert not stale_temp.exists() and live_temp.exists()
    assert frames.remove_unreferenced(tmp_path, {kept}) == [fresh]
    assert frames.remove_unreferenced(tmp_path / "nowhere", set()) == []
