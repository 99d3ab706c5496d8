#!/usr/bin/env python3
"""Tests of `cxm report --threads N` (docs/cli.md, "Reading on several threads").

Usage: test_threads.py CXM DATA_DIR

Each input is reported with --threads 1 and with several N; standard output
must be byte-identical and standard error identical (same diagnostics, same
file:line:column, same order), except for the one documented line when an
event id repeats across the parts (then the file is read again on one
thread). Inputs: the fixtures in DATA_DIR, and files generated here (seeded)
with bad rows, quoted fields spanning lines, doubled and stray quotes, CRLF
line ends, blank lines, an unknown column, refs for contacts and ratings,
in CSV and JSON Lines. Only the Python standard library is used.
"""

import json
import os
import random
import re
import subprocess
import sys
import tempfile

CXM = None
DATA = None
FAILURES = []

FALLBACK = re.compile(r"^cxm: .*: the \d+ parts read in parallel cannot be merged exactly \(an event id in two of "
                      r"them or in an earlier file, or a sum split across them\): reading it again on one thread$")


def check(cond, message):
    if not cond:
        FAILURES.append(message)
        print("FAIL: " + message)


def run(args, stdin=None, cwd=None):
    proc = subprocess.run([CXM] + args, input=stdin, cwd=cwd or DATA,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


def close_json(a, b, path="$"):
    """Where two JSON values differ beyond a relative 1e-12 on numbers, or None."""
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and \
                abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b)):
            return None
        return path
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return path
        for k in a:
            where = close_json(a[k], b[k], path + "." + k)
            if where:
                return where
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return path
        for i, (x, y) in enumerate(zip(a, b)):
            where = close_json(x, y, "%s[%d]" % (path, i))
            if where:
                return where
        return None
    return None if a == b else path


def same_as_one_thread(label, args, counts=(2, 3, 4, 8), expect_fallback=False, cwd=None, command="report"):
    """Run `args` with --threads 1, with each count and without --threads
    (the default: the processors online); compare. Standard output must be
    byte-identical, standard error too but for the one line of a file read
    again on one thread with an explicit --threads; with the default that
    line is not printed. Returns the one-thread result."""
    base = run([command, "--threads", "1"] + args, cwd=cwd)
    default = run([command] + args, cwd=cwd)
    check(default == base, "%s, default threads: not what one thread prints (exit %d, want %d)%s" %
          (label, default[0], base[0], "" if default[2] == base[2] else "; standard error: " +
           default[2].decode("utf-8", "replace")[:1000]))
    for n in counts:
        got = run([command, "--threads", str(n)] + args, cwd=cwd)
        check(got[0] == base[0], "%s, %d threads: exit %d, want %d" % (label, n, got[0], base[0]))
        check(got[1] == base[1], "%s, %d threads: standard output differs" % (label, n))
        err = got[2].decode("utf-8", "replace").splitlines(True)
        fallback = [line for line in err if FALLBACK.match(line.rstrip("\n"))]
        rest = "".join(line for line in err if not FALLBACK.match(line.rstrip("\n")))
        check(rest == base[2].decode("utf-8", "replace"),
              "%s, %d threads: diagnostics differ:\n%s\n--- want ---\n%s" %
              (label, n, rest[:2000], base[2].decode("utf-8", "replace")[:2000]))
        if expect_fallback is None:
            pass  # at most one line per file; checked by `rest` above being the one-thread output
        else:
            check(len(fallback) == (1 if expect_fallback else 0),
                  "%s, %d threads: %d fallback lines, want %d" % (label, n, len(fallback), int(expect_fallback)))
    return base


# ---------------------------------------------------------------------------
# Generated inputs

KINDS = ["nps", "csat", "ces", "internal", "expectation", "perception", "contact_open", "contact_reply",
         "contact_resolve", "purchase", "complaint", "compliment", "churn"]
CHANNELS = ["", "email", "phone", "chat", "web", "store", "social", "app", "kiosk", "my-kiosk"]
STAGES = ["", "awareness", "purchase", "use", "support"]
SEGMENTS = ["", "consumer", "smb", "enterprise", "big \"co\"", "a, b"]
DIMENSIONS = ["tangibles", "reliability", "responsiveness", "assurance", "empathy"]


def value_for(rng, kind):
    if kind == "nps":
        return str(rng.randint(0, 10))
    if kind == "csat":
        return str(rng.randint(1, 5))
    if kind in ("ces", "expectation", "perception"):
        return str(rng.randint(1, 7))
    if kind == "internal":
        return str(rng.randint(0, 100))
    if kind == "purchase":
        return "%d.%02d" % (rng.randint(0, 300), rng.randint(0, 99))
    return ""


def random_row(rng, i, ids, prefix="e", ces_refs=False, dense_refs=False):
    """One event as a dict (some of them bad)."""
    kind = rng.choice(KINDS)
    day = rng.randint(1, 120)
    t = 1735689600 + day * 86400 + rng.choice([0, 3600, 7200]) * rng.randint(0, 12) + rng.randint(0, 1) * rng.randint(0, 3599)
    row = {
        "time": str(t) if rng.random() < 0.3 else "%s" % t,
        "customer": "c%d" % rng.randint(0, 300),
        "kind": kind,
        "value": value_for(rng, kind),
        "channel": rng.choice(CHANNELS),
        "stage": rng.choice(STAGES),
        "segment": rng.choice(SEGMENTS),
        "id": ("%s%d" % (prefix, i)) if ids and rng.random() < 0.7 else "",
        "ref": "",
        "dimension": "",
        "note": "",
    }
    if kind in ("expectation", "perception"):
        row["dimension"] = rng.choice(DIMENSIONS)
    # Normalised CES ratings (k * 100 / 6) are not exact doubles: with refs
    # on them, the gap's sums depend on how they are grouped (see above).
    rated = ("nps", "csat", "ces", "internal") if ces_refs else ("nps", "csat", "internal")
    if kind.startswith("contact"):
        row["ref"] = "r%d" % rng.randint(0, 200)
    elif kind in rated and rng.random() < 0.5:
        # dense: ratings pile up on 200 refs, so that a ref rated once before
        # a cut and twice after it (a split sum: the file is read again on
        # one thread) is common; otherwise rare, and the parts are merged
        row["ref"] = "r%d" % rng.randint(0, 200 if dense_refs else 20000)
    r = rng.random()
    if r < 0.03:
        row["kind"] = "npx"
    elif r < 0.06:
        row["value"] = "11" if kind == "nps" else "x"
    elif r < 0.08:
        row["customer"] = ""
    elif r < 0.10:
        row["time"] = "2025-02-30T12:00:00Z"
    elif r < 0.14:
        row["note"] = "a note\nover \"two\" lines, with a comma"
    elif r < 0.16:
        row["note"] = "\n\n"
    return row


COLUMNS = ["time", "customer", "kind", "value", "channel", "stage", "segment", "id", "ref", "dimension", "note"]


def csv_field(s):
    if any(c in s for c in ",\"\n\r"):
        return "\"" + s.replace("\"", "\"\"") + "\""
    return s


def make_csv(rng, n, ids=True, bom=False, prefix="e", ces_refs=False, dense_refs=False):
    out = []
    if bom:
        out.append("\ufeff")
    out.append("\n")  # a blank line before the header
    out.append(",".join(COLUMNS) + "\n")
    for i in range(n):
        row = random_row(rng, i, ids, prefix, ces_refs, dense_refs)
        line = ",".join(csv_field(row[c]) for c in COLUMNS)
        r = rng.random()
        if r < 0.02:
            line = line.rsplit(",", 3)[0]  # too few fields
        elif r < 0.04:
            line = line + ",extra"  # too many fields
        elif r < 0.05:
            line = line.replace(",", ",ab\"c", 1)  # a stray quote inside an unquoted field
        elif r < 0.055:
            line = line + ",\"never closed"  # a quote that never closes: then many lines are one record
        end = "\r\n" if rng.random() < 0.1 else "\n"
        out.append(line + end)
        if rng.random() < 0.02:
            out.append("\n")
    return "".join(out).encode("utf-8")


def make_jsonl(rng, n):
    out = []
    for i in range(n):
        row = random_row(rng, i, True, "j")
        obj = {k: v for k, v in row.items() if v != "" and k != "note"}
        if "value" in obj:
            try:
                obj["value"] = float(obj["value"]) if "." in obj["value"] else int(obj["value"])
            except ValueError:
                pass
        if "time" in obj and obj["time"].isdigit() and rng.random() < 0.5:
            obj["time"] = int(obj["time"])
        r = rng.random()
        if r < 0.03:
            out.append("{not json\n")
        elif r < 0.05:
            out.append("\n")
        else:
            out.append(json.dumps(obj) + "\n")
    return "".join(out).encode("utf-8")


def split_sum_csv(case):
    """A file whose first two ranges (as two threads cut it, at 4/9 and 8/9
    of lines of one length) share one sum: one term in the first, two in the
    second; or an event id, or a ref, named by customers in both."""
    head = "id,time,customer,kind,value,ref\n"
    rows = []
    base = 1740000000  # 2025-02-19T21:20:00Z
    for i in range(400):
        rows.append(["f%04d" % i, str(base + 60 * i), "c%03d" % (i % 97), "nps", str(i % 11), ""])
    a, b, c = 100, 300, 301  # one row in the first half, two in the second
    if case == "amounts":
        for at, v in ((a, "0.1"), (b, "0.2"), (c, "0.3")):
            rows[at][2:6] = ["zz", "purchase", v, ""]
            rows[at][1] = str(base + 60 * a)  # one UTC day
    elif case == "ces":
        for at, v in ((a, "2"), (b, "3"), (c, "6")):
            rows[at][3:6] = ["ces", v, "r1"]
    elif case == "internal":
        for at, v in ((a, "10.1"), (b, "20.2"), (c, "30.3")):
            rows[at][3:6] = ["internal", v, "r2"]
    elif case == "id":
        rows[b][0] = rows[a][0]  # a duplicate one thread skips
        rows[b][2] = "c999"
    elif case == "day":
        # The amounts of the first case, in a file in time order whose day
        # ends ten lines after the first cut of two threads (4/9 of the
        # bytes: two ranges and a last one a quarter as long, docs/cli.md):
        # the cut moves to the first line of the next day, all three
        # purchases are in the first part, nothing is read again.
        midnight = 1740009600  # 2025-02-20T00:00:00Z
        for i in range(400):
            rows[i][1] = str(midnight - (188 - i) * 60)
        for at, v in ((150, "0.1"), (183, "0.2"), (184, "0.3")):
            rows[at][2:6] = ["zz", "purchase", v, ""]
    else:
        # a contact of one ref opened by one customer, answered for another:
        # no sum split, the merge maps the ref
        rows[a][3:6] = ["contact_open", "", "r3"]
        rows[b][2:6] = ["c998", "contact_reply", "", "r3"]
    return head + "".join(",".join(r) + "\n" for r in rows)


def lifecycle_csv(rng, contacts):
    """Contacts with replies, transfers, resolves and reopens (some at
    midnight, some before their open), answers with and without follow-ups,
    invitations, and every other kind: each part of the report that is
    computed after the read has something to compute."""
    head = "id,time,customer,kind,value,channel,stage,segment,ref\n"
    rows = []
    base = 1735689600  # 2025-01-01T00:00:00Z
    for i in range(contacts):
        t = base + rng.randint(0, 150) * 86400 + rng.choice([0, rng.randint(0, 86399)])
        who = "c%d" % rng.randint(0, 400)
        ch, st, sg = rng.choice(CHANNELS[1:]), rng.choice(STAGES[1:]), rng.choice(SEGMENTS[1:4])
        ref = "k%d" % i

        def add(kind, at, value="", ref_=ref):
            rows.append(["x%d-%d" % (i, len(rows)), str(at), who, kind, value, ch, st, sg, ref_])
        add("contact_open", t)
        at = t
        for _ in range(rng.randint(0, 5)):
            at += rng.choice([0, 3600, 86400, rng.randint(1, 5 * 86400)])
            add(rng.choice(["contact_reply", "contact_transfer", "contact_resolve", "contact_reopen"]), at)
        if rng.random() < 0.1:
            add("contact_resolve", t - 3600)  # before the open: ignored
        if rng.random() < 0.4:
            answer = "a%d" % i
            add(rng.choice(["nps", "csat", "ces"]), at + 7200, str(rng.randint(1, 5)), answer)
            if rng.random() < 0.6:
                add("followup", at + 7200 + rng.randint(0, 3 * 86400), "", answer)
        if rng.random() < 0.3:
            add("survey_sent", t + 60, "", "")
        if rng.random() < 0.3:
            add("internal", t + 120, str(rng.randint(0, 100)))
        if rng.random() < 0.2:
            kind = rng.choice(["complaint", "compliment", "purchase", "churn"])
            add(kind, t + 300, "12.50" if kind == "purchase" else "")
    rng.shuffle(rows)
    return head + "".join(",".join(csv_field(x) for x in r) + "\n" for r in rows)


def main():
    global CXM, DATA
    CXM = os.path.abspath(sys.argv[1])
    DATA = os.path.abspath(sys.argv[2])

    # usage
    for bad in ["0", "-1", "abc", "257", "", "2x"]:
        code, out, err = run(["report", "--threads", bad, "basic.csv"])
        check(code == 2, "--threads %r: exit %d, want 2" % (bad, code))
        check(out == b"", "--threads %r: output on a usage error" % bad)
    code, out, _ = run(["report", "--threads=256", "--json", "basic.csv"])
    check(code == 0 and out.startswith(b"{"), "--threads=256 is accepted")

    # the fixtures, alone and together, tables and JSON
    for name in sorted(os.listdir(DATA)):
        if name.endswith(".csv") or name.endswith(".jsonl"):
            same_as_one_thread(name, ["--json", name], expect_fallback=None)
            same_as_one_thread(name + " (tables)", [name], counts=(2, 5), expect_fallback=None)
    same_as_one_thread("all fixtures", ["--json", "basic.csv", "more.jsonl", "periods.csv", "window.csv",
                                        "missing.csv", "empty.csv"], expect_fallback=None)
    # basic.csv repeats an event id across its halves: read again on one thread
    same_as_one_thread("basic.csv, 2 threads", ["--json", "basic.csv"], counts=(2,), expect_fallback=True)
    # --strict reads on one thread
    same_as_one_thread("strict", ["--strict", "--json", "basic.csv"], expect_fallback=False)
    # standard input is read on one thread
    with open(os.path.join(DATA, "basic.csv"), "rb") as f:
        data = f.read()
    one = run(["report", "--json", "-"], stdin=data)
    two = run(["report", "--json", "--threads", "4", "-"], stdin=data)
    check(one == two, "standard input with --threads 4")

    rng = random.Random(20261123)
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for k, (n, bom) in enumerate([(4000, False), (2500, True), (300, False), (3, False)]):
            path = os.path.join(tmp, "gen%d.csv" % k)
            with open(path, "wb") as f:
                f.write(make_csv(rng, n, ids=(k != 1), bom=bom, prefix="f%d-" % k))
            files.append(path)
            base = same_as_one_thread("gen%d.csv" % k, ["--json", "--by", "channel,segment,month", path],
                                      counts=(2, 3, 4, 7), expect_fallback=False, cwd=tmp)
            if n > 1000:
                check(base[2].count(b"\n") > 50, "gen%d.csv has many diagnostics" % k)
            same_as_one_thread("gen%d.csv (tables, window)" % k,
                               ["--from", "2025-02-01T00:00:00Z", "--to", "2025-04-01T00:00:00Z", path],
                               counts=(3,), expect_fallback=False, cwd=tmp)
        path = os.path.join(tmp, "gen.jsonl")
        with open(path, "wb") as f:
            f.write(make_jsonl(rng, 3000))
        files.append(path)
        same_as_one_thread("gen.jsonl", ["--json", path], counts=(2, 3, 6), expect_fallback=False, cwd=tmp)
        # CES ratings with refs: sums that are not exact doubles, byte-identical
        # all the same (a split sum is read again on one thread)
        path = os.path.join(tmp, "ces.csv")
        with open(path, "wb") as f:
            f.write(make_csv(rng, 4000, prefix="ces-", ces_refs=True, dense_refs=True))
        same_as_one_thread("ces.csv", ["--json", path], counts=(2, 3), expect_fallback=None, cwd=tmp)
        # A sum split across the two halves, one term before the cut and two
        # after it (docs/cli.md): a customer day's purchase amounts
        # 0.1 | 0.2 + 0.3, whose merged sum 0.1 + 0.5 is not one thread's
        # (0.1 + 0.2) + 0.3, and an interaction's internal ratings; an event
        # id named by customers in both halves: read again on one thread.
        # The report without --html keeps no customer days (docs/cli.md), so
        # its amounts are no sum; with --html they are. An interaction's CES
        # ratings (summed exactly), a ref named in both halves, and amounts
        # that a day cut keeps together: merged. The same bytes in every case.
        for case in ("amounts", "internal", "id", "ces", "ref", "day"):
            path = os.path.join(tmp, "split-%s.csv" % case)
            with open(path, "wb") as f:
                f.write(split_sum_csv(case).encode("utf-8"))
            same_as_one_thread("split-%s.csv" % case, ["--json", path], counts=(2,),
                               expect_fallback=case in ("internal", "id"), cwd=tmp)
            page = os.path.join(tmp, "split-%s.html" % case)
            same_as_one_thread("split-%s.csv, --html" % case, ["--json", "--html", page, path], counts=(2,),
                               expect_fallback=case in ("amounts", "internal", "id"), cwd=tmp)
        # JSON Lines with byte-order marks at the start of lines, so at the
        # start of ranges: only the file's first one is skipped, whatever
        # the thread count (issue 12: a range start was taken for a file start)
        for k in range(12):
            path = os.path.join(tmp, "bom%d.jsonl" % k)
            share = [1.0, 0.5, 0.2][k % 3]
            lines = make_jsonl(rng, rng.randint(20, 400)).decode("utf-8").split("\n")
            body = "".join(("\ufeff" if rng.random() < share else "") + line + "\n" for line in lines if line)
            if k % 2 == 0:
                body = "\ufeff" + body
            with open(path, "wb") as f:
                f.write(body.encode("utf-8"))
            base = same_as_one_thread("bom%d.jsonl" % k, ["--json", path], counts=(2, 3, 5, 8),
                                      expect_fallback=False, cwd=tmp)
            if share == 1.0:
                check(base[2].count(b"\n") > 10, "bom%d.jsonl: the BOM lines are reported" % k)
        # several files in one report: ids differ between files
        same_as_one_thread("generated files together", ["--json"] + files, counts=(2, 3),
                           expect_fallback=False, cwd=tmp)
        # an id repeated across the parts of one file
        path = os.path.join(tmp, "dup.csv")
        body = make_csv(rng, 2000).decode("utf-8")
        lines = body.split("\n")
        body = body + "1740000000,c1,nps,9,,,,e5,,,\n"  # e5 is near the start
        with open(path, "wb") as f:
            f.write(body.encode("utf-8"))
        has_e5 = ",e5," in "\n".join(lines[:-1])
        same_as_one_thread("dup.csv", ["--json", path], counts=(2, 4), expect_fallback=has_e5, cwd=tmp)
        # and an id repeated in a later file: the later file is read again
        same_as_one_thread("files sharing ids", ["--json", files[0], files[0]], counts=(2,),
                           expect_fallback=True, cwd=tmp)

    # The computation after the read runs on --threads threads too
    # (src/cli/report_calc.c): every part of the report, JSON, tables and
    # the HTML page, the same bytes whatever the count; also from a
    # snapshot, which is read on one thread.
    rng = random.Random(15)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "lifecycle.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write(lifecycle_csv(rng, 3000))
        every = "channel,stage,segment,month,week"
        base = same_as_one_thread("lifecycle.csv", ["--json", "--by", every, "--backlog-series", path],
                                  counts=(2, 3, 4, 8), expect_fallback=None, cwd=tmp)
        doc = json.loads(base[1])
        ops = doc["overall"]["operations"]
        check(ops["reopened"] > 0 and ops["transfers"] > 0, "lifecycle.csv has reopens and transfers")
        check(doc["overall"]["loop"]["followed"] > 0, "lifecycle.csv has followed-up detractors")
        check(max(d["open"] for d in doc["overall"]["backlog"]["series"]) > 10, "lifecycle.csv has a backlog")
        check(len(doc["slices"]["week"]) > 10, "lifecycle.csv has many weeks")
        same_as_one_thread("lifecycle.csv (default slices)", ["--json", path], counts=(2, 5), expect_fallback=None,
                           cwd=tmp)
        same_as_one_thread("lifecycle.csv (tables)", ["--by", every, "--compare", "month", path], counts=(2, 3, 8),
                           expect_fallback=None, cwd=tmp)
        same_as_one_thread("lifecycle.csv (hours, offset, window)",
                           ["--json", "--hours", "mon-fri=08:00-18:00,sat=10:00-14:00", "--utc-offset", "-03:30",
                            "--from", "2025-02-01", "--to", "2025-04-01", "--by", "segment,week", path],
                           counts=(2, 4), expect_fallback=None, cwd=tmp)
        snap = os.path.join(tmp, "lifecycle.snap")
        code, _, err = run(["ingest", "--snapshot", snap, path], cwd=tmp)
        check(code == 0, "ingest lifecycle.csv: exit %d %s" % (code, err[:200]))
        from_snap = same_as_one_thread("lifecycle.snap",
                                       ["--json", "--by", every, "--backlog-series", "--snapshot", snap],
                                       counts=(2, 3), expect_fallback=False, cwd=tmp)
        check(json.loads(from_snap[1])["slices"] == doc["slices"], "lifecycle.snap: the slices of the file")
        pages = []
        for n in (1, 2, 4):
            page = os.path.join(tmp, "page%d.html" % n)
            code, _, _ = run(["report", "--threads", str(n), "--html", page, path], cwd=tmp)
            check(code == 0, "--html with %d threads: exit %d" % (n, code))
            with open(page, "rb") as f:
                pages.append(f.read())
        check(pages[0] == pages[1] == pages[2], "--html: the same page for 1, 2 and 4 threads")

    # `cxm churn` reads its event files the same way (docs/cli.md): the
    # same bytes whatever the count. Its store keeps customer days, so a
    # day's amounts split 0.1 | 0.2 + 0.3 across the cut are read again.
    rng = random.Random(16)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "churn.csv")
        with open(path, "wb") as f:
            f.write(make_csv(rng, 6000))
        base = same_as_one_thread("churn.csv", ["--json", path], counts=(2, 3, 8), expect_fallback=None, cwd=tmp,
                                  command="churn")
        check(base[0] == 0 and len(json.loads(base[1])["customers"]) > 50, "churn.csv: customers scored")
        same_as_one_thread("churn.csv (tables, --to)", ["--to", "2025-03-01", path], counts=(2,),
                           expect_fallback=None, cwd=tmp, command="churn")
        for case, fallback in (("amounts", True), ("id", True), ("day", False)):
            path = os.path.join(tmp, "split-%s.csv" % case)
            with open(path, "wb") as f:
                f.write(split_sum_csv(case).encode("utf-8"))
            same_as_one_thread("churn split-%s.csv" % case, ["--json", path], counts=(2,), expect_fallback=fallback,
                               cwd=tmp, command="churn")

    if FAILURES:
        print("%d failure(s)" % len(FAILURES))
        sys.exit(1)
    print("all threads tests passed")


if __name__ == "__main__":
    main()
