#!/usr/bin/env python3
"""Hostile input for `cxm report` and `cxm churn` (suite `hostile`).

Usage: test_hostile.py CXM SOURCE_ROOT GROUP

GROUP `corpus`: every file of tests/hostile/ (built by tools/gen_hostile.py,
which this test runs again to check the committed copy is current): exit
status, every row diagnostic in the documented shape
`FILE:LINE: column COLUMN: [warning: ]REASON` (docs/cli.md) with the line
and column the generator placed the fault at, the input counts of
`--json` equal to the generator's own count of good and bad rows (the rows
around each bad one are kept), `--strict` (first bad row, then stop, no
report), `cxm churn` (same reading, same diagnostics), and all the files in
one run (the counts add up, unreadable files are skipped).

GROUP `big`: the big cases, generated into a temporary directory: 10 MB
lines and fields, a quote left open for 10 MB, 10 MB and deeply nested JSON
Lines records, a million bad rows, 100 000 distinct channels and segments
(the store keeps 65 536 of each), a header of 100 000 columns and one over
1 MiB. Counts and diagnostics as above, plus peak memory: each file is also
fed to cxm through a FIFO, and once cxm has read all of it and waits for
more, its peak resident set (VmHWM of /proc/PID/status, the high-water mark
of the process's own address space; ru_maxrss of a child forked from this
Python process would include Python's own pages) is compared with fixed
bounds: a 10 MB record costs less than RECORD_BOUND_KB over a one-row file,
and a million bad rows no more than ROWS_BOUND_KB over ten thousand.

Only the Python standard library is used.
"""

import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import time

CXM = None
ROOT = None
FAILURES = []
TRIED = {"files": 0, "bad_inputs": 0, "runs": 0}

# Memory bounds, in KiB of resident set above the baseline (a one-row file).
# A record is at most 1 MiB (CXM_READER_MAX_RECORD); a longer one is skipped
# unbuffered, so 10 MB records must cost far less than 10 MB.
RECORD_BOUND_KB = 4 * 1024
# Rows are never kept: a million bad rows cost what ten thousand do.
ROWS_BOUND_KB = 1024
# 65 536 channels or segments are interned: bounded by the store's limits.
STORE_BOUND_KB = 64 * 1024
# The widest header under 1 MiB (500 000 one-letter columns) keeps a few
# words per column for every row: bounded by the header limit.
HEADER_BOUND_KB = 32 * 1024

# Known bugs, reported and left to their owners: a check listed here that
# fails prints KNOWN BUG instead of failing the suite; one that passes fails
# it, so the entry is removed once the bug is fixed.
# (None at present: churn-max-date, `cxm churn` refusing a last event on
# 9999-12-31, was fixed by allowing the cut-off 10000-01-01.)
KNOWN_BUGS = {}
KNOWN_SEEN = []


def check_known(cond, key, message):
    bug = KNOWN_BUGS.get(key)
    if bug is None:
        return check(cond, message)
    if cond:
        return check(False, "known bug %s no longer shows (%s): remove it from KNOWN_BUGS" % (bug, key))
    KNOWN_SEEN.append(bug)
    print("KNOWN BUG %s: %s" % (bug, message[:300]))
    return False


ROW_DIAG = re.compile(r"^(?P<file>[^:]*):(?P<line>[0-9]+): column (?P<rest>.*)$")


def check(cond, message):
    if not cond:
        FAILURES.append(message)
        print("FAIL: " + message)
    return cond


def load_generator():
    path = os.path.join(ROOT, "tools", "gen_hostile.py")
    spec = importlib.util.spec_from_file_location("gen_hostile", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run(args, cwd, timeout=600, stdin=None):
    TRIED["runs"] += 1
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.run([CXM] + args, cwd=cwd, stdout=out, stderr=err, timeout=timeout, stdin=stdin)
        out.seek(0)
        err.seek(0)
        return proc.returncode, out.read(), err.read()


def stderr_lines(err):
    """Diagnostics are text: one line each, no control characters."""
    text = err.decode("utf-8", errors="surrogateescape")
    check(text == "" or text.endswith("\n"), "stderr does not end with a line end: %r" % text[-80:])
    lines = text.split("\n")[:-1] if text else []
    for ln in lines:
        if re.search(r"[\x00-\x1f\x7f]", ln):
            check(False, "raw control character in a diagnostic: %r" % ln[:200])
            break
    return lines


def parse_row_diag(name, ln):
    """(line, column, warning, reason) of `NAME:LINE: column COLUMN: [warning: ]REASON`, or None."""
    prefix = name + ":"
    if not ln.startswith(prefix):
        return None
    m = re.match(r"^([0-9]+): column (.*)$", ln[len(prefix):])
    if not m:
        return None
    rest = m.group(2)
    # the reason follows the last ": " that starts a known reason shape;
    # column names may hold ": ", so split at ": warning: " first
    if ": warning: " in rest:
        col, reason = rest.split(": warning: ", 1)
        return int(m.group(1)), col, True, reason
    col, sep, reason = rest.partition(": ")
    if not sep:
        return None
    return int(m.group(1)), col, False, reason


def check_diags(case, name, lines, what):
    """Every line is a row diagnostic of `name` or a `cxm: ` line; the row
    diagnostics are exactly the expected ones, in order."""
    row_diags, other = [], []
    for ln in lines:
        d = parse_row_diag(name, ln)
        if d is not None:
            row_diags.append((d, ln))
        elif ln.startswith("cxm: "):
            other.append(ln)
        else:
            check(False, "%s %s: a diagnostic of neither documented shape: %r" % (what, name, ln[:200]))
    expected = case.get("diags")
    if expected is not None:
        check(len(row_diags) == len(expected), "%s %s: %d row diagnostics, expected %d: %r" %
              (what, name, len(row_diags), len(expected), [ln[:160] for _, ln in row_diags[:12]]))
        for (got, ln), exp in zip(row_diags, expected):
            line, col, reason_re, warning = exp
            ok = got[0] == line and (col is None or got[1] == col) and got[2] == warning and \
                re.search(reason_re, got[3]) is not None
            check(ok, "%s %s: got %r, expected line %d column %r %s%s" %
                  (what, name, ln[:200], line, col, "warning " if warning else "", reason_re))
    return row_diags, other


def report_counts(out, what):
    try:
        doc = json.loads(out.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        check(False, "%s: stdout is not JSON: %s" % (what, e))
        return None
    check(doc.get("format") == "cxm-report/1", "%s: format %r" % (what, doc.get("format")))
    return doc["input"]


def check_counts(case, inp, what):
    exp = case["counts"]
    for k, v in exp.items():
        check(inp.get(k) == v, "%s: input.%s = %r, expected %r" % (what, k, inp.get(k), v))
    # docs/events.md: for a complete run rows = events + rejected + duplicates + out_of_window
    check(inp["rows"] == inp["events"] + inp["rejected"] + inp["duplicates"],
          "%s: rows %d != events + rejected + duplicates" % (what, inp["rows"]))


# ---------------------------------------------------------------------------

def check_case(case, d):
    name = case["name"]
    TRIED["files"] += 1
    TRIED["bad_inputs"] += case.get("bad_inputs", 1)
    rc, out, err = run(["report", "--json", name], d)
    what = "report " + name
    check(rc == case["exit"], "%s: exit %d, expected %d; stderr %r" % (what, rc, case["exit"], err[:300]))
    lines = stderr_lines(err)
    _, other = check_diags(case, name, lines, what)
    check_threads(name, ["report", "--json"], d, rc, out, lines)
    if name.endswith(".csv"):
        # standard input is read as CSV, named `-` in diagnostics
        with open(os.path.join(d, name), "rb") as f:
            rc2, out2, err2 = run(["report", "--json", "-"], d, stdin=f)
        check(rc2 == rc and out2 == out, "report - < %s: not what the file gives (exit %d vs %d)" % (name, rc2, rc))
        lines2 = stderr_lines(err2)
        renamed = [("-:" + ln[len(name) + 1:]) if ln.startswith(name + ":") else ln.replace("cxm: %s: " % name, "cxm: -: ")
                   for ln in lines]
        check(lines2 == renamed, "report - < %s: diagnostics differ: %r" %
              (name, [x for x in zip(lines2, renamed) if x[0] != x[1]][:2]))
    if case["exit"] == 0:
        inp = report_counts(out, what)
        if inp is not None:
            check_counts(case, inp, what)
        check(other == [], "%s: unexpected messages %r" % (what, other))
    else:
        check(out == b"", "%s: a report was printed for an unreadable file" % what)
        check(other == ["cxm: no input could be read"], "%s: messages %r" % (what, other))
    return rc, lines


THREADS_AGAIN = re.compile(r"^cxm: .*: (the [0-9]+ parts read in parallel cannot be merged exactly \(an event id in "
                           r"two of them or in an earlier file, or a sum split across them\)|"
                           r"merging the parts read in parallel failed \(.*\)): reading it again on one thread$")


def check_threads(name, args, d, rc1, out1, lines1, n=4):
    """`--threads N` (docs/cli.md) prints what one thread prints: the same
    status, report and diagnostics (one more line when the parts cannot be
    merged exactly and the file is read again). The run given (rc1, out1,
    lines1) used the default thread count, which must print exactly what
    --threads 1 prints."""
    rc, out, err = run(args[:1] + ["--threads", "1"] + args[1:] + [name], d)
    what = "%s --threads 1 %s" % (" ".join(args), name)
    check((rc, out, stderr_lines(err)) == (rc1, out1, lines1), "%s: not what the default thread count prints" % what)
    rc, out, err = run(args[:1] + ["--threads", str(n)] + args[1:] + [name], d)
    what = "%s --threads %d %s" % (" ".join(args), n, name)
    check(rc == rc1, "%s: exit %d, one thread %d" % (what, rc, rc1))
    check(out == out1, "%s: the report differs from one thread's" % what)
    lines = [ln for ln in stderr_lines(err) if not THREADS_AGAIN.match(ln)]
    if lines != lines1:
        diff = next((i for i, (a, b) in enumerate(zip(lines, lines1)) if a != b), min(len(lines), len(lines1)))
        check(False, "%s: diagnostics differ from one thread's at line %d: %r vs %r (%d vs %d lines)" %
              (what, diff, lines[diff:diff + 1], lines1[diff:diff + 1], len(lines), len(lines1)))


def check_strict(case, d):
    """--strict: the first bad row (or an unusable header) stops everything."""
    name = case["name"]
    exp = case.get("diags") or []
    errors = [x for x in exp if not x[3]]
    if case["exit"] == 0 and not errors:
        return
    rc, out, err = run(["report", "--strict", "--json", name], d)
    what = "report --strict " + name
    check(rc == 1, "%s: exit %d, expected 1" % (what, rc))
    check(out == b"", "%s: a report was printed" % what)
    lines = stderr_lines(err)
    first = exp[:exp.index(errors[0]) + 1]  # warnings of the header, then the first error
    check_diags(dict(diags=first), name, lines, what)
    if case["exit"] == 0:
        stop = "cxm: %s: stopped at the first bad row (--strict)" % name
    else:
        stop = "cxm: %s: stopped: the file could not be read (--strict)" % name
    check(lines[-1:] == [stop], "%s: last line %r, expected %r" % (what, lines[-1:], stop))


def check_churn(case, d, report_lines):
    """cxm churn reads the same way: the same row diagnostics, a JSON document."""
    name = case["name"]
    rc, out, err = run(["churn", "--json", name], d)
    what = "churn " + name
    check_known(rc == case["exit"], ("churn", name),
                "%s: exit %d, expected %d; stderr %r" % (what, rc, case["exit"], err[-300:]))
    lines = stderr_lines(err)
    rows = [ln for ln in lines if parse_row_diag(name, ln) is not None]
    expected = [ln for ln in report_lines if parse_row_diag(name, ln) is not None]
    check(rows == expected, "%s: row diagnostics differ from report's (%d vs %d)" % (what, len(rows), len(expected)))
    if rc == 0:
        try:
            doc = json.loads(out.decode("utf-8"))
            check(doc.get("format") == "cxm-churn/1", "%s: format %r" % (what, doc.get("format")))
        except (UnicodeDecodeError, ValueError) as e:
            check(False, "%s: stdout is not JSON: %s" % (what, e))


def group_corpus(gen):
    corpus = os.path.join(ROOT, "tests", "hostile")
    cases = gen.small_cases()
    # the committed corpus is what the generator writes, file for file
    names = {c["name"] for c in cases}
    on_disk = {n for n in os.listdir(corpus) if n != "README.md"}
    check(on_disk == names, "tests/hostile/ differs from the generator: extra %r, missing %r" %
          (sorted(on_disk - names), sorted(names - on_disk)))
    for c in cases:
        path = os.path.join(corpus, c["name"])
        if os.path.exists(path):
            with open(path, "rb") as f:
                check(f.read() == c["data"], "tests/hostile/%s is not what tools/gen_hostile.py writes" % c["name"])
    for c in cases:
        rc, lines = check_case(c, corpus)
        check_strict(c, corpus)
        if c.get("churn"):
            check_churn(c, corpus, lines)
    # every file in one run: the counts add up over the readable files, and
    # the unreadable ones are skipped with the report still printed
    readable = [c for c in cases if c["exit"] == 0]
    rc, out, err = run(["report", "--json"] + [c["name"] for c in cases], corpus)
    # (exit 1 after the report: some files could not be read, docs/cli.md)
    unreadable = sum(1 for c in cases if c["exit"] != 0)
    check(rc == (1 if unreadable else 0), "report of all files: exit %d" % rc)
    check(stderr_lines(err)[-1:] == ["cxm: %d of %d input files could not be read" % (unreadable, len(cases))],
          "report of all files: last line %r" % stderr_lines(err)[-1:])
    inp = report_counts(out, "report of all files")
    if inp is not None:
        for k in ("rows", "rejected"):
            total = sum(c["counts"][k] for c in readable)
            check(inp[k] == total, "report of all files: input.%s = %d, expected %d" % (k, inp[k], total))
        # ids are remembered across files, so only the sum of events and
        # duplicates is independent of the order
        total = sum(c["counts"]["events"] + c["counts"]["duplicates"] for c in readable)
        check(inp["events"] + inp["duplicates"] == total, "report of all files: events + duplicates = %d, expected %d" %
              (inp["events"] + inp["duplicates"], total))
    lines = stderr_lines(err)
    unread = sum(1 for c in cases if c["exit"] != 0)
    n_unread = sum(1 for ln in lines if parse_row_diag_any(ln) and parse_row_diag_any(ln)[0] in
                   {c["name"] for c in cases if c["exit"] != 0})
    check(n_unread == unread, "report of all files: %d header diagnostics, expected %d" % (n_unread, unread))
    group_summary()
    # hostile file names: control characters are escaped, so each
    # diagnostic stays one line (docs/cli.md)
    with tempfile.TemporaryDirectory() as tmp:
        hostile = "bad\nname\x1b[2J\r.csv"
        with open(os.path.join(corpus, "nul_lines.csv"), "rb") as f, open(os.path.join(tmp, hostile), "wb") as g:
            g.write(f.read())
        rc, out, err = run(["report", "--json", hostile, "missing\t.csv"], tmp)
        TRIED["files"] += 2
        TRIED["bad_inputs"] += 2
        check(rc == 1, "hostile file names: exit %d" % rc)  # a file missing: 1, after the report
        lines = stderr_lines(err)
        shown = "bad\\x0aname\\x1b[2J\\x0d.csv"
        check(len(lines) == 6 and all(ln.startswith(shown + ":") for ln in lines[:4]),
              "hostile file names: %r" % lines)
        check(lines[-2:] == ["cxm: missing\\x09.csv: cannot open: No such file or directory",
                             "cxm: 1 of 2 input files could not be read"],
              "hostile file names: %r" % lines[-2:])
    print("corpus: %d files, %d bad inputs, %d cxm runs" % (TRIED["files"], TRIED["bad_inputs"], TRIED["runs"]))


def group_summary():
    """`cxm churn --summary FILE`: the summary loader (cxm_rfm_load_csv,
    include/cxm/purchase.h) takes a file whole or not at all, so the first
    bad line fails the command with exit 1 and `cxm: FILE:LINE: reason`."""
    # The first 300 customers of the bundled CDNOW summary (tests/data/cdnow):
    # real heterogeneity, so the fit is not degenerate (docs/purchase.md)
    # and a good file exits with 0.
    with open(os.path.join(ROOT, "tests", "data", "cdnow", "cdnow_customers_summary.csv")) as fh:
        rows = fh.read().splitlines()[1:301]
    good = "ID,frequency,recency,T\n" + "".join("c%s\n" % row for row in rows)
    cases = [
        ("s_empty.csv", b"", 1),
        ("s_garbage.csv", bytes(range(256)) * 4, 1),
        ("s_missing.csv", b"ID,frequency,T\n1,2,3\n", 1),
        ("s_twice.csv", b"frequency,recency,T,x\n1,2,3,1\n", 1),
        ("s_nan.csv", (good + "cx,NaN,1,2\n").encode(), 302),
        ("s_negative.csv", (good + "cx,-1,1,2\n").encode(), 302),
        ("s_recency_after_T.csv", (good + "cx,2,50,40\n").encode(), 302),
        ("s_huge.csv", (good + "cx,1" + "0" * 400 + ",1,2\n").encode(), 302),
        ("s_fields.csv", (good + "cx,1,1\n").encode(), 302),
        ("s_nul.csv", (good + "cx,\x001,1,2\n").encode(), 302),
        ("s_long_id.csv", (good + "c" + "x" * 200 + ",1,1,2\n").encode(), 302),
        ("s_quote.csv", (good + '"cx",1,1,2\n').encode(), None),  # quotes are not supported: the id is `"cx"`
        ("s_ok_crlf.csv", good.replace("\n", "\r\n").encode(), None),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for name, data, bad_line in cases:
            with open(os.path.join(tmp, name), "wb") as f:
                f.write(data)
            TRIED["files"] += 1
            TRIED["bad_inputs"] += 1 if bad_line else 0
            rc, out, err = run(["churn", "--summary", name, "--json"], tmp)
            what = "churn --summary " + name
            lines = stderr_lines(err)
            check(all(ln.startswith("cxm: ") for ln in lines), "%s: diagnostics %r" % (what, lines[:3]))
            if bad_line is None:
                check(rc == 0, "%s: exit %d; %r" % (what, rc, lines[:3]))
                try:
                    doc = json.loads(out.decode("utf-8"))
                    check(len(doc["customers"]) == 300 + (name == "s_quote.csv"), "%s: %d customers" %
                          (what, len(doc["customers"])))
                except (UnicodeDecodeError, ValueError, KeyError) as e:
                    check(False, "%s: not the churn document: %s" % (what, e))
            else:
                check(rc == 1, "%s: exit %d, expected 1" % (what, rc))
                check(out == b"", "%s: output printed" % what)
                check(len(lines) == 1 and lines[0].startswith("cxm: %s:%d: " % (name, bad_line)),
                      "%s: %r, expected one line at line %d" % (what, lines, bad_line))


def parse_row_diag_any(ln):
    m = ROW_DIAG.match(ln)
    return (m.group("file"), int(m.group("line"))) if m else None


# ---------------------------------------------------------------------------
# Peak memory through a FIFO.

def proc_field(pid, name, field):
    try:
        with open("/proc/%d/%s" % (pid, name)) as f:
            for ln in f:
                if ln.startswith(field):
                    return int(ln.split()[1])
    except (OSError, ValueError):
        return None
    return None


def proc_state(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def peak_kb(src, name, args, tmp):
    """Feed `src` to `cxm ARGS NAME` through a FIFO called NAME; once cxm has
    read everything and sleeps waiting for more, return its VmHWM in KiB
    (None when it stopped reading early), then close the FIFO."""
    fifo_dir = tempfile.mkdtemp(dir=tmp)
    fifo = os.path.join(fifo_dir, name)
    os.mkfifo(fifo)
    TRIED["runs"] += 1
    with open(os.path.join(fifo_dir, "out"), "wb") as out, open(os.path.join(fifo_dir, "err"), "wb") as err:
        proc = subprocess.Popen([CXM] + args + [name], cwd=fifo_dir, stdout=out, stderr=err)
        fd = None
        deadline = time.time() + 60
        while fd is None and proc.poll() is None and time.time() < deadline:
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                time.sleep(0.01)
        hwm = None
        if fd is not None:
            os.set_blocking(fd, True)
            written = 0
            try:
                with open(src, "rb") as f:
                    while True:
                        chunk = f.read(1 << 20)
                        if not chunk:
                            break
                        os.write(fd, chunk)
                        written += len(chunk)
                # blank lines (not rows): push the last partial chunk of the
                # data through cxm's 64 KiB reads
                os.write(fd, b"\n" * (256 << 10))
                written += 256 << 10
                stable = 0
                while time.time() < deadline + 600 and proc.poll() is None:
                    rchar = proc_field(proc.pid, "io", "rchar:")
                    if rchar is not None and rchar >= written and proc_state(proc.pid) == "S":
                        stable += 1
                        if stable == 3:
                            hwm = proc_field(proc.pid, "status", "VmHWM:")
                            break
                    else:
                        stable = 0
                    time.sleep(0.02)
            except BrokenPipeError:
                hwm = None
            finally:
                os.close(fd)
        proc.wait(timeout=600)
    return hwm


def group_big(gen):
    tmp = tempfile.mkdtemp(prefix="cxm-hostile-")
    try:
        t0 = time.time()
        gen.write_big(tmp)
        print("big: generated in %.1f s" % (time.time() - t0))
        with open(os.path.join(tmp, "one_row.csv"), "wb") as f:
            f.write(gen.HDR + gen.good_line("a"))
        base = peak_kb(os.path.join(tmp, "one_row.csv"), "one_row.csv", ["report", "--json"], tmp)
        check(base is not None and base > 0, "baseline peak memory not measured")
        print("big: baseline (one row) peak %s KiB" % base)
        peaks = {}
        for c in gen.big_cases():
            name = c["name"]
            TRIED["files"] += 1
            TRIED["bad_inputs"] += c.get("bad_inputs", 1)
            t0 = time.time()
            args = ["report", "--json"] + c.get("args", [])
            rc, out, err = run(args + [name], tmp)
            secs = time.time() - t0
            what = "report " + name
            check(rc == c["exit"], "%s: exit %d, expected %d; stderr %r" % (what, rc, c["exit"], err[:300]))
            if "diags" in c:
                check_diags(c, name, stderr_lines(err), what)
            else:
                lines = stderr_lines(err)
                rows = [(parse_row_diag(name, ln), ln) for ln in lines]
                bad = [ln for d, ln in rows if d is None and not ln.startswith("cxm: ")]
                check(not bad, "%s: diagnostics of neither shape: %r" % (what, bad[:3]))
                got = [d for d, _ in rows if d is not None]
                check(len(got) == c["diag_count"], "%s: %d row diagnostics, expected %d" %
                      (what, len(got), c["diag_count"]))
                by_line = {}
                for d in got:
                    by_line.setdefault(d[0], []).append(d)
                for line, col, reason_re, warning in c["diag_sample"]:
                    ok = any(d[1] == col and d[2] == warning and re.search(reason_re, d[3]) for d in by_line.get(line, []))
                    check(ok, "%s: no diagnostic line %d column %r %s" % (what, line, col, reason_re))
            if c["exit"] == 0:
                inp = report_counts(out, what)
                if inp is not None:
                    check_counts(c, inp, what)
            check_threads(name, args, tmp, rc, out, stderr_lines(err))
            peak = peak_kb(os.path.join(tmp, name), name, args, tmp)
            peaks[name] = peak
            print("big: %-22s %6.2f s, peak %s KiB" % (name, secs, peak))
            kind = c.get("memory")
            if base is None or peak is None:
                check(kind is None or c["exit"] != 0, "%s: peak memory not measured" % what)
                continue
            if kind == "record":
                check(peak - base <= RECORD_BOUND_KB, "%s: peak %d KiB is %d KiB over the baseline (bound %d)" %
                      (what, peak, peak - base, RECORD_BOUND_KB))
            elif kind == "small":
                check(peak - base <= RECORD_BOUND_KB, "%s: peak %d KiB is %d KiB over the baseline (bound %d)" %
                      (what, peak, peak - base, RECORD_BOUND_KB))
            elif kind == "header":
                check(peak - base <= HEADER_BOUND_KB, "%s: peak %d KiB is %d KiB over the baseline (bound %d)" %
                      (what, peak, peak - base, HEADER_BOUND_KB))
            elif kind == "store":
                check(peak - base <= STORE_BOUND_KB, "%s: peak %d KiB is %d KiB over the baseline (bound %d)" %
                      (what, peak, peak - base, STORE_BOUND_KB))
            elif kind.startswith("same as "):
                ref = peaks.get(kind[len("same as "):])
                check(ref is not None and peak - ref <= ROWS_BOUND_KB,
                      "%s: peak %s KiB grows with the rows (reference %s KiB, bound +%d)" % (what, peak, ref, ROWS_BOUND_KB))
        print("big: %d files, %d bad inputs in all" % (TRIED["files"], TRIED["bad_inputs"]))
    finally:
        for n in os.listdir(tmp):
            p = os.path.join(tmp, n)
            if os.path.isdir(p):
                for m in os.listdir(p):
                    os.unlink(os.path.join(p, m))
                os.rmdir(p)
            else:
                os.unlink(p)
        os.rmdir(tmp)


def main(argv):
    global CXM, ROOT
    if len(argv) != 4 or argv[3] not in ("corpus", "big"):
        print("usage: test_hostile.py CXM SOURCE_ROOT corpus|big", file=sys.stderr)
        return 2
    CXM = os.path.abspath(argv[1])
    ROOT = os.path.abspath(argv[2])
    gen = load_generator()
    if argv[3] == "corpus":
        group_corpus(gen)
    else:
        group_big(gen)
    if KNOWN_SEEN:
        print("%d checks failed on known bugs: %s" % (len(KNOWN_SEEN), ", ".join(sorted(set(KNOWN_SEEN)))))
    if FAILURES:
        print("%d failures" % len(FAILURES))
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
