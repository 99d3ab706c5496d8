"""cxm retention: runs the built command on generated event files and checks
its JSON against an independent Kaplan-Meier with delayed entry and a
Mantel-Haenszel log-rank test written here (Python standard library only).
usage: test_retention.py CXM"""
import json
import math
import random
import subprocess
import sys
import tempfile

cxm = sys.argv[1]
DAY = 86400
FROM = 1735689600  # 2025-01-01
TO = FROM + 300 * DAY
LAPSE = 45


def day_str(d):
    import datetime
    return datetime.datetime.fromtimestamp(FROM + d * DAY + 3600, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


rng = random.Random(18)
rows = []
truth = []  # (entry, time, lost, group) in tenure days
for c in range(300):
    first = rng.randint(-60, 280)
    days = [first]
    d = first
    while True:
        d += rng.randint(1, 70)
        if d >= 300 or rng.random() < 0.15:
            break
        days.append(d)
    days = [x for x in days if x < 300]
    nps = rng.choice([None, 2, 6, 8, 10])
    for x in days:
        rows.append((x, f"c{c}", "purchase", "10"))
    if nps is not None:
        rows.append((days[0], f"c{c}", "nps", str(nps)))
    churn = None
    if rng.random() < 0.1:
        churn = days[-1] + rng.randint(0, 10)
        if churn < 300:
            rows.append((churn, f"c{c}", "churn", ""))
        else:
            churn = None
    last = days[-1]
    if churn is not None:
        loss = churn
    elif last + LAPSE < 300:
        loss = last
    else:
        loss = None
    if loss is not None and loss < 0:
        continue
    entry = max(0, -first)
    time = (loss + 1 - first) if loss is not None else 300 - first
    group = {None: "no answer", 2: "detractor", 6: "detractor", 8: "passive", 10: "promoter"}[nps]
    truth.append((entry, time, loss is not None, group))

with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
    f.write("time,customer,kind,value\n")
    for x, c, k, v in sorted(rows):
        f.write(f"{day_str(x)},{c},{k},{v}\n")
    path = f.name


def km(data):
    times = sorted(set(t for _, t, _, _ in data))
    s, out = 1.0, {}
    for t in times:
        n = sum(1 for e, tt, _, _ in data if e < t <= tt)
        d = sum(1 for _, tt, l, _ in data if tt == t and l)
        s *= 1 - d / n
        out[t] = (n, d, s)
    return out


def logrank(data, groups):
    times = sorted(set(t for _, t, l, _ in data if l))
    k = len(groups)
    O = [0.0] * k
    E = [0.0] * k
    V = [[0.0] * k for _ in range(k)]
    for t in times:
        nr = [sum(1 for e, tt, _, g in data if e < t <= tt and g == gg) for gg in groups]
        dg = [sum(1 for _, tt, l, g in data if tt == t and l and g == gg) for gg in groups]
        n, d = sum(nr), sum(dg)
        f = d * (n - d) / (n - 1) if n > 1 else 0
        for a in range(k):
            O[a] += dg[a]
            E[a] += d * nr[a] / n
            for b in range(k):
                V[a][b] += f * nr[a] / n * ((a == b) - nr[b] / n)
    m = k - 1
    u = [O[a] - E[a] for a in range(m)]
    A = [V[a][:m] + [u[a]] for a in range(m)]
    for i in range(m):  # Gauss-Jordan
        p = A[i][i]
        for j in range(m + 1):
            A[i][j] /= p
        for r in range(m):
            if r != i:
                fct = A[r][i]
                for j in range(m + 1):
                    A[r][j] -= fct * A[i][j]
    return sum(u[a] * A[a][m] for a in range(m))


def run(*args):
    return subprocess.run([cxm, "retention", *args], capture_output=True, text=True)


r = run("--json", "--by", "nps", "--from", "2025-01-01", "--to", "2025-10-28", "--lapse", str(LAPSE), path)
assert r.returncode == 0, r.stderr
out = json.loads(r.stdout)
groups = {g["group"]: g for g in out["groups"]}
assert groups["all"]["customers"] == len(truth), (groups["all"]["customers"], len(truth))
for name, g in groups.items():
    data = truth if name == "all" else [x for x in truth if x[3] == name]
    assert g["customers"] == len(data), name
    assert g["lost"] == sum(1 for x in data if x[2]), name
    ref = km(data)
    assert len(g["curve"]) == len(ref), name
    for step in g["curve"]:
        n, d, s = ref[step["days"]]
        assert step["at_risk"] == n and step["lost"] == d, (name, step)
        assert abs(step["survival"] - s) < 1e-12, (name, step, s)
present = [gname for gname in ["no answer", "detractor", "passive", "promoter"] if any(x[3] == gname for x in truth)]
chisq = logrank(truth, present)
assert abs(out["logrank"]["chisq"] - chisq) < 1e-9 * max(1, chisq), (out["logrank"], chisq)
assert out["logrank"]["df"] == len(present) - 1

# tables, and usage errors
r = run("--by", "nps", path)
assert r.returncode == 0 and "log-rank test" in r.stdout, r
for bad in (["--by", "region"], ["--lapse", "-1"], ["--origin", "x"], ["--from", "2025-13-01"], ["--tau", "0"], []):
    r = run(*bad, *([path] if bad else []))
    assert r.returncode == 2, (bad, r.returncode, r.stderr)

# --cohorts: month of first activity (purchases and NPS answers here; churn
# events are no activity), distinct active customers per month since
r = run("--cohorts", "--json", "--from", "2025-01-01", "--to", "2025-10-28", path)
assert r.returncode == 0, r.stderr
coh = json.loads(r.stdout)["cohorts"]
months = {}
for x, c, k, v in rows:
    if k == "churn":
        continue
    ym = day_str(x)[:7]
    months.setdefault(c, set()).add(ym)
def idx(ym):
    return int(ym[:4]) * 12 + int(ym[5:7]) - 1
want = {}
for c, ms in months.items():
    first = min(ms)
    if not ("2025-01" <= first <= "2025-10"):
        continue
    for ym in ms:
        if ym <= "2025-10":
            key = (first, idx(ym) - idx(first))
            want[key] = want.get(key, 0) + 1
assert [e["month"] for e in coh] == [f"2025-{m:02d}" for m in range(1, 11)], coh
for e in coh:
    assert len(e["active"]) == 11 - int(e["month"][5:7])
    for k, a in enumerate(e["active"]):
        assert a == want.get((e["month"], k), 0), (e["month"], k, a, want.get((e["month"], k)))
assert run("--cohorts", path).returncode == 0
# --cox: the loss hazard on time-varying experience (only covariates that
# vary enter; NPS answers here make detractor and promoter vary)
r = run("--json", "--cox", "--from", "2025-01-01", "--to", "2025-10-28", "--lapse", str(LAPSE), path)
assert r.returncode == 0, r.stderr
cx = json.loads(r.stdout)["cox"]
names = [c["covariate"] for c in cx["coefficients"]]
assert names == ["detractor", "promoter"], names
for c in cx["coefficients"]:
    assert abs(c["hazard_ratio"] - math.exp(c["beta"])) < 1e-12 * c["hazard_ratio"]
    lo, hi = c["interval"]
    assert abs(lo - math.exp(c["beta"] - 1.959963984540054 * c["se"])) < 1e-9 * lo
assert cx["lost"] == sum(1 for x in truth if x[2])
r = run("--json", "--by", "effort", path)
assert r.returncode == 0, r.stderr
eff = json.loads(r.stdout)
assert [g["group"] for g in eff["groups"]] == ["all", "other effort"], eff["groups"]  # no CES answers here
assert run("--by", "nps", "--by", "effort", path).returncode == 2

# --by channel, segment, sla: a customer's channel and segment are those of
# its earliest event naming one (ties in time: the first in the file), read
# before the window's end; its SLA group is "SLA breached" when a contact it
# opened before the end got its first reply more than 8 business hours
# (Monday-Friday 09:00-17:00 UTC) later, or none by the end while its
# business age at the end passed 8 hours; "within SLA" with contacts and no
# breach; "no contact" without. Worked out here on the generated events.
rng = random.Random(29)
HOUR = 3600
END = 240  # window days
ev = []  # (seconds, customer, kind, value, channel, segment, ref) in file order
for c in range(240):
    first = rng.randint(-30, 220)
    days = sorted({first} | {first + rng.randint(1, 200) for _ in range(rng.randint(0, 4))})
    for x in days:
        ev.append((FROM + x * DAY + rng.randint(0, 23) * HOUR, f"k{c}", "purchase", "5",
                   rng.choice(["", "", "email", "web", "store", "my_app"]), rng.choice(["", "", "smb", "ent", "gov"]), ""))
    for n in range(rng.choice([0, 0, 1, 2])):
        opened = FROM + rng.randint(first, 235) * DAY + rng.randint(0, 23) * HOUR + rng.randint(0, 59) * 60
        ref = f"k{c}-t{n}"
        ev.append((opened, f"k{c}", "contact_open", "", rng.choice(["", "chat", "phone"]), "", ref))
        wait = rng.choice([None, 600, 5 * HOUR, 20 * HOUR, 3 * DAY])
        if wait is not None:
            ev.append((opened + wait, f"k{c}", "contact_reply", "", "", "", ref))
# a tie: two events in the same second naming different channels and
# segments; the first in the (shuffled) file is the customer's, in the
# truth below as in the store
ev.append((FROM + 5 * DAY, "tie", "purchase", "1", "web", "smb", ""))
ev.append((FROM + 5 * DAY, "tie", "purchase", "1", "email", "ent", ""))
rng.shuffle(ev)  # file order is not time order
TO2 = FROM + END * DAY


def business(t0, t1):
    """Seconds of [t0, t1) within Monday-Friday 09:00-17:00 UTC."""
    total, d = 0, t0 // DAY
    while d * DAY < t1:
        if (d + 3) % 7 < 5:  # 1970-01-01 was a Thursday (weekday 3)
            lo, hi = max(t0, d * DAY + 9 * HOUR), min(t1, d * DAY + 17 * HOUR)
            total += max(0, hi - lo)
        d += 1
    return total


info = {}
for i, (t, c, k, v, ch, seg, ref) in enumerate(ev):
    u = info.setdefault(c, {"days": set(), "ch": None, "seg": None, "opens": {}, "replies": {}})
    if k == "purchase" and t < TO2:
        u["days"].add(t // DAY)
    if ch and t < TO2 and (u["ch"] is None or t < u["ch"][0]):
        u["ch"] = (t, ch)
    if seg and t < TO2 and (u["seg"] is None or t < u["seg"][0]):
        u["seg"] = (t, seg)
    if k == "contact_open":
        u["opens"][ref] = min(t, u["opens"].get(ref, t))
    if k == "contact_reply":
        u["replies"][ref] = min(t, u["replies"].get(ref, t))
truth2 = []
for c, u in info.items():
    if not u["days"]:
        continue  # contacts are no activity: not a retention row
    first, last = min(u["days"]), max(u["days"])
    lost = last + LAPSE < END + FROM // DAY
    loss = last if lost else None
    if loss is not None and loss < FROM // DAY:
        continue
    entry = max(0, FROM // DAY - first)
    time = (loss + 1 - first) if lost else END + FROM // DAY - first
    sla = "no contact"
    for ref, o in u["opens"].items():
        if o >= TO2:
            continue
        if sla == "no contact":
            sla = "within SLA"
        r = u["replies"].get(ref)
        end = r if r is not None and o <= r < TO2 else TO2
        if business(o, end) > 8 * HOUR:
            sla = "SLA breached"
    groups = {"channel": u["ch"][1] if u["ch"] else "unknown", "segment": u["seg"][1] if u["seg"] else "unknown",
              "sla": sla}
    truth2.append((entry, time, lost, groups))
assert sum(1 for x in truth2 if x[3]["sla"] == "SLA breached") > 10
with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
    f.write("time,customer,kind,value,channel,segment,ref\n")
    import datetime
    for t, c, k, v, ch, seg, ref in ev:
        stamp = datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        f.write(f"{stamp},{c},{k},{v},{ch},{seg},{ref}\n")
    path2 = f.name
for by in ("channel", "segment", "sla"):
    r = run("--json", "--by", by, "--from", "2025-01-01", "--to", "2025-08-29", "--lapse", str(LAPSE), path2)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    data = [(e, t, l, g[by]) for e, t, l, g in truth2]
    present = sorted(set(x[3] for x in data))
    got = {g["group"]: g for g in out["groups"]}
    assert set(got) == set(present) | {"all"}, (by, sorted(got), present)
    for name, g in got.items():
        sub = data if name == "all" else [x for x in data if x[3] == name]
        assert g["customers"] == len(sub) and g["lost"] == sum(1 for x in sub if x[2]), (by, name)
        ref = km(sub)
        assert len(g["curve"]) == len(ref), (by, name)
        for step in g["curve"]:
            n, d, sv = ref[step["days"]]
            assert step["at_risk"] == n and step["lost"] == d and abs(step["survival"] - sv) < 1e-12, (by, name, step)
    chisq = logrank(data, present)
    assert abs(out["logrank"]["chisq"] - chisq) < 1e-9 * max(1, chisq), (by, out["logrank"], chisq)
    assert out["logrank"]["df"] == len(present) - 1
    if by == "sla":
        assert out["settings"]["sla_target_s"] == 28800, out["settings"]
# a stricter target moves customers from "within SLA" to "SLA breached"
strict = json.loads(run("--json", "--by", "sla", "--sla-target", "30m", "--from", "2025-01-01", "--to", "2025-08-29",
                        path2).stdout)
loose = json.loads(run("--json", "--by", "sla", "--from", "2025-01-01", "--to", "2025-08-29", path2).stdout)
count = lambda o, n: next((g["customers"] for g in o["groups"] if g["group"] == n), 0)
assert count(strict, "SLA breached") > count(loose, "SLA breached"), (count(strict, "SLA breached"), count(loose, "SLA breached"))
# With R's survival package installed (Debian r-cran-survival), the
# curves of --by segment against survfit(Surv(entry, time, event) ~ group),
# delayed entry included.
import shutil
rscript = shutil.which("Rscript")
if rscript is not None and subprocess.run([rscript, "-e", "library(survival)"], capture_output=True).returncode == 0:
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        f.write("entry,time,event,group\n")
        for e, t, l, g in truth2:
            f.write(f"{e},{t},{int(l)},{g['segment']}\n")
        rows_path = f.name
    script = (
        "suppressMessages(library(survival)); d <- read.csv(commandArgs(TRUE)[1]);"
        "fit <- survfit(Surv(entry, time, event) ~ group, data = d, conf.type = 'log-log');"
        "s <- summary(fit, censored = TRUE);"
        "g <- sub('group=', '', as.character(s$strata));"
        "cat(sprintf('%s %.17g %d %d %.17g %.17g %.17g\\n', g, s$time, s$n.risk, s$n.event, s$surv, s$lower,"
        " s$upper), sep = '')")
    p = subprocess.run([rscript, "-e", script, rows_path], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    want = {}
    for line in p.stdout.splitlines():
        g, t, n, d, sv, lo, hi = line.split()
        num = lambda v: math.nan if v == "NA" else float(v)
        want.setdefault(g, {})[float(t)] = (int(n), int(d), float(sv), num(lo), num(hi))
    out = json.loads(run("--json", "--by", "segment", "--from", "2025-01-01", "--to", "2025-08-29", "--lapse",
                         str(LAPSE), path2).stdout)
    for g in out["groups"]:
        if g["group"] == "all":
            continue
        ref = want[g["group"]]
        assert len(g["curve"]) == len(ref), g["group"]
        for step in g["curve"]:
            n, d, sv, lo, hi = ref[step["days"]]
            assert step["at_risk"] == n and step["lost"] == d and abs(step["survival"] - sv) < 1e-12, (g["group"], step)
            if step["interval"][0] is not None and not math.isnan(lo):
                assert abs(step["interval"][0] - lo) < 1e-12 and abs(step["interval"][1] - hi) < 1e-12, (step, lo, hi)
    print("R survfit: --by segment curves agree")
else:
    print("R with the survival package not found: survfit comparison skipped")
r = run("--by", "sla", "--hours", "mon-sun=00:00-24:00", path2)
assert r.returncode == 0 and "SLA breached" in r.stdout and "log-rank test" in r.stdout, r
assert run("--by", "sla", "--sla-target", "soon", path2).returncode == 2
print("ok")
