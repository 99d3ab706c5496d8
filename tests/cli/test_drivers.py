"""cxm drivers: runs the built command on generated events (NPS answers and
SERVQUAL perception answers) and checks the JSON: customers counted and
used (listwise deletion), R^2 equal to an ordinary least-squares fit done
here (standard library), weights and Shapley values summing to it, the
bootstrap reproducible from its seed, usage errors. Then rows by ref
(--by ref): rating and perception answers given on interaction refs, the
per-ref means and latest NPS answer worked out here.
usage: test_drivers.py CXM"""
import json
import random
import subprocess
import sys
import tempfile

cxm = sys.argv[1]
DIMS = ["tangibles", "reliability", "responsiveness", "assurance", "empathy"]
rng = random.Random(7)
rows, data = [], []
for c in range(400):
    base = rng.gauss(0, 1)
    ratings = [min(7, max(1, round(4 + 1.2 * (0.6 * base + 0.8 * rng.gauss(0, 1))))) for _ in DIMS]
    missing = c % 10 == 0  # no empathy answer: dropped
    for k, dim in enumerate(DIMS):
        if missing and dim == "empathy":
            continue
        rows.append(f"2025-03-0{1 + k}T10:00:00Z,c{c},perception,{ratings[k]},,,{dim}")
    nps = min(10, max(0, round(1 + 0.9 * ratings[1] + 0.5 * ratings[2] + rng.gauss(0, 1.5))))
    rows.append(f"2025-03-09T10:00:00Z,c{c},nps,{nps},,,")
    if not missing:
        data.append((nps, ratings))
with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
    f.write("time,customer,kind,value,channel,ref,dimension\n")
    f.write("\n".join(rows) + "\n")
    path = f.name


def ols_r2(data):
    n, p = len(data), len(data[0][1]) + 1
    X = [[1.0] + [float(v) for v in r] for _, r in data]
    y = [float(o) for o, _ in data]
    A = [[sum(X[i][a] * X[i][b] for i in range(n)) for b in range(p)] + [sum(X[i][a] * y[i] for i in range(n))]
         for a in range(p)]
    for i in range(p):
        piv = A[i][i]
        A[i] = [v / piv for v in A[i]]
        for r in range(p):
            if r != i:
                fct = A[r][i]
                A[r] = [A[r][j] - fct * A[i][j] for j in range(p + 1)]
    beta = [A[i][p] for i in range(p)]
    my = sum(y) / n
    ss_res = sum((y[i] - sum(beta[a] * X[i][a] for a in range(p))) ** 2 for i in range(n))
    ss_tot = sum((v - my) ** 2 for v in y)
    return 1 - ss_res / ss_tot


def run(*args):
    return subprocess.run([cxm, "drivers", *args], capture_output=True, text=True)


r = run("--json", "--bootstrap", "50", "--seed", "3", path)
assert r.returncode == 0, r.stderr
out = json.loads(r.stdout)
assert out["customers"] == 400 and out["used"] == len(data) == 360, out
r2 = ols_r2(data)
assert abs(out["r2"] - r2) < 1e-10, (out["r2"], r2)
assert [d["attribute"] for d in out["drivers"]] == DIMS
assert abs(sum(d["weight"] for d in out["drivers"]) - r2) < 1e-10
assert abs(sum(d["shapley"] for d in out["drivers"]) - r2) < 1e-10
assert out["bootstrap_used"] == 50
top = max(out["drivers"], key=lambda d: d["weight"])
assert top["attribute"] == "reliability" and not top["covers_zero"], top
again = json.loads(run("--json", "--bootstrap", "50", "--seed", "3", path).stdout)
assert again == out
other = json.loads(run("--json", "--bootstrap", "50", "--seed", "4", path).stdout)
assert other["drivers"][0]["interval"] != out["drivers"][0]["interval"]

r = run("--outcome", "promoter", "--bootstrap", "0", path)
assert r.returncode == 0 and "logistic relative weights" in r.stdout, r
for bad in (["--outcome", "x"], ["--bootstrap", "-1"], ["--seed", "a"], []):
    r = run(*bad, *([path] if bad else []))
    assert r.returncode == 2, (bad, r.returncode, r.stderr)
print("ok")

# By ref: each interaction has an NPS answer on its ref (some two, the
# later one counting) and ratings of three attributes on the same ref,
# sometimes twice (the mean counts), and an empathy perception; a tenth
# of the refs lack the "price" rating (dropped). Ratings without a ref and
# answers on other refs must not enter a ref's row.
ATTRS = ["empathy", "speed", "price", "staff"]
rng = random.Random(11)
rows, want = [], []
for k in range(300):
    ref, cust = f"t{k}", f"u{k % 90}"
    base = rng.gauss(0, 1)
    vals = {a: [min(7, max(1, round(4 + 1.3 * (0.5 * base + 0.8 * rng.gauss(0, 1)))))
                for _ in range(1 + (k % 3 == 0))] for a in ATTRS}
    if k % 10 == 3:
        del vals["price"]
    day = 1 + k % 20
    for a, vs in vals.items():
        for j, v in enumerate(vs):
            kind = "perception" if a == "empathy" else "rating"
            rows.append(f"2025-04-{day:02d}T1{j}:00:00Z,{cust},{kind},{v},,{ref},{a}")
    mean = {a: sum(vs) / len(vs) for a, vs in vals.items()}
    nps = min(10, max(0, round(1 + 0.8 * mean["speed"] + 0.4 * mean.get("price", 4) + rng.gauss(0, 1.2))))
    if k % 7 == 0:  # an earlier answer on the same ref: not the latest
        rows.append(f"2025-04-{day:02d}T08:00:00Z,{cust},nps,{10 - nps},,{ref},")
    rows.append(f"2025-04-{day:02d}T20:00:00Z,{cust},nps,{nps},,{ref},")
    rows.append(f"2025-04-{day:02d}T21:00:00Z,{cust},rating,{1 + k % 7},,,speed")  # no ref
    if "price" in mean:
        want.append((nps, [mean[a] for a in ATTRS]))
with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
    f.write("time,customer,kind,value,channel,ref,dimension\n")
    f.write("\n".join(rows) + "\n")
    path = f.name
r = run("--json", "--by", "ref", "--bootstrap", "0", path)
assert r.returncode == 0, r.stderr
out = json.loads(r.stdout)
assert out["by"] == "ref" and out["refs"] == 300 and out["used"] == len(want) == 270, out
assert [(d["attribute"], d["kind"]) for d in out["drivers"]] == [
    ("empathy", "perception"), ("speed", "rating"), ("price", "rating"), ("staff", "rating")], out["drivers"]
r2 = ols_r2(want)
assert abs(out["r2"] - r2) < 1e-10, (out["r2"], r2)
assert abs(sum(d["weight"] for d in out["drivers"]) - r2) < 1e-10
assert abs(sum(d["shapley"] for d in out["drivers"]) - r2) < 1e-10
for j, d in enumerate(out["drivers"]):
    m = sum(x[j] for _, x in want) / len(want)
    assert abs(d["mean_rating"] - m) < 1e-12, (d, m)
# by customer the same file has 90 customers, the speed ratings without a ref counting too
r = run("--json", "--bootstrap", "0", path)
assert r.returncode == 0, r.stderr
out = json.loads(r.stdout)
assert out["by"] == "customer" and out["customers"] == 90, out
r = run("--by", "ref", "--bootstrap", "0", path)
assert r.returncode == 0 and "of 300 refs" in r.stdout, r
for bad in (["--by", "session"], ["--by"]):
    r = run(*bad, path)
    assert r.returncode == 2, (bad, r.returncode, r.stderr)
