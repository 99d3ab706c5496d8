#!/usr/bin/env python3
"""Tests of how `cxm` reads exports and fails (docs/cli.md, "Reading
exports", "Exit status", "Progress"; docs/events.md, "Dialects").

Usage: test_input.py CXM SOURCE_ROOT GROUP [BUILD_ROOT]

Groups:
  dialects  every file of tests/data/dialects/ (tools/gen_dialects.py) gives
            the JSON document of the clean file it was made from
  exits     one exit-status test per rule of failing loudly
  progress  the progress line under a pseudo-terminal (script), and its
            absence otherwise or with --quiet
  snapshot  cxm ingest --snapshot adds exports to a saved store, a file
            read again adds nothing, cxm report --snapshot reports from it
  man       the man page cxm(1) formats without a warning and documents
            every option of --help; it and the bash completion (which
            completes) are installed (the build's intro-installed.json)

Python 3 standard library only (plus `script` from util-linux and `man`
from man-db)."""
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile

CXM = None
ROOT = None
BUILD = None
FAILURES = []


def check(cond, message):
    if not cond:
        FAILURES.append(message)
        print("FAIL: " + message)


def run(args, stdin=None, cwd=None, env=None, stdout=None):
    p = subprocess.run([CXM] + args, input=stdin, cwd=cwd, env=env,
                       stdout=stdout if stdout is not None else subprocess.PIPE, stderr=subprocess.PIPE)
    out = p.stdout.decode("utf-8", "replace") if p.stdout is not None else ""
    return p.returncode, out, p.stderr.decode("utf-8", "replace")


def dialects_dir():
    return os.path.join(ROOT, "tests", "data", "dialects")


def manifest():
    rows = []
    with open(os.path.join(dialects_dir(), "MANIFEST")) as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            rows.append((parts[0], parts[1:]))
    return rows


def group_dialects():
    d = dialects_dir()
    # The committed corpus is what the generator writes.
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen_dialects.py"), tmp], check=True)
        for name in sorted(os.listdir(tmp)):
            with open(os.path.join(tmp, name), "rb") as fh, open(os.path.join(d, name), "rb") as gh:
                check(fh.read() == gh.read(), "tests/data/dialects/%s is what tools/gen_dialects.py writes" % name)
    rc, clean, err = run(["report", "--json", "clean.csv"], cwd=d)
    check(rc == 0 and err == "", "clean file: %d %r" % (rc, err))
    files = manifest()
    check(len(files) >= 9, "the manifest lists every dialect")
    for name, opts in files:
        stdin = None
        args = ["report", "--json"] + [o for o in opts if o != "<"]
        if "<" in opts:
            with open(os.path.join(d, name), "rb") as fh:
                stdin = fh.read()
            args.append("-")
        else:
            args.append(name)
        rc, out, err = run(args, stdin=stdin, cwd=d)
        check(rc == 0, "%s: exit %d %r" % (name, rc, err))
        check(out == clean, "%s: the clean file's JSON" % name)
        want_err = "" if name != "repeated_header.csv" else \
            "repeated_header.csv:42: column *: warning: a copy of the header row skipped (concatenated files?)\n"
        check(err == want_err, "%s: diagnostics %r" % (name, err))
    # By name: .ndjson is JSON Lines, .gz is decompressed (and a .jsonl.gz
    # is JSON Lines); standard input is decompressed whatever it is named.
    rc, out, err = run(["report", "--json", "clean.ndjson"], cwd=d)
    check(rc == 0 and out == clean, ".ndjson by name: %d %r" % (rc, err))
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(d, "clean.ndjson"), "rb") as fh:
            nd = fh.read()
        with gzip.open(os.path.join(tmp, "x.jsonl.gz"), "wb") as fh:
            fh.write(nd)
        rc, out, err = run(["report", "--json", "x.jsonl.gz"], cwd=tmp)
        check(rc == 0 and out == clean, ".jsonl.gz: %d %r" % (rc, err))
        with open(os.path.join(d, "clean.csv.gz"), "rb") as fh:
            gz = fh.read()
        rc, out, err = run(["report", "--json", "-"], stdin=gz)
        check(rc == 0 and out == clean, "gzip on standard input: %d %r" % (rc, err))
        # A truncated gzip file: its reason, and exit 1.
        with open(os.path.join(tmp, "cut.csv.gz"), "wb") as fh:
            fh.write(gz[:len(gz) // 2])
        rc, out, err = run(["report", "--json", "cut.csv.gz", os.path.join(d, "clean.csv")], cwd=tmp)
        check(rc == 1 and "cxm: cut.csv.gz: cannot read: " in err, "truncated gzip: %d %r" % (rc, err))
    # --threads reads these on one thread (or cuts them right): same JSON.
    for name, opts in files:
        if "<" in opts:
            continue
        rc, out, err = run(["report", "--json", "--threads", "3"] + opts + [name], cwd=d)
        check(rc == 0 and out == clean, "--threads 3 %s: %d %r" % (name, rc, err[:300]))
    # --delimiter forces the separator: ';' read as ',' has no time column.
    rc, out, err = run(["report", "--json", "--delimiter", ",", "semicolon.csv"], cwd=d)
    check(rc == 1 and "column time: required column 'time' is missing" in err, "--delimiter ,: %d %r" % (rc, err))
    rc, out, err = run(["report", "--json", "--delimiter", "tab", "tab.tsv"], cwd=d)
    check(rc == 0 and out == clean, "--delimiter tab: %d %r" % (rc, err))
    # Without the options, zone-less and US times are refused with a reason.
    rc, out, err = run(["report", "--json", "zoneless.csv"], cwd=d)
    check(rc == 1 and "has no time zone" in err and "--tz" in err, "zone-less without --tz: %d %r" % (rc, err[:300]))
    rc, out, err = run(["report", "--json", "us_dates.csv"], cwd=d)
    check(rc == 1 and "needs its pattern (cxm --time-format" in err, "US dates without a pattern: %d" % rc)
    # --tz moves the times: +02:00 files read at +03:00 are an hour earlier.
    rc, out, err = run(["report", "--json", "--tz", "+03:00", "zoneless.csv"], cwd=d)
    check(rc == 0 and out != clean and '"first": "2026-02-20T' in out, "--tz +03:00: %d" % rc)


def group_exits():
    data = os.path.join(ROOT, "tests", "cli", "data")
    # basic.csv: 20 rows, 5 rejected.
    for limit, want in (("5", 0), ("4", 1), ("25%", 0), ("24.9%", 1), ("0", 1), ("100%", 0)):
        rc, out, err = run(["report", "--json", "--max-rejected", limit, "basic.csv"], cwd=data)
        check(rc == want, "--max-rejected %s: exit %d, expected %d" % (limit, rc, want))
        check(out.startswith("{"), "--max-rejected %s: the report is printed" % limit)
        if want == 1:
            check(err.splitlines()[-1] == "cxm: 5 of 20 rows were rejected, more than --max-rejected %s" % limit,
                  "--max-rejected %s message: %r" % (limit, err.splitlines()[-1]))
    for bad in ("x", "5.5", "101%", "-1", "", "1e3"):
        rc, out, err = run(["report", "--max-rejected", bad, "basic.csv"], cwd=data)
        check(rc == 2 and out == "" and "--max-rejected takes" in err, "--max-rejected %r: usage %d" % (bad, rc))
    with tempfile.TemporaryDirectory() as tmp:
        bad = os.path.join(tmp, "allbad.csv")
        with open(bad, "w") as fh:
            fh.write("time,customer,kind,value\nnot-a-time,c,nps,9\n2025-01-01T00:00:00Z,c,nps,11\n")
        # Nothing accepted: exit 1, report still printed.
        rc, out, err = run(["report", "--json", bad])
        check(rc == 1 and out.startswith("{") and
              err.splitlines()[-1] == "cxm: no row was accepted: all 2 rows were rejected", "all rejected: %d %r" %
              (rc, err))
        # Valid rows outside --from/--to were accepted (and left out by choice).
        rc, out, err = run(["report", "--json", "--from", "2100-01-01", "basic.csv"], cwd=data)
        check(rc == 0 and '"events": 0' in out and "no row was accepted" not in err,
              "rows outside the window are accepted: %d %r" % (rc, err[-200:]))
        # A missing file after good ones: the rest is read, reported, exit 1.
        rc, alone, _ = run(["report", "--json", "basic.csv"], cwd=data)
        rc, out, err = run(["report", "--json", "basic.csv", "missing.csv"], cwd=data)
        check(rc == 1 and out == alone, "missing file: exit %d, the others' report" % rc)
        check(err.splitlines()[-2:] == ["cxm: missing.csv: cannot open: No such file or directory",
                                        "cxm: 1 of 2 input files could not be read"], "missing: %r" % err)
        rc, out, err = run(["churn", "--json", "basic.csv", "missing.csv"], cwd=data)
        check(rc == 1 and out.startswith("{") and "1 of 2 input files could not be read" in err,
              "churn with a missing file: %d %r" % (rc, err[-200:]))
    # Write errors: every one reported with its reason, exit non-zero.
    if os.path.exists("/dev/full"):
        for args in (["--help"], ["--version"], ["report", "--help"], ["report", "--version"], ["churn", "--help"],
                     ["churn", "--version"], ["report", "--json", "basic.csv"], ["report", "basic.csv"],
                     ["churn", "--json", "basic.csv"], ["churn", "basic.csv"]):
            with open("/dev/full", "wb") as full:
                rc, _, err = run(args, cwd=data, stdout=full)
            check(rc == 1 and err.splitlines()[-1] ==
                  "cxm: standard output: cannot write: No space left on device", "%r on /dev/full: %d %r" %
                  (args, rc, err[-200:]))
    # One date syntax for every time option.
    rc1, a, _ = run(["report", "--json", "--from", "2025-01-10", "--to", "2025-01-14", "basic.csv"], cwd=data)
    rc2, b, _ = run(["report", "--json", "--from", "2025-01-10T00:00:00Z", "--to", "1736812800", "basic.csv"],
                    cwd=data)
    check(rc1 == rc2 and a == b and a.startswith("{"), "--from/--to YYYY-MM-DD: %d %d" % (rc1, rc2))
    rc, out, err = run(["report", "--from", "2025-02-30", "basic.csv"], cwd=data)
    check(rc == 2 and "YYYY-MM-DD date" in err, "bad --from date: %d %r" % (rc, err))
    rc, out, err = run(["churn", "--json", "--to", "2025-01-20", "basic.csv"], cwd=data)
    check(rc == 0, "churn --to YYYY-MM-DD: %d %r" % (rc, err[-200:]))
    # Usage errors of the dialect options.
    for args in (["--delimiter", ":"], ["--format", "xml"], ["--tz", "5"], ["--tz", "+19:00"],
                 ["--time-format", "%Y"], ["--time-format", "%Y-%m-%d %q"], ["--assume-utc", "--tz", "+01:00"],
                 ["--max-rejected"]):
        rc, out, err = run(["report"] + args + ["basic.csv"], cwd=data)
        check(rc == 2 and out == "" and err.startswith("cxm report: "), "%r: usage error %d %r" % (args, rc, err))
        rc, out, err = run(["churn"] + args + ["basic.csv"], cwd=data)
        check(rc == 2 and err.startswith("cxm churn: "), "churn %r: usage error %d %r" % (args, rc, err))


def big_file(path, rows):
    with open(path, "w") as fh:
        fh.write("time,customer,kind,value,channel\n")
        for i in range(rows):
            fh.write("2025-03-%02dT10:00:00Z,customer-%d,nps,%d,email\n" % (1 + i % 28, i % 5000, i % 11))


def group_progress():
    script = shutil.which("script")
    if script is None:
        print("SKIP: no script(1)")
        sys.exit(77)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "big.csv")
        big_file(path, 40000)  # about 1.8 MB: many 64 KiB chunks
        env = dict(os.environ, CXM_PROGRESS_AFTER_MS="0")

        def under_pty(extra):
            cmd = "%s report --json %s %s >/dev/null" % (CXM, extra, path)
            p = subprocess.run([script, "-qec", cmd, "/dev/null"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
            return p.returncode, p.stdout.decode("utf-8", "replace")

        rc, tty = under_pty("")
        check(rc == 0, "under a pseudo-terminal: exit %d" % rc)
        check("rows/s" in tty and "cxm: " + path + ": " in tty and "%), ETA " in tty,
              "a progress line under a terminal: %r" % tty[:300])
        check("\r\x1b[K" in tty, "the line is redrawn and erased in place")
        rc, tty = under_pty("--quiet")
        check(rc == 0 and "rows/s" not in tty, "--quiet: no progress line: %r" % tty[:300])
        # Standard error not a terminal: nothing but diagnostics.
        rc, out, err = run(["report", "--json", path], env=env)
        check(rc == 0 and err == "", "no terminal: no progress line: %r" % err[:300])
        # A diagnostic erases the line first, so it starts on a clean line.
        with open(path, "a") as fh:
            fh.write("bad,c,nps,1,email\n")
        rc, tty = under_pty("")
        check("\r\x1b[K" + path + ":40002: column time" in tty, "diagnostic after the line: %r" %
              tty[tty.find(path + ":40002") - 40:][:120])


def group_snapshot():
    import json
    d = dialects_dir()
    with open(os.path.join(d, "clean.csv")) as fh:
        lines = fh.read().splitlines()
    header, rows = lines[0], lines[1:]
    # Every row with its own event id, split into two daily exports.
    rows = [r.rsplit(",", 1)[0] + ",x%d" % i for i, r in enumerate(rows)]
    half = len(rows) // 2
    with tempfile.TemporaryDirectory() as tmp:
        def put(name, part):
            with open(os.path.join(tmp, name), "w") as fh:
                fh.write("\n".join([header] + part) + "\n")
        put("day1.csv", rows[:half])
        put("day2.csv", rows[half:])
        snap = os.path.join(tmp, "store.cxm")

        def without_input(text):
            doc = json.loads(text)
            doc.pop("input")
            return doc
        rc, out, err = run(["ingest", "--snapshot", snap, "day1.csv"], cwd=tmp)
        check(rc == 0 and out.startswith("ingest: %d rows, %d events added, 0 rejected, 0 duplicates; snapshot: %d "
                                         "events, " % (half, half, half)), "first ingest: %d %r %r" % (rc, out, err))
        check(os.path.exists(snap), "the snapshot is created")
        rc, out, err = run(["ingest", "--snapshot", snap, "day2.csv", "day1.csv"], cwd=tmp)
        check(rc == 0 and ("%d events added" % (len(rows) - half)) in out and ("%d duplicates" % half) in out,
              "second ingest adds day 2 only: %d %r" % (rc, out))
        rc, out, err = run(["ingest", "--snapshot", snap, "day1.csv"], cwd=tmp)
        check(rc == 0 and " 0 events added" in out, "re-ingesting adds nothing: %r" % out)
        before = open(snap, "rb").read()
        _, both, _ = run(["report", "--json", "day1.csv", "day2.csv"], cwd=tmp)
        rc, out, err = run(["report", "--json", "--snapshot", snap], cwd=tmp)
        check(rc == 0 and err == "", "report --snapshot: %d %r" % (rc, err))
        check(without_input(out) == without_input(both), "report --snapshot is the report of every file")
        rc, tables, err = run(["report", "--snapshot", snap], cwd=tmp)
        check(rc == 0 and "overall" in tables, "report --snapshot tables: %d" % rc)
        # Events given with --snapshot are added for this report only.
        rc, out, err = run(["report", "--json", "--snapshot", snap, "day1.csv"], cwd=tmp)
        check(rc == 0 and json.loads(out)["input"]["duplicates"] == half, "report --snapshot FILE: %d" % rc)
        check(open(snap, "rb").read() == before, "report never writes the snapshot")
        # A damaged snapshot is refused and left alone; nothing is saved
        # after --strict stopped; a save that fails keeps the old file.
        with open(os.path.join(tmp, "bad.cxm"), "wb") as fh:
            fh.write(before[:len(before) // 2])
        for cmd in (["ingest", "--snapshot", "bad.cxm", "day1.csv"], ["report", "--snapshot", "bad.cxm"]):
            rc, out, err = run(cmd, cwd=tmp)
            check(rc == 1 and out == "" and err.startswith("cxm: bad.cxm: cannot load the snapshot: "),
                  "%r: %d %r" % (cmd, rc, err))
        check(open(os.path.join(tmp, "bad.cxm"), "rb").read() == before[:len(before) // 2], "bad snapshot kept")
        put("broken.csv", [rows[0], "not-a-time,c,nps,9,,,,,,y"])
        rc, out, err = run(["ingest", "--strict", "--snapshot", snap, "broken.csv"], cwd=tmp)
        check(rc == 1 and open(snap, "rb").read() == before, "--strict: nothing saved (%d)" % rc)
        rc, out, err = run(["ingest", "--snapshot", os.path.join(tmp, "no", "dir", "s.cxm"), "day1.csv"], cwd=tmp)
        check(rc == 1 and "cannot save the snapshot" in err, "save failure: %d %r" % (rc, err))
        # A missing export: the others are saved, exit 1.
        rc, out, err = run(["ingest", "--snapshot", snap, "day1.csv", "day3.csv"], cwd=tmp)
        check(rc == 1 and "1 of 2 input files could not be read" in err, "missing export: %d %r" % (rc, err))
        for args in (["ingest", "day1.csv"], ["ingest", "--snapshot", snap], ["ingest", "--snapshot", snap,
                     "--threads", "2", "day1.csv"], ["report", "--snapshot", snap, "--from", "2026-01-01"]):
            rc, out, err = run(args, cwd=tmp)
            check(rc == 2 and out == "", "%r: usage error %d %r" % (args, rc, err))


def group_man():
    page = os.path.join(ROOT, "docs", "cxm.1")
    check(os.path.exists(page), "docs/cxm.1 exists")
    groff = shutil.which("groff")
    if groff is not None:
        p = subprocess.run([groff, "-man", "-ww", "-z", "-rCHECKSTYLE=3", page], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        check(p.returncode == 0 and p.stderr == b"", "groff -man -ww: %r" % p.stderr[:500])
    man = shutil.which("man")
    if man is not None:
        env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8")
        p = subprocess.run([man, "-l", page], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        check(p.returncode == 0 and b"cxm report" in p.stdout and p.stderr == b"",
              "man -l: %d %r" % (p.returncode, p.stderr[:300]))
    # Every option of `cxm report|churn|ingest --help` is in the
    # page (roff writes a minus as \-).
    with open(page) as fh:
        source = fh.read()
    for cmd in ("report", "churn", "ingest", "retention", "drivers", "plan"):
        _, help_text, _ = run([cmd, "--help"])
        opts = sorted(set(re.findall(r"(?m)^\s+(?:-[a-z], )?(--[a-z][a-z-]*)", help_text)))
        check(len(opts) >= (5 if cmd == "drivers" else 10), "%s --help lists its options" % cmd)
        for opt in opts:
            check(opt.replace("-", "\\-") in source, "cxm(1) documents %s %s" % (cmd, opt))
    # The bash completion completes subcommands, options and values.
    completion = os.path.join(ROOT, "src", "cli", "cxm.bash-completion")
    bash = shutil.which("bash")
    if bash is not None:
        for words, want in (("cxm rep", "report"), ("cxm report --form", "--format"),
                            ("cxm churn --model p", "pnbd"), ("cxm report --by mo", "month")):
            script = 'source "$1"; COMP_WORDS=(%s); COMP_CWORD=%d; _cxm; echo "${COMPREPLY[*]}"' % (
                words, len(words.split()) - 1)
            p = subprocess.run([bash, "-c", script, "bash", completion], stdout=subprocess.PIPE)
            check(p.stdout.decode().split() == [want], "completion of %r: %r" % (words, p.stdout))
        # Every option of each subcommand's --help completes after "--".
        for cmd in ("report", "churn", "ingest", "retention", "drivers", "plan"):
            _, help_text, _ = run([cmd, "--help"])
            opts = set(re.findall(r"(?m)^\s+(?:-[a-z], )?(--[a-z][a-z-]*)", help_text))
            script = 'source "$1"; COMP_WORDS=(cxm %s --); COMP_CWORD=2; _cxm; echo "${COMPREPLY[*]}"' % cmd
            p = subprocess.run([bash, "-c", script, "bash", completion], stdout=subprocess.PIPE)
            missing = sorted(opts - set(p.stdout.decode().split()))
            check(not missing, "completion of cxm %s lacks %s" % (cmd, missing))
    # meson install puts both in place.
    if BUILD is not None:
        import json
        with open(os.path.join(BUILD, "meson-info", "intro-installed.json")) as fh:
            installed = {os.path.realpath(k): v for k, v in json.load(fh).items()}
        dest = installed.get(os.path.realpath(page), "")
        check(dest.endswith(os.path.join("share", "man", "man1", "cxm.1")), "cxm.1 installed as %r" % dest)
        dest = installed.get(os.path.realpath(completion), "")
        check(dest.endswith(os.path.join("share", "bash-completion", "completions", "cxm")),
              "completion installed as %r" % dest)


def main():
    global CXM, ROOT, BUILD
    if len(sys.argv) not in (4, 5):
        print(__doc__)
        sys.exit(2)
    CXM, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    BUILD = os.path.abspath(sys.argv[4]) if len(sys.argv) == 5 else None
    {"dialects": group_dialects, "exits": group_exits, "progress": group_progress, "snapshot": group_snapshot,
     "man": group_man}[sys.argv[3]]()
    if FAILURES:
        print("%d failure(s)" % len(FAILURES))
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
