#!/usr/bin/env python3
"""Writes tests/data/dialects/: one clean event file and the same events as
the exports people have (docs/events.md, "Dialects"). Each variant must
give `cxm report --json` the clean file's document (tests/cli/test_input.py,
group `dialects`, runs each with the options listed in MANIFEST).

Usage: python3 tools/gen_dialects.py [OUT_DIR]   (default tests/data/dialects)
Deterministic: the same bytes on every run (seeded, gzip mtime 0)."""
import csv
import datetime as dt
import gzip
import io
import json
import os
import random
import sys

FIELDS = ["time", "customer", "kind", "value", "channel", "stage", "segment", "dimension", "ref", "id"]
UTC = dt.timezone.utc

# file name -> the cxm options it is read with ("<" = from standard input)
MANIFEST = {
    "semicolon.csv": [],
    "tab.tsv": [],
    "utf16.txt": [],
    "zoneless.csv": ["--tz", "+02:00"],
    "us_dates.csv": ["--time-format", "%m/%d/%Y %H:%M:%S", "--assume-utc"],
    "repeated_header.csv": [],
    "epoch_ms.csv": [],
    "clean.csv.gz": [],
    "clean.ndjson": ["--format", "jsonl", "<"],
}


def events():
    rng = random.Random(14)
    start = dt.datetime(2026, 2, 20, 8, 0, 0, tzinfo=UTC)
    rows = []
    channels = ["email", "chat", "phone", "web", "kiosk", ""]
    segments = ["smb", "enterprise", ""]
    stages = ["purchase", "use", ""]
    for i in range(80):
        t = start + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 30))
        cust = "c-%d" % rng.randint(1, 25)
        kind = rng.choice(["nps", "nps", "csat", "ces", "internal", "purchase", "complaint", "contact_open"])
        value = ""
        if kind == "nps":
            value = str(rng.randint(0, 10))
        elif kind == "csat":
            value = str(rng.randint(1, 5))
        elif kind == "ces":
            value = str(rng.randint(1, 7))
        elif kind == "internal":
            value = "%d.5" % rng.randint(40, 99)
        elif kind == "purchase":
            value = "%d.%02d" % (rng.randint(5, 300), rng.randint(0, 99))
        ref = "t-%d" % i if kind == "contact_open" else ""
        rows.append({"time": t, "customer": cust, "kind": kind, "value": value, "channel": rng.choice(channels),
                     "stage": rng.choice(stages), "segment": rng.choice(segments), "dimension": "", "ref": ref,
                     "id": "e%d" % i if i % 3 == 0 else ""})
    rows.append(dict(rows[3]))  # a duplicate event id
    return rows


def write_csv(rows, delim=",", header=None, conv=None, bom=False, crlf=False):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delim, lineterminator="\r\n" if crlf else "\n")
    w.writerow(header or FIELDS)
    for r in rows:
        r = conv(dict(r)) if conv else dict(r)
        w.writerow([r[f] if not isinstance(r[f], dt.datetime) else r[f].strftime("%Y-%m-%dT%H:%M:%SZ")
                    for f in FIELDS])
    return ("\ufeff" if bom else "") + buf.getvalue()


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "data",
                                                             "dialects")
    os.makedirs(out, exist_ok=True)
    rows = events()

    def put(name, data):
        with open(os.path.join(out, name), "wb") as fh:
            fh.write(data if isinstance(data, bytes) else data.encode("utf-8"))

    clean = write_csv(rows)
    put("clean.csv", clean)

    # Excel in most of Europe: ';', decimal commas, capitalised and padded
    # names, kinds and channels in other cases, padded ids.
    def euro(r):
        r["value"] = r["value"].replace(".", ",")
        r["kind"] = r["kind"].upper()
        r["channel"] = r["channel"].capitalize()
        r["customer"] = r["customer"] + " "
        r["id"] = (" " + r["id"]) if r["id"] else ""
        return r
    put("semicolon.csv", write_csv(rows, ";", ["Time", " Customer ", "KIND", "Value", "Channel", "Stage",
                                               "Segment", "Dimension", "Ref", "Id"], euro, bom=True, crlf=True))
    put("tab.tsv", write_csv(rows, "\t"))
    # Excel "Unicode text": UTF-16LE with a byte-order mark, tabs, CRLF.
    put("utf16.txt", write_csv(rows, "\t", crlf=True, bom=True).encode("utf-16-le"))

    # pandas' naive datetimes: local time at +02:00 without a zone.
    def local(r):
        r["time"] = (r["time"] + dt.timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S")
        return r
    put("zoneless.csv", write_csv(rows, conv=local))

    # US dates as spreadsheets write them: month first, no leading zeros.
    def us(r):
        t = r["time"]
        r["time"] = "%d/%d/%d %d:%02d:%02d" % (t.month, t.day, t.year, t.hour, t.minute, t.second)
        return r
    put("us_dates.csv", write_csv(rows, conv=us))

    # Two exports concatenated with `cat`, each with its header (and BOM).
    half = len(rows) // 2
    put("repeated_header.csv", write_csv(rows[:half], bom=True) + write_csv(rows[half:], bom=True))

    def epoch_ms(r):
        r["time"] = str(int(r["time"].timestamp()) * 1000 + random.Random(r["customer"]).randint(0, 999))
        return r
    put("epoch_ms.csv", write_csv(rows, conv=epoch_ms))

    gz = io.BytesIO()
    with gzip.GzipFile(filename="clean.csv", mode="wb", fileobj=gz, mtime=0) as fh:
        fh.write(clean.encode())
    put("clean.csv.gz", gz.getvalue())

    lines = []
    for r in rows:
        obj = {}
        for f in FIELDS:
            v = r[f]
            if isinstance(v, dt.datetime):
                v = v.strftime("%Y-%m-%dT%H:%M:%SZ")
            if v == "":
                continue
            obj[f] = float(v) if f == "value" and "." in v else int(v) if f == "value" else v
        lines.append(json.dumps(obj, separators=(",", ":")))
    put("clean.ndjson", "\n".join(lines) + "\n")

    with open(os.path.join(out, "MANIFEST"), "w") as fh:
        fh.write("# FILE OPTIONS... (< = read from standard input); written by tools/gen_dialects.py\n")
        for name, opts in MANIFEST.items():
            fh.write("\t".join([name] + opts) + "\n")


if __name__ == "__main__":
    main()
