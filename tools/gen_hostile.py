#!/usr/bin/env python3
"""The hostile-input corpus of cxm (tests/hostile/), and what each file must do.

Usage: python3 tools/gen_hostile.py OUTPUT_DIR [--big]

Writes every small case into OUTPUT_DIR (tests/hostile/ holds the committed
copy; tests/cli/test_hostile.py checks that it is byte-identical to what this
script writes, so edit this script, never the files). --big also writes the
big cases (10 MB lines and fields, a million bad rows, 100 000 channels...),
which the test generates into a temporary directory at test time instead of
committing them. Standard library only; deterministic (seeded).

Each case is a file plus its expected outcome, worked out here from how the
file was built and from docs/events.md and docs/cli.md, never from running
cxm:

  exit      cxm report's exit status (0, or 1 when the file is unreadable)
  counts    input.rows / events / rejected / duplicates of `--json`
  diags     every row diagnostic, in order: (line, column, reason regex,
            warning?) for `FILE:LINE: column COLUMN: [warning: ]REASON`
  diag_count, diag_sample
            for big cases: how many row diagnostics, and a few checked ones
  memory    a peak-memory bound for the case (see test_hostile.py)
  churn     also run `cxm churn` (same reading, same diagnostics)

Row tables (timestamps, values, limits, encodings) are written twice, as CSV
and as JSON Lines, with the same expectations (line numbers shift by one, as
JSON Lines has no header).
"""

import os
import random
import re
import sys

T = "2025-03-03T10:00:00Z"  # a Monday
T_UNIX = 1740996000

# Reasons, as regular expressions on the wording docs/events.md promises
# (the library words them; these pin the part a reader relies on).
R_TIME = r"^bad timestamp '.*': not RFC 3339 or Unix seconds within years 1970\.\.9999$"
R_TIME_EMPTY = r"^time is missing$"
R_TIME_NO_ZONE = r"^timestamp '.*' has no time zone: .*$"
R_NUMBER = r"^value '.*' is not a decimal number$"
R_RANGE = r"^value .* for kind [a-z_]+ is not (an integer|a number) .*$"
R_NO_VALUE = r"^kind [a-z_]+ takes no value, got '.*'$"
R_NEEDS_VALUE = r"^kind [a-z_]+ needs a value: .*$"
R_UTF8 = r"^invalid UTF-8 in [a-z]+ at byte [0-9]+$"
R_CONTROL = r"^control character in [a-z]+ at byte [0-9]+$"
R_LONG = r"^[a-z]+ longer than [0-9]+ bytes$"
R_CHANNEL = r"^channel '.*' is not a token of 1\.\.32 characters a-z 0-9 _ -$"
R_COUNT = r"^row has [0-9]+ fields?, the header has [0-9]+$"
R_RECORD = r"^record longer than 1048576 bytes$"
R_OPEN_QUOTE = r"^quoted field never closed before the end of input$"
R_BAD_QUOTE = r"^malformed quoting: .*$"
R_FULL = r"^the store is full \(customers, channels or segments\)$"
R_UNKNOWN_COL = r"^unknown column '.*' ignored$"
R_MISSING = r"^required column '(time|customer|kind)' is missing from the header( \(.*\))?$"
R_TWICE = r"^column '.*' appears twice in the header$"
R_EMPTY_INPUT = r"^no header row: the input is empty$"
R_HEADER_LONG = r"^header row longer than 1048576 bytes$"
R_HEADER_CR = r"^a carriage return inside a header name: lone CR line ends are not supported \(use LF or CRLF\)$"
R_JSON = r"^.+$"  # JSON syntax: the wording is the parser's; the column is '*'
R_DUP_MEMBER = r"^member appears twice$"
R_SURROGATE = r"^lone (high|low) surrogate in \\u escape$"
R_NESTED = r"^nested too deeply$"
R_ONE_OBJECT = r"^a record must be one JSON object$"
R_CTRL_STRING = r"^control character in a string \(must be escaped\)$"

FIELDS = ["time", "customer", "kind", "value", "channel", "stage", "ref", "segment", "dimension", "id"]


def b(x):
    return x if isinstance(x, bytes) else x.encode("utf-8")


def row(time=T, customer="c1", kind="nps", value="7", **kw):
    r = {"time": time, "customer": customer, "kind": kind, "value": value}
    r.update(kw)
    return r


# ---------------------------------------------------------------------------
# Row tables: (row, None) for a good row, (row, (column, reason regex)) for a
# bad one; an optional third item overrides the expectation in JSON Lines.

def time_table():
    good = ["2016-12-31T23:59:60Z", "2024-02-29T12:00:00Z", "2000-02-29T00:00:00Z", "2025-03-03T10:00:00+23:59",
            "2025-03-03T10:00:00-23:59", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
            "1969-12-31T23:00:00-01:00", "0", "253402300799", "2025-03-03t10:00:00z", "2025-03-03 10:00:00Z",
            "2025-03-03T10:00:00." + "9" * 40 + "Z", "000000000001740996000", "2025-03-03T10:00:00-00:00",
            # dialects (docs/events.md): epoch milliseconds above the last
            # second of 9999, padding trimmed, +HHMM offsets
            "253402300800", "1740996000123", " 1740996000", "1740996000 ", "2025-01-01T00:00:00+0100",
            "2025-01-01T00:00:00+01"]
    bad = ["0000-01-01T00:00:00Z", "10000-01-01T00:00:00Z", "2025-13-01T00:00:00Z", "2025-00-10T00:00:00Z",
           "2025-01-32T00:00:00Z", "2025-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2100-02-29T00:00:00Z",
           "2025-01-01T24:00:00Z", "2025-01-01T23:60:00Z", "2025-01-01T23:59:61Z", "2025-01-01T00:00:00+24:00",
           "2025-01-01T00:00:00+99:00", "2025-01-01T00:00:00+23:60", "2025-01-01T00:00:00-99:99",
           "2025-01-01T00:00:00+9999999999:00", "1969-12-31T23:59:59Z", "9999-12-31T23:59:60Z",
           "9999-12-31T23:59:59-00:01", "-1", "253402300800000", "99999999999999999999999999",
           "18446744073709551616", "9223372036854775808", "1e10", "+1740996000", "1740996000.5", "17 40996000",
           "2025-01-01", "2025-01-01T00:00Z", "2025-01-01T00:00:00+01:0", "2025-01-01T00:00:00+010",
           "2025-01-01T00:00:00,5Z", "2025-1-01T00:00:00Z", "20250101T000000Z", "2025-01-01T00:00:00.Z",
           "\u0662\u0660\u0662\u0665-01-01T00:00:00Z", "2025-01-01T00:00:00Z\u200b", "NaN", "-0"]
    t = [(row(time=x), None) for x in good]
    t += [(row(time=x), ("time", R_TIME)) for x in bad]
    t.append((row(time="2025-01-01T00:00:00"), ("time", R_TIME_NO_ZONE)))
    t.append((row(time=""), ("time", R_TIME_EMPTY)))
    return t


def value_table():
    good = [("nps", "10.0"), ("nps", "9.000"), ("nps", "-0"), ("nps", "0"), ("nps", "0" * 30 + "5"),
            ("csat", "5"), ("ces", "1"), ("internal", "100"), ("internal", "0.0000001"), ("internal", "99.99"),
            # 8e307 written out: two of them (the CSV and the JSON Lines copy,
            # one customer day) still add up to a finite amount; 1e308 twice
            # would not, and the second is refused (docs/events.md)
            ("purchase", "0"), ("purchase", "8" + "0" * 307), ("purchase", "0." + "0" * 400 + "1"),
            ("purchase", "129.95"), ("purchase", "-0.0"), ("nps", " 5"), ("nps", "5 "), ("NPS", "5")]
    syntax = [("nps", "NaN"), ("nps", "nan"), ("nps", "inf"), ("nps", "-inf"), ("nps", "Infinity"),
              ("purchase", "1e309"), ("purchase", "1e308"), ("purchase", "1e-400"), ("purchase", "1" + "0" * 309),
              ("purchase", "9" * 400), ("nps", "0x5"), ("nps", "5 5"), ("nps", "+5"),
              ("nps", "\u0665"), ("purchase", "1,5"), ("purchase", "1_000"), ("purchase", "."),
              ("purchase", "1."), ("purchase", ".5"), ("purchase", "1e"), ("nps", "5e0"), ("purchase", "--1"),
              ("purchase", "1.2.3"), ("nps", "\uff15")]
    range_ = [("nps", "11"), ("nps", "-1"), ("nps", "4.5"), ("nps", "10.0000000001"), ("csat", "0"),
              ("csat", "6"), ("ces", "8"), ("internal", "100.0000001"), ("internal", "-0.5"),
              ("purchase", "-1"), ("purchase", "-0.01"), ("expectation", "0"),
              # judged on the text, not on the double they round to (9, 10, 100, -0)
              ("nps", "8.99999999999999999999999999999"), ("nps", "10.000000000000000000001"),
              ("internal", "100.000000000000000000001"), ("purchase", "-0." + "0" * 40 + "1")]
    t = [(row(kind=k, value=v), None) for k, v in good]
    t += [(row(kind=k, value=v), ("value", R_NUMBER)) for k, v in syntax]
    t += [(row(kind=k, value=v, dimension="tangibles" if k == "expectation" else ""), ("value", R_RANGE))
          for k, v in range_]
    t.append((row(kind="complaint", value="1"), ("value", R_NO_VALUE)))
    t.append((row(kind="churn", value="0"), ("value", R_NO_VALUE)))
    t.append((row(kind="nps", value=""), ("value", R_NEEDS_VALUE)))
    t.append((row(kind="purchase", value=""), ("value", R_NEEDS_VALUE)))
    return t


def limit_table():
    t = [
        (row(customer="a" * 128), None),
        (row(customer="a" * 129), ("customer", R_LONG)),
        (row(customer="\u00e9" * 64), None),                 # 128 bytes of 2-byte characters
        (row(customer="\u20ac" * 43), ("customer", R_LONG)),  # 129 bytes of 3-byte characters
        (row(customer="\U0001F600" * 32), None),             # 128 bytes of 4-byte characters
        (row(customer="a" * 5000), ("customer", R_LONG)),
        (row(id="e" * 128), None),
        (row(id="f" * 129), ("id", R_LONG)),
        (row(kind="contact_open", value="", ref="r" * 128), None),
        (row(kind="contact_open", value="", ref="s" * 129), ("ref", R_LONG)),
        (row(segment="g" * 64), None),
        (row(segment="h" * 65), ("segment", R_LONG)),
        (row(channel="c" * 32), None),
        (row(channel="d" * 33), ("channel", R_CHANNEL)),
        (row(channel="Email"), None),  # channel names are read without case
        (row(channel="E-Mail!"), ("channel", R_CHANNEL)),
        (row(channel="e mail"), ("channel", R_CHANNEL)),
        (row(channel="\u00e9"), ("channel", R_CHANNEL)),
        (row(channel="unknown"), None),
    ]
    return t


# Invalid UTF-8 and control characters, as raw bytes in a field.
BAD_UTF8 = [b"\xc0\xaf", b"\xc1\xbf", b"\xe0\x80\xaf", b"\xf0\x80\x80\xaf", b"\xed\xa0\x80", b"\xed\xbf\xbf",
            b"\xf4\x90\x80\x80", b"\xf8\x88\x80\x80\x80", b"\xfc\x84\x80\x80\x80\x80", b"\xff", b"\xfe", b"\x80",
            b"\xbf", b"a\xe2\x82", b"\xe2\x82a", b"\xf0\x9f\x98", b"\xc2"]
CONTROL = [b"\x01", b"\x1f", b"\x7f", b"\t", b"\xc2\x85", b"\xc2\x9f", b"\x1b[31m"]


def encoding_table():
    t = []
    for field in ("customer", "segment", "ref", "id"):
        for bad in BAD_UTF8:
            r = row(**{field: b"x" + bad})
            if field == "ref":
                r.update(kind="contact_open", value="")
            t.append((r, (field, R_UTF8)))
        for bad in CONTROL:
            r = row(**{field: b"x" + bad + b"y"})
            if field == "ref":
                r.update(kind="contact_open", value="")
            # a raw C0 control or DEL inside a JSON string is a JSON syntax error
            if bad[0] < 0x20:
                t.append((r, (field, R_CONTROL), ("*", R_CTRL_STRING)))
            else:
                t.append((r, (field, R_CONTROL)))
    # NUL bytes: in a known field, and in an unknown one (not checked)
    t.append((row(customer=b"a\x00b"), ("customer", R_CONTROL), ("*", R_CTRL_STRING)))
    t.append((row(customer=b"\x00"), ("customer", R_CONTROL), ("*", R_CTRL_STRING)))
    t.append((row(kind=b"nps\x00"), ("kind", R_CONTROL), ("*", R_CTRL_STRING)))
    t.append((row(value=b"7\x00"), ("value", R_CONTROL), ("*", R_CTRL_STRING)))
    t.append((row(time=T.encode() + b"\x00"), ("time", R_CONTROL), ("*", R_CTRL_STRING)))
    t.append((row(note=b"n\x00u\x00l"), None, ("*", R_CTRL_STRING)))
    t.append((row(note=b"\xff\xfe bad utf-8 in an unknown column"), None))
    # valid UTF-8 everywhere it is allowed
    t.append((row(customer="\u00e9\u4e2d\U0001F600", segment="\u00fcber", ref="\u2603", id="\u00e9-1"), None))
    t.append((row(customer="\ufeffbom-in-id"), None))  # U+FEFF is not a control character
    return t


def write_csv(rows, with_note):
    cols = FIELDS + (["note"] if with_note else [])
    out = [b",".join(c.encode() for c in cols)]
    for r in rows:
        cells = []
        for c in cols:
            v = b(r.get(c, ""))
            if any(ch in v for ch in b',"\r\n'):
                v = b'"' + v.replace(b'"', b'""') + b'"'
            cells.append(v)
        out.append(b",".join(cells))
    return b"\n".join(out) + b"\n"


def json_string(v):
    """A JSON string holding the raw bytes of v: printable UTF-8 as is, '"'
    and '\\' escaped, every other byte (control bytes, invalid UTF-8) raw,
    so the reader sees the bytes the CSV holds."""
    v = b(v)
    return b'"' + v.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'


def write_jsonl(rows, number_values=True):
    out = []
    for r in rows:
        members = []
        for c in FIELDS + ["note"]:
            if c not in r or (c not in ("time", "customer", "kind", "value") and b(r[c]) == b""):
                continue
            v = b(r[c])
            if c == "value" and v == b"":
                continue
            if c == "value" and number_values and _json_number(v):
                members.append(b'"value":' + v)
            else:
                members.append(json_string(c) + b":" + json_string(v))
        out.append(b"{" + b",".join(members) + b"}")
    return b"\n".join(out) + b"\n"


def _json_number(v):
    try:
        s = v.decode("ascii")
    except UnicodeDecodeError:
        return False
    return re.fullmatch(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?", s) is not None


def table_cases(name, table, csv_note=False):
    """A CSV and a JSON Lines case from one row table. Good rows are followed
    by a good sentinel row after each bad one, so 'the rows around a bad row
    are kept' is checked row by row."""
    rows, exp_csv, exp_jsonl = [], [], []
    good = 0
    for item in table:
        r, e = item[0], item[1]
        ej = item[2] if len(item) > 2 else e
        rows.append(r)
        exp_csv.append(e)
        exp_jsonl.append(ej)
        rows.append(row(customer="sentinel"))
        exp_csv.append(None)
        exp_jsonl.append(None)
    cases = []
    has_note = csv_note or any("note" in r for r in rows)
    csv_diags = [(1, "note", R_UNKNOWN_COL, True)] if has_note else []
    for i, e in enumerate(exp_csv):
        if e is not None:
            csv_diags.append((i + 2, e[0], e[1], False))
    n_bad = sum(1 for e in exp_csv if e is not None)
    cases.append(dict(name=name + ".csv", data=write_csv(rows, has_note), exit=0,
                      counts=dict(rows=len(rows), events=len(rows) - n_bad, rejected=n_bad, duplicates=0),
                      diags=csv_diags, churn=True, bad_inputs=n_bad))
    j_diags = [(i + 1, e[0], e[1], False) for i, e in enumerate(exp_jsonl) if e is not None]
    nj_bad = len(j_diags)
    cases.append(dict(name=name + ".jsonl", data=write_jsonl(rows), exit=0,
                      counts=dict(rows=len(rows), events=len(rows) - nj_bad, rejected=nj_bad, duplicates=0),
                      diags=j_diags, churn=True, bad_inputs=nj_bad))
    return cases


# ---------------------------------------------------------------------------
# Whole-file cases.

HDR = b"time,customer,kind,value\n"


def good_line(customer="g", value=7, t=T):
    return ("%s,%s,nps,%d\n" % (t, customer, value)).encode()


def small_cases():
    rnd = random.Random(20261123)
    cases = []

    def add(name, data, exit=0, counts=None, diags=(), **kw):
        c = dict(name=name, data=data, exit=exit, counts=counts, diags=list(diags))
        c.setdefault("bad_inputs", 1)
        c.update(kw)
        cases.append(c)

    # -- headers ---------------------------------------------------------
    add("empty.csv", b"", exit=1, diags=[(1, "*", R_EMPTY_INPUT, False)])
    add("blank_lines_only.csv", b"\n\r\n\n", exit=1, diags=[(1, "*", R_EMPTY_INPUT, False)])
    add("empty.jsonl", b"", counts=dict(rows=0, events=0, rejected=0, duplicates=0))
    add("header_only.csv", HDR, counts=dict(rows=0, events=0, rejected=0, duplicates=0))
    add("header_only_no_newline.csv", HDR[:-1], counts=dict(rows=0, events=0, rejected=0, duplicates=0))
    add("missing_kind.csv", b"time,customer,value\n" + T.encode() + b",a,7\n", exit=1,
        diags=[(1, "kind", R_MISSING, False)])
    add("missing_all.csv", b"a,b,c\n1,2,3\n", exit=1, diags=[(1, "time", R_MISSING, False)])
    add("duplicate_column.csv", b"time,customer,kind,value,value\n" + T.encode() + b",a,nps,7,8\n", exit=1,
        diags=[(1, "value", R_TWICE, False)])
    add("duplicate_required_column.csv", b"time,time,customer,kind\n" + T.encode() + b"," + T.encode() + b",a,churn\n",
        exit=1, diags=[(1, "time", R_TWICE, False)])
    add("duplicate_unknown_column.csv", b"time,customer,kind,value,x,x\n" + T.encode() + b",a,nps,7,1,2\n",
        counts=dict(rows=1, events=1, rejected=0, duplicates=0),
        diags=[(1, "x", R_UNKNOWN_COL, True)], bad_inputs=1)  # a repeated name: reported once
    # header names are read without case and padding (docs/events.md)
    add("header_case.csv", b"Time,Customer,Kind,Value\n" + good_line(),
        counts=dict(rows=1, events=1, rejected=0, duplicates=0))
    add("header_spaces.csv", b"time, customer,kind,value\n" + good_line(),
        counts=dict(rows=1, events=1, rejected=0, duplicates=0))
    add("header_typo.csv", b"time,custmer,kind,value\n" + good_line(), exit=1,
        diags=[(1, "customer", r"^required column 'customer' is missing from the header \(is 'custmer' meant to "
                r"be 'customer'\?\)$", False)])
    # a comment line claiming a billion rows, before the header: it is the header
    add("billion_rows_comment.csv", b"# exported 1000000000 rows\n" + HDR + good_line(), exit=1,
        diags=[(1, "time", R_MISSING, False)])
    # the same claim as an extra column: ignored, with one warning
    add("billion_rows_column.csv", b"rows,time,customer,kind,value\n1000000000," + good_line(),
        counts=dict(rows=1, events=1, rejected=0, duplicates=0), diags=[(1, "rows", R_UNKNOWN_COL, True)])
    add("header_quote_open.csv", b'time,"customer,kind,value\n' + good_line(), exit=1,
        diags=[(1, "*", r"^.+$", False)])
    add("header_control_chars.csv", b"time,customer,kind,value,\x1b[2Jx\x00y\n" + good_line()[:-1] + b",z\n",
        counts=dict(rows=1, events=1, rejected=0, duplicates=0),
        diags=[(1, "\\x1b[2Jx\\x00y", R_UNKNOWN_COL.replace("'.*'", "'\\\\x1b\\[2Jx\\\\x00y'"), True)])

    # -- binary garbage --------------------------------------------------
    # random bytes without line ends or quotes: one long header line naming no required column
    add("garbage.csv", bytes(rnd.choice([x for x in range(256) if x not in (0x0A, 0x0D, 0x22)]) for _ in range(4096)),
        exit=1, diags=[(1, "time", R_MISSING, False)])
    # garbage lines after a good header: each is one bad record (no quotes,
    # no line ends inside), the good rows around them are kept
    lines, diags, line_no = [HDR], [], 2
    for i in range(200):
        lines.append(good_line("g%d" % i))
        line_no += 1
        junk = bytes(rnd.choice([x for x in range(256) if x not in (0x0A, 0x0D, 0x22)]) for _ in range(rnd.randrange(1, 300)))
        lines.append(b"\x01" + junk + b"\n")  # never blank, never 4 clean fields
        diags.append((line_no, None, r"^.+$", False))
        line_no += 1
    add("garbage_rows.csv", b"".join(lines), counts=dict(rows=400, events=200, rejected=200, duplicates=0),
        diags=diags, bad_inputs=200)
    # UTF-16 (with a byte-order mark, or without one) is transcoded
    add("utf16.csv", b"\xff\xfe" + ("time,customer,kind\n%s,a,churn\n" % T).encode("utf-16-le"),
        counts=dict(rows=1, events=1, rejected=0, duplicates=0))
    add("utf16be_no_bom.csv", ("time\tcustomer\tkind\n%s\ta\tchurn\n" % T).encode("utf-16-be"),
        counts=dict(rows=1, events=1, rejected=0, duplicates=0))
    # concatenated exports: the second header row is skipped with a notice
    add("repeated_header.csv", HDR + good_line("a") + HDR + good_line("b"),
        counts=dict(rows=2, events=2, rejected=0, duplicates=0),
        diags=[(3, "*", r"^a copy of the header row skipped \(concatenated files\?\)$", True)])

    # -- NUL bytes -------------------------------------------------------
    add("nul_lines.csv", HDR + good_line("a") + b"\x00\n" + good_line("b") + b"\x00\x00\x00\x00\n" + good_line("c") +
        T.encode() + b",d\x00,nps,7\n" + good_line("e") + b"\x00" + good_line("f"),
        counts=dict(rows=8, events=4, rejected=4, duplicates=0),
        diags=[(3, "customer", R_COUNT, False), (5, "customer", R_COUNT, False),
               (7, "customer", R_CONTROL, False), (9, "time", R_CONTROL, False)], bad_inputs=4)

    # -- quoting ---------------------------------------------------------
    add("unterminated_quote.csv", HDR + good_line("a") + good_line("b") + T.encode() + b',"open,nps,7\n' +
        good_line("swallowed") * 3, counts=dict(rows=3, events=2, rejected=1, duplicates=0),
        diags=[(4, "*", R_OPEN_QUOTE, False)])
    add("unterminated_quote_at_eof.csv", HDR + good_line("a") + T.encode() + b',a,nps,"7',
        counts=dict(rows=2, events=1, rejected=1, duplicates=0), diags=[(3, "*", R_OPEN_QUOTE, False)])
    add("malformed_quotes.csv", HDR + good_line("a") + T.encode() + b',a"b,nps,7\n' + good_line("b") +
        T.encode() + b',"ab"c,nps,7\n' + good_line("c") + b'"' + T.encode() + b'" ,x,nps,7\n' + good_line("d"),
        counts=dict(rows=7, events=4, rejected=3, duplicates=0),
        diags=[(3, "customer", R_BAD_QUOTE, False), (5, "customer", R_BAD_QUOTE, False),
               (7, "time", R_BAD_QUOTE, False)], bad_inputs=3)
    add("quoted_newlines.csv", HDR + T.encode() + b',"multi\nline\nid",nps,7\n' + good_line("a") +
        T.encode() + b',"x\r\ny",nps,11\n' + good_line("b"),
        counts=dict(rows=4, events=2, rejected=2, duplicates=0),
        diags=[(2, "customer", R_CONTROL, False), (6, "customer", R_CONTROL, False)], bad_inputs=2)

    # -- column counts ---------------------------------------------------
    add("column_counts.csv", HDR + good_line("a") + good_line("b")[:-1] + b",extra\n" + good_line("c") +
        T.encode() + b",d\n" + good_line("e") + b"\n\n" + T.encode() + b",f,nps,7" + b",x" * 10000 + b"\n" +
        good_line("g"), counts=dict(rows=7, events=4, rejected=3, duplicates=0),
        diags=[(3, "*", R_COUNT, False), (5, "kind", R_COUNT, False), (9, "*", R_COUNT, False)], bad_inputs=3)

    # -- line ends and byte-order marks ----------------------------------
    body = [good_line("a"), good_line("b"), good_line("c", 11), good_line("d")]
    add("crlf.csv", b"".join(x.replace(b"\n", b"\r\n") for x in [HDR] + body),
        counts=dict(rows=4, events=3, rejected=1, duplicates=0), diags=[(4, "value", R_RANGE, False)])
    # CR alone is not a line end (docs/events.md): the whole file is one
    # header line, and a CR inside a header name is a header error that
    # names the cause (rather than unknown columns and no rows)
    cr = b"".join(x.replace(b"\n", b"\r") for x in [HDR] + body)
    add("cr_only.csv", cr, exit=1, diags=[(1, "*", R_HEADER_CR, False)])
    add("mixed_line_ends.csv", HDR.replace(b"\n", b"\r\n") + good_line("a") + good_line("b").replace(b"\n", b"\r\n") +
        good_line("c").replace(b"\n", b"\r") + good_line("d") + good_line("e").replace(b"\n", b"\r\n"),
        counts=dict(rows=4, events=3, rejected=1, duplicates=0), diags=[(4, "*", R_COUNT, False)])
    add("bom.csv", b"\xef\xbb\xbf" + HDR + good_line("a"), counts=dict(rows=1, events=1, rejected=0, duplicates=0))
    add("bom_twice.csv", b"\xef\xbb\xbf\xef\xbb\xbf" + HDR + good_line("a"), exit=1,
        diags=[(1, "time", R_MISSING, False)])
    add("bom_half.csv", b"\xef\xbb" + HDR + good_line("a"), exit=1, diags=[(1, "time", R_MISSING, False)])
    add("bom.jsonl", b"\xef\xbb\xbf" + write_jsonl([row(customer="a")]),
        counts=dict(rows=1, events=1, rejected=0, duplicates=0))
    add("crlf.jsonl", write_jsonl([row(customer="a"), row(customer="b", value="11")]).replace(b"\n", b"\r\n"),
        counts=dict(rows=2, events=1, rejected=1, duplicates=0), diags=[(2, "value", R_RANGE, False)])

    # -- duplicates ------------------------------------------------------
    add("duplicate_ids.csv", b"time,customer,kind,value,id\n" + b"".join(
        good_line("c%d" % (i % 7))[:-1] + (",id-%d\n" % (i % 50)).encode() for i in range(200)),
        counts=dict(rows=200, events=50, rejected=0, duplicates=150))

    # -- JSON Lines ------------------------------------------------------
    J = write_jsonl([row(customer="a")]).rstrip(b"\n")
    jl = [
        (J, None),
        (b'{"time":"%s","customer":"a","customer":"b","kind":"nps","value":7}' % T.encode(), ("customer", R_DUP_MEMBER)),
        (b'{"time":"%s","customer":"a","kind":"nps","kind":"csat","value":5}' % T.encode(), ("kind", R_DUP_MEMBER)),
        (b'{"time":"%s","customer":"a","kind":"nps","value":7,"x":1,"x":2}' % T.encode(), None),
        (b'{"time":"%s","customer":"a","kind":"nps","value":7,"x":{"k":1,"k":2}}' % T.encode(), None),
        (b'{"time":"%s","customer":"a\\u0000b","kind":"nps","value":7}' % T.encode(), ("customer", R_CONTROL)),
        (b'{"time":"%s","customer":"a","kind":"nps\\u0000","value":7}' % T.encode(), ("kind", R_CONTROL)),
        (b'{"time":"%s","customer":"a","kind":"nps","value":7,"note":"\\u0000"}' % T.encode(), None),
        (b'{"time":"%s","customer":"\\ud800","kind":"nps","value":7}' % T.encode(), ("*", R_SURROGATE)),
        (b'{"time":"%s","customer":"\\udc00x","kind":"nps","value":7}' % T.encode(), ("*", R_SURROGATE)),
        (b'{"time":"%s","customer":"\\ud83d\\ude00","kind":"nps","value":7}' % T.encode(), None),
        (b'{"time":%d,"customer":"a","kind":"nps","value":7}' % T_UNIX, None),
        (b'{"time":1.5,"customer":"a","kind":"nps","value":7}', ("time", r"^.+$")),
        (b'{"time":1e9,"customer":"a","kind":"nps","value":7}', ("time", r"^.+$")),
        (b'{"time":"%s","customer":"a","kind":"nps","value":1e309}' % T.encode(), ("value", R_NUMBER)),
        (b'{"time":"%s","customer":"a","kind":"nps","value":1e1}' % T.encode(), ("value", R_NUMBER)),
        (b'{"time":"%s","customer":"a","kind":"nps","value":NaN}' % T.encode(), ("*", R_JSON)),
        (b'{"time":"%s","customer":"a","kind":"nps","value":Infinity}' % T.encode(), ("*", R_JSON)),
        (b'{"time":"%s","customer":"a","kind":"nps","value":"7"}' % T.encode(), None),
        (b'{"time":"%s","customer":"a","kind":"nps","value":true}' % T.encode(), ("value", r"^.+$")),
        (b'{"time":"%s","customer":7,"kind":"nps","value":7}' % T.encode(), ("customer", r"^.+$")),
        (b'{"time":"%s","customer":["a"],"kind":"nps","value":7}' % T.encode(), ("customer", r"^.+$")),
        (b'{"time":"%s","customer":null,"kind":"nps","value":7}' % T.encode(), ("customer", r"^customer is missing$")),
        (b'{"time":"%s","customer":"a","kind":"nps","value":7} {}' % T.encode(), ("*", R_JSON)),
        (b'[{"time":"%s","customer":"a","kind":"nps","value":7}]' % T.encode(), ("*", R_ONE_OBJECT)),
        (b'"just a string"', ("*", R_ONE_OBJECT)),
        (b'{"time":"%s","customer":"a","kind":"nps","value":7' % T.encode(), ("*", R_JSON)),
        (b'{"time":"%s","customer":"a\x00","kind":"nps","value":7}' % T.encode(), ("*", R_CTRL_STRING)),
        (b'{"time":"%s","customer":"a","kind":"nps","value":7,"x":' % T.encode() + b"[" * 32 + b"]" * 32 + b"}", None),
        (b'{"time":"%s","customer":"a","kind":"nps","value":7,"x":' % T.encode() + b"[" * 33 + b"]" * 33 + b"}", ("*", R_NESTED)),
        (b'{"time":"%s","customer":"a","kind":"nps","value":7,"x":' % T.encode() + b"[" * 1000 + b"]" * 1000 + b"}",
         ("*", R_NESTED)),
        (b'{"time":"%s","customer":"a","kind":"nps","value":7,"x":' % T.encode() + b'{"a":' * 1000 + b"1" + b"}" * 1000 + b"}",
         ("*", R_NESTED)),
        (b'{"x":' + b"[" * 1000, ("*", R_NESTED)),
        (b'{"time":"%s","customer":' % T.encode() + b"[" * 1000, ("*", R_NESTED)),  # syntax before types
        (b'\x00', ("*", R_JSON)),
        (b'{"time":"%s","customer":"a","kind":"nps","value":7,' % T.encode() +
         b",".join(b'"m%d":%d' % (i, i) for i in range(2000)) + b"}", None),
        (b'{"time":"%s","customer":"a","kind":"nps","value":7,"big":"%s"}' % (T.encode(), b"\\u00e9" * 2000), None),
        (b'{"time":"%s","customer":"a","kind":"nps","value":' % T.encode() + b"9" * 400 + b"}", ("value", R_NUMBER)),
        (b'{"time":"%s","customer":"a","kind":"nps","value":-0}' % T.encode(), None),
        (b'{}', ("time", R_TIME_EMPTY)),
        (b'   \t  ', None),  # blank: skipped, not a row
    ]
    data = b"\n".join(x for x, _ in jl) + b"\n"
    diags, rows, bad = [], 0, 0
    for i, (x, e) in enumerate(jl):
        if x.strip(b" \t") == b"":
            continue
        rows += 1
        if e is not None:
            bad += 1
            diags.append((i + 1, e[0], e[1], False))
    add("json_hostile.jsonl", data, counts=dict(rows=rows, events=rows - bad, rejected=bad, duplicates=0),
        diags=diags, bad_inputs=bad, churn=True)

    for name, table in (("timestamps", time_table()), ("values", value_table()), ("limits", limit_table()),
                        ("encoding", encoding_table())):
        cases.extend(table_cases(name, table))
    return cases


# ---------------------------------------------------------------------------
# Big cases: written at test time into a temporary directory.

def _write_10mb_line(f):
    f.write(b"time,customer,kind,value,note\n")
    f.write(good_line("a")[:-1] + b",\n")
    f.write(good_line("b")[:-1] + b"," + b"x" * (10 << 20) + b"\n")  # line 3: 10 MB, unquoted
    f.write(good_line("c")[:-1] + b",\n")
    f.write(good_line("d", 11)[:-1] + b",\n")                        # line 5: bad


def _write_10mb_field(f):
    f.write(b"time,customer,kind,value,note\n")
    f.write(good_line("a")[:-1] + b",\n")
    # lines 3..10 003: a quoted 10 MB field holding 10 000 line ends
    f.write(good_line("b")[:-1] + b',"' + (b"y" * 1047 + b"\n") * 10000 + b'"\n')
    f.write(good_line("c")[:-1] + b",\n")                             # line 10 004
    f.write(good_line("d", 11)[:-1] + b",\n")                         # line 10 005: bad


def _write_10mb_open_quote(f):
    f.write(HDR)
    f.write(good_line("a"))
    f.write(T.encode() + b',"never closed')                          # line 3
    for _ in range(10240):
        f.write(b"z" * 1023 + b"\n")


def _write_10mb_jsonl(f):
    f.write(write_jsonl([row(customer="a")]))
    f.write(b'{"time":"%s","customer":"b","kind":"nps","value":7,"x":"' % T.encode() + b"w" * (10 << 20) + b'"}\n')
    f.write(write_jsonl([row(customer="c"), row(customer="d", value="11")]))


def _write_deep_jsonl(f):
    # nesting far past the 32-level limit, in an unknown member and in a
    # known one, and records of many members and long escaped strings, each
    # under the 1 MiB record limit
    f.write(write_jsonl([row(customer="a")]))
    f.write(b'{"time":"%s","customer":"b","kind":"nps","value":7,"x":' % T.encode() +
            b"[" * 400000 + b"]" * 400000 + b"}\n")                      # line 2
    f.write(b'{"time":"%s","customer":"c","kind":"nps","value":7,"x":' % T.encode() +
            b'{"a":' * 150000 + b"1" + b"}" * 150000 + b"}\n")             # line 3
    f.write(b'{"customer":' + b"[" * 1000000 + b"\n")                      # line 4
    f.write(b'{"time":"%s","customer":"d","kind":"nps","value":7,' % T.encode() +
            b",".join(b'"m%d":%d' % (i, i) for i in range(60000)) + b"}\n")  # line 5: good
    f.write(b'{"time":"%s","customer":"e","kind":"nps","value":7,"big":"%s"}\n' %
            (T.encode(), b"\\u00e9" * 150000))                              # line 6: good
    f.write(write_jsonl([row(customer="f", value="11")]))                   # line 7


def _write_bad_rows(n):
    def w(f):
        # every bad row has its own customer, channel, segment and id: if a
        # rejected row left any trace in the store, memory would grow
        f.write(b"time,customer,kind,value,channel,segment,id\n")
        chunk = []
        for i in range(n):
            chunk.append(b"%s,cust-%d,nps,11,ch-%d,seg %d,id-%d\n" % (T.encode(), i, i, i, i))
            if len(chunk) == 10000:
                f.write(b"".join(chunk))
                chunk = []
        f.write(b"".join(chunk))
        f.write(good_line("last")[:-1] + b",,,\n")
    return w


def _write_many(column, n):
    def w(f):
        f.write(b"time,customer,kind,value,%s\n" % column.encode())
        chunk = []
        for i in range(n):
            chunk.append(b"%s,c%d,nps,7,x-%d\n" % (T.encode(), i % 1000, i))
            if len(chunk) == 10000:
                f.write(b"".join(chunk))
                chunk = []
        f.write(b"".join(chunk))
        # the store is full, but a channel (segment) it holds is still fine
        for i in range(100):
            f.write(b"%s,late%d,nps,7,x-%d\n" % (T.encode(), i, i))
    return w


def _write_wide_header(n):
    # the widest header under the 1 MiB limit: unknown columns may repeat
    def w(f):
        f.write(b"time,customer,kind,value" + b",x" * n + b"\n")
        for c in ("a", "b", "c"):
            f.write(good_line(c)[:-1] + b"," * n + b"\n")
    return w


def _write_long_header(f):
    f.write(b"time,customer,kind,value," + b",".join(b"col%06d" % i for i in range(120000)) + b"\n")
    f.write(good_line("a"))


MAX_CUSTOM = 65536  # custom channels, and segments, a store holds (docs/events.md, Limits)


def big_cases():
    n_many = 100000
    return [
        dict(name="line_10mb.csv", write=_write_10mb_line, exit=0,
             counts=dict(rows=4, events=2, rejected=2, duplicates=0),
             diags=[(1, "note", R_UNKNOWN_COL, True), (3, "*", R_RECORD, False), (5, "value", R_RANGE, False)],
             memory="record", bad_inputs=2),
        dict(name="field_10mb.csv", write=_write_10mb_field, exit=0,
             counts=dict(rows=4, events=2, rejected=2, duplicates=0),
             diags=[(1, "note", R_UNKNOWN_COL, True), (3, "*", R_RECORD, False),
                    (10005, "value", R_RANGE, False)], memory="record", bad_inputs=2),
        dict(name="open_quote_10mb.csv", write=_write_10mb_open_quote, exit=0,
             counts=dict(rows=2, events=1, rejected=1, duplicates=0),
             diags=[(3, "*", R_RECORD, False)], memory="record", bad_inputs=1),
        dict(name="record_10mb.jsonl", write=_write_10mb_jsonl, exit=0,
             counts=dict(rows=4, events=2, rejected=2, duplicates=0),
             diags=[(2, "*", R_RECORD, False), (4, "value", R_RANGE, False)], memory="record", bad_inputs=2),
        dict(name="deep.jsonl", write=_write_deep_jsonl, exit=0,
             counts=dict(rows=7, events=3, rejected=4, duplicates=0),
             diags=[(2, "*", R_NESTED, False), (3, "*", R_NESTED, False), (4, "*", R_NESTED, False),
                    (7, "value", R_RANGE, False)], memory="record", bad_inputs=4),
        dict(name="bad_rows_10k.csv", write=_write_bad_rows(10000), exit=0,
             counts=dict(rows=10001, events=1, rejected=10000, duplicates=0),
             diag_count=10000, diag_sample=[(2, "value", R_RANGE, False), (10001, "value", R_RANGE, False)],
             memory="small", bad_inputs=10000),
        dict(name="bad_rows_1m.csv", write=_write_bad_rows(1000000), exit=0,
             counts=dict(rows=1000001, events=1, rejected=1000000, duplicates=0),
             diag_count=1000000, diag_sample=[(2, "value", R_RANGE, False), (1000001, "value", R_RANGE, False)],
             memory="same as bad_rows_10k.csv", bad_inputs=1000000),
        dict(name="channels_100k.csv", write=_write_many("channel", n_many), exit=0,
             counts=dict(rows=n_many + 100, events=MAX_CUSTOM + 100, rejected=n_many - MAX_CUSTOM, duplicates=0),
             diag_count=n_many - MAX_CUSTOM,
             diag_sample=[(MAX_CUSTOM + 2, "*", R_FULL, False), (n_many + 1, "*", R_FULL, False)],
             memory="store", bad_inputs=n_many - MAX_CUSTOM, args=["--by", "month"]),
        dict(name="segments_100k.csv", write=_write_many("segment", n_many), exit=0,
             counts=dict(rows=n_many + 100, events=MAX_CUSTOM + 100, rejected=n_many - MAX_CUSTOM, duplicates=0),
             diag_count=n_many - MAX_CUSTOM,
             diag_sample=[(MAX_CUSTOM + 2, "*", R_FULL, False), (n_many + 1, "*", R_FULL, False)],
             memory="store", bad_inputs=n_many - MAX_CUSTOM, args=["--by", "month"]),
        dict(name="wide_header.csv", write=_write_wide_header(500000), exit=0,
             counts=dict(rows=3, events=3, rejected=0, duplicates=0), diag_count=1,  # one name, once
             diag_sample=[(1, "x", R_UNKNOWN_COL, True)], memory="header", bad_inputs=1),
        dict(name="header_over_1mib.csv", write=_write_long_header, exit=1,
             diags=[(1, "*", R_HEADER_LONG, False)], memory="record", bad_inputs=1),
    ]


def write_small(outdir):
    os.makedirs(outdir, exist_ok=True)
    for c in small_cases():
        with open(os.path.join(outdir, c["name"]), "wb") as f:
            f.write(c["data"])


def write_big(outdir):
    os.makedirs(outdir, exist_ok=True)
    for c in big_cases():
        with open(os.path.join(outdir, c["name"]), "wb") as f:
            c["write"](f)


def main(argv):
    if len(argv) not in (2, 3) or (len(argv) == 3 and argv[2] != "--big"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    write_small(argv[1])
    if len(argv) == 3:
        write_big(argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
