"""Text exports: bytes to text, text to rows (strictly when the file allows, tolerantly when a quote is out of place).

:func:`decode_text` detects the encoding (UTF-16 with or without BOM, UTF-8
with or without BOM, else ``charset-normalizer`` preferring the Western code
pages) and refuses binary data. :func:`sniff_delimiter` finds the separator (``;`` tab ``,`` ``|`` or runs of
whitespace) from the first lines; :func:`parse_text` splits the whole text
into rows of text, the first row (the header, or the first record of a file
without one) included.

The strict read is pandas' C parser, which follows the CSV quoting rules. One
stray ``"`` at the start of a field makes those rules swallow the rest of the
file into one field (or fail with "EOF inside string"), so when a line holds an
odd number of quotes the text is also read line by line, each odd line taken
as plain text (:func:`split_lenient`). The tolerant rows are used when the
strict read failed or lost rows, and the odd lines are reported so the user can
check them. A line that neither read can place is refused, naming the line.

csv's default limit of 128 KiB per field stops a read on one long comment.
:data:`FIELD_LIMIT` raises it once, for the whole process (``csv.field_size_limit``
is global), to a bound no field of a file this app accepts can reach; it is only
ever raised, never lowered, so other users of :mod:`csv` keep any larger limit.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections import Counter
from dataclasses import dataclass

import pandas as pd

from churn.core.errors import InputError, Phrase

log = logging.getLogger(__name__)

DELIMITERS = (";", "\t", ",", "|")
WHITESPACE = r"\s+"
#: Larger than any file :func:`churn.ingest.parsing.read_table` accepts (200 MiB), so larger than any field.
FIELD_LIMIT = 256 * 2**20
csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))

_WESTERN = ["cp1252", "latin_1", "iso8859_15"]
_CONTROLS = tuple(chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32)))  # all but tab, LF, CR
# Enough byte pairs to see the NUL rhythm of UTF-16 text, few enough to look at cheaply.
_UTF16_SAMPLE = 4096
_SNIFF_LINES = 60
# csv.Sniffer runs regular expressions over its whole sample; a 200 KB field would make it crawl.
_SNIFF_CHARS = 65536
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SEP_HINT = re.compile(r"\s*sep=(.)\s*")
_READ_OPTIONS = {
    "header": None,
    "dtype": str,
    "keep_default_na": False,
    "na_filter": False,
    "skip_blank_lines": True,
}


@dataclass(frozen=True)
class TextRows:
    """A delimited text split into rows.

    Attributes
    ----------
    rows : pd.DataFrame
        Every non-blank row as text, the header row first; columns numbered 0..n-1.
        Short rows are padded with ``""``.
    delimiter : str
        The separator used (``WHITESPACE`` for runs of blanks).
    odd_lines : tuple[int, ...]
        Line numbers in the file (1 = first line) where a field starts with a
        quote that is never closed, read as plain text; empty when the strict
        read was used.
    """

    rows: pd.DataFrame
    delimiter: str
    odd_lines: tuple[int, ...] = ()


# ---------------------------------------------------------------- bytes -> text


def decode_text(data: bytes, name: str = "upload") -> str:
    """Decode an uploaded text file, detecting its encoding.

    UTF-16 (with a BOM, or without one when NUL bytes fill one half of every
    byte pair) and UTF-8 (with or without BOM) are tried first; otherwise
    ``charset-normalizer`` picks among cp1252 / latin-1 / ISO-8859-15, then any
    encoding it knows.

    Parameters
    ----------
    data : bytes
        The file's bytes.
    name : str
        The file name, used in messages.

    Returns
    -------
    str
        The text, without its byte order mark.

    Raises
    ------
    InputError
        When the bytes are binary (NUL or control bytes) or no encoding fits.

    Example
    -------
    >>> decode_text("Navn;By\\nÅse;Tromsø\\n".encode("utf-16-le"))
    'Navn;By\\nÅse;Tromsø\\n'
    """
    utf16 = _utf16_codec(data[:_UTF16_SAMPLE])
    if utf16 is not None:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError as error:  # odd length or a lone surrogate: not UTF-16 after all
            raise _binary(name) from error
        if _looks_binary(text[:65536]):
            raise _binary(name)
        return text
    if _looks_binary(data[:65536].decode("latin-1")):  # latin-1 maps every byte to the same code point
        raise _binary(name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    match = from_bytes(data, cp_isolation=_WESTERN).best() or from_bytes(data).best()
    if match is None:
        raise InputError("errors.unknown_encoding", name=name)
    log.info("decoded %s as %s", name, match.encoding)
    return str(match)


def _utf16_codec(head: bytes) -> str | None:
    """The UTF-16 codec for ``head``, or ``None`` when it is not UTF-16.

    Without a BOM the byte order shows in the NUL bytes: text in Latin letters
    (æ ø å included, all below U+0100) has a zero high byte in nearly every
    pair and almost never a zero low byte. Binary data keeps no such rhythm,
    and what slips through is refused for its control characters once decoded.
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"  # the BOM gives the byte order
    pairs = len(head) // 2
    if pairs < 2:
        return None
    even = head[0 : 2 * pairs : 2].count(0) / pairs
    odd = head[1 : 2 * pairs : 2].count(0) / pairs
    if odd >= 0.9 and even <= 0.02:
        return "utf-16-le"
    if even >= 0.9 and odd <= 0.02:
        return "utf-16-be"
    return None


def _looks_binary(sample: str) -> bool:
    """A NUL, or more control characters than real text has."""
    controls = sum(sample.count(c) for c in _CONTROLS)
    return "\x00" in sample or controls > max(2, len(sample) // 200)


def _binary(name: str) -> InputError:
    return InputError("errors.binary_file", name=name)


# ---------------------------------------------------------------- delimiter


def _head_lines(text: str, count: int) -> list[str]:
    """The first ``count`` non-blank lines, without splitting the rest of a large text."""
    end = 0
    for _ in range(count):
        at = text.find("\n", end)
        if at < 0:
            end = len(text)
            break
        end = at + 1
    return [line for line in _LINE_BREAK.split(text[:end]) if line.strip()][:count]


def split_lenient(line: str, delimiter: str) -> list[str]:
    """Split one line, taking a quote that is never closed as a plain character.

    A field that starts with ``"`` and ends with a matching ``"`` (on this line)
    is unquoted as CSV would (``""`` inside is one quote); any other quote is
    kept as written.

    Example
    -------
    >>> split_lenient('7,"Oslo, Norway",24" screen,"Acme', ",")
    ['7', 'Oslo, Norway', '24" screen', '"Acme']
    """
    pieces = line.split(delimiter)
    fields, at = [], 0
    while at < len(pieces):
        piece = pieces[at]
        if piece.startswith('"'):
            for end in range(at, len(pieces)):
                joined = delimiter.join(pieces[at : end + 1])
                if len(joined) >= 2 and joined.endswith('"') and joined.count('"') % 2 == 0:
                    fields.append(joined[1:-1].replace('""', '"'))
                    at = end + 1
                    break
            else:
                fields.append(piece)
                at += 1
            continue
        fields.append(piece)
        at += 1
    return fields


def _line_fields(line: str, delimiter: str) -> list[str]:
    """One line's fields on its own: CSV rules when its quotes pair up, :func:`split_lenient` when not."""
    if '"' not in line:
        return line.split(delimiter)
    if line.count('"') % 2:
        return split_lenient(line, delimiter)
    return next(csv.reader((line,), delimiter=delimiter), [])


def _agreement(counts: list[int]) -> tuple[float, int]:
    """The share of lines with the header's field count, and that count (0, 0 when they disagree)."""
    if not counts:
        return 0.0, 0
    mode, _ = Counter(counts).most_common(1)[0]
    agree = sum(c == mode for c in counts) / len(counts)
    return (agree, mode) if mode > 1 and counts[0] == mode and agree >= 0.8 else (0.0, 0)


def _score(lines: list[str], delimiter: str) -> tuple[float, int]:
    """How evenly ``delimiter`` splits the lines, read as one CSV text or (for a stray quote) line by line."""
    try:
        joined = _agreement([len(row) for row in csv.reader(lines, delimiter=delimiter)])
    except csv.Error:
        joined = (0.0, 0)
    if joined[0] == 1.0 or not any('"' in line for line in lines):
        return joined
    per_line = _agreement([len(_line_fields(line, delimiter)) for line in lines])
    # A line with an unclosed quote may be split anyhow; let the others decide (the read names the line).
    paired = [line for line in lines if line.count('"') % 2 == 0]
    without_odd = (
        _agreement([len(_line_fields(line, delimiter)) for line in paired]) if len(paired) > 1 else (0.0, 0)
    )
    return max(joined, per_line, without_odd)


def sniff_delimiter(text: str) -> str | None:
    """The delimiter that splits the first lines of ``text`` into the same number of columns.

    ``csv.Sniffer`` gets the first say among ``; tab , |``; a candidate only
    wins when the header line and at least 80 % of the lines agree on the
    column count. A quote that is never closed does not spoil the count: such
    lines are also counted on their own. Returns ``WHITESPACE`` when only runs
    of blanks split the lines evenly, and ``None`` when nothing does (not a table).

    Example
    -------
    >>> sniff_delimiter('id,name\\n1,"Acme\\n2,Beta\\n')
    ','
    """
    lines = _head_lines(text, _SNIFF_LINES)
    if not lines:
        return None
    scores = {d: _score(lines, d) for d in DELIMITERS}
    scores = {d: score for d, score in scores.items() if score[1]}
    if not scores:
        blanks = _agreement([len(line.split()) for line in lines])
        return WHITESPACE if blanks[1] else None
    try:
        sample = "\n".join(lines)[:_SNIFF_CHARS]
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    best = max(scores.values())
    if sniffed in scores and scores[sniffed][0] >= best[0]:
        return sniffed
    return next(d for d in DELIMITERS if scores.get(d) == best)


# ---------------------------------------------------------------- rows


def parse_text(text: str, name: str) -> TextRows:
    """Split a decoded text table into rows of text, the header row first.

    Parameters
    ----------
    text : str
        The decoded file.
    name : str
        The file name, used in messages.

    Returns
    -------
    TextRows
        The rows, the delimiter and the lines read tolerantly.

    Raises
    ------
    InputError
        When the text is HTML/JSON, nothing splits it into columns, or a line
        has more fields than the header or an unclosed quote that cannot be
        read around (the message names the line).

    Example
    -------
    >>> parsed = parse_text('id,name\\n1,"Acme\\n2,Beta\\n', "x.csv")
    >>> parsed.rows.values.tolist(), parsed.odd_lines
    ([['id', 'name'], ['1', '"Acme'], ['2', 'Beta']], (2,))
    """
    first, _, rest = text.partition("\n")
    offset = 0
    hint = _SEP_HINT.fullmatch(first)
    if hint:  # Excel's "sep=;" line
        text, delimiter, offset = rest, hint.group(1), 1
    else:
        delimiter = sniff_delimiter(text)
    if text.lstrip().startswith(("<", "{", "[")):
        raise InputError("errors.html_or_json", name=name)
    if delimiter is None:
        raise InputError("errors.not_a_table", name=name)
    strict, failure = _read_strict(text, delimiter)
    odd = delimiter != WHITESPACE and '"' in text and _has_odd_line(text)
    if strict is not None and not odd:
        return TextRows(strict, delimiter)
    tolerant, odd_lines, problem = _read_tolerant(text, delimiter, offset)
    if tolerant is not None and (strict is None or len(tolerant) != len(strict)):
        return TextRows(tolerant, delimiter, odd_lines)
    if strict is not None:
        return TextRows(strict, delimiter)
    if problem is None:
        problem = Phrase("errors.problem_separators", {"failure": failure})
    raise InputError("errors.text_unreadable", name=name, problem=problem)


def _read_strict(text: str, delimiter: str) -> tuple[pd.DataFrame | None, str | None]:
    """pandas' reading with CSV quoting, or ``None`` and the first line of its complaint."""
    try:
        if delimiter == WHITESPACE:
            rows = pd.read_csv(io.StringIO(text), sep=WHITESPACE, engine="python", **_READ_OPTIONS)
        else:
            rows = pd.read_csv(io.StringIO(text), sep=delimiter, engine="c", **_READ_OPTIONS)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error, ValueError) as error:
        return None, str(error).splitlines()[0] if str(error) else type(error).__name__
    return rows.set_axis(range(rows.shape[1]), axis=1), None


def _has_odd_line(text: str) -> bool:
    # line by line through a stream, so a large file is not split into a list first
    return any(line.count('"') % 2 for line in io.StringIO(text, newline=None))


def _read_tolerant(
    text: str, delimiter: str, offset: int
) -> tuple[pd.DataFrame | None, tuple[int, ...], Phrase | None]:
    """Line by line: the rows, the lines read as plain text, or the first line no reading can place.

    Returns ``(rows, odd_lines, None)`` when every line fits under the header,
    else ``(None, (), problem)`` with the problem as a clause naming the line.
    """
    rows, odd, width = [], [], 0
    for index, line in enumerate(_LINE_BREAK.split(text)):
        if not line.strip():
            continue
        number = index + 1 + offset
        unmatched = delimiter != WHITESPACE and line.count('"') % 2 == 1
        fields = line.split() if delimiter == WHITESPACE else _line_fields(line, delimiter)
        if not width:
            width = len(fields)
        elif len(fields) > width:
            return (
                None,
                (),
                Phrase(
                    "errors.problem_extra_fields", {"line": number, "fields": len(fields), "width": width}
                ),
            )
        elif unmatched and len(fields) != width:
            return None, (), Phrase("errors.problem_unclosed_quote", {"line": number})
        if unmatched and any(field.startswith('"') for field in fields):
            odd.append(number)  # a quote inside a field (24" screen) reads the same either way
        rows.append(fields + [""] * (width - len(fields)))
    return pd.DataFrame(rows, dtype=object), tuple(odd), None
