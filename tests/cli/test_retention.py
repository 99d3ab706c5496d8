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
for bad in (["--by", "channel"], ["--lapse", "-1"], ["--origin", "x"], ["--from", "2025-13-01"], ["--tau", "0"], []):
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
print("ok")
