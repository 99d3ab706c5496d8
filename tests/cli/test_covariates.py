"""cxm covariates: runs the built command on generated events (purchases
of customers whose first NPS answer is a detractor's at a lower purchase
rate, and a caller covariate file) and checks the JSON and the table: the
detractor count equals the one counted here from the events, the planted
effect is found (a negative purchase gamma for detractors, z below -2),
the likelihood-ratio test's degrees of freedom follow --process, the
statistic is 2 (loglik - null_loglik), and the usage and data errors.
Standard library only. usage: test_covariates.py CXM"""
import datetime as dt
import json
import math
import os
import random
import subprocess
import sys
import tempfile

cxm = sys.argv[1]
rng = random.Random(18)
rows = ["time,customer,kind,value"]
cov_rows = ["customer,tenure_years"]
detractors = 0
START = dt.datetime(2025, 1, 1, 12, tzinfo=dt.timezone.utc)


def stamp(day):
    return (START + dt.timedelta(days=day)).strftime("%Y-%m-%dT%H:%M:%SZ")


for c in range(500):
    det = rng.random() < 0.4
    detractors += det
    first = rng.randrange(5)  # the day of the first purchase and, an hour earlier, the first answer
    rows.append(f"{stamp(first - 1 / 24)},c{c},nps,{rng.randrange(0, 7) if det else rng.randrange(7, 11)}")
    rows.append(f"{stamp(first + 60)},c{c},nps,{rng.randrange(7, 11) if det else rng.randrange(0, 7)}")
    cov_rows.append(f"c{c},{round(rng.uniform(0.0, 6.0), 2)}")
    # Pareto/NBD: lambda ~ Gamma(2, alpha_i) per week with alpha_i = 4 e^(0.9 det)
    # (gamma_trans = -0.9), mu ~ Gamma(1, 30) per week; 52 weeks observed
    lam = rng.gammavariate(2.0, 1.0 / (4.0 * math.exp(0.9 * det)))
    life = rng.expovariate(rng.gammavariate(1.0, 1.0 / 30.0))
    t, days = 0.0, {0}
    while True:
        t += rng.expovariate(lam)
        if t > min(life, 52.0):
            break
        days.add(int(t * 7))
    for d in sorted(days):
        rows.append(f"{stamp(first + d)},c{c},purchase,10")
with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
    f.write("\n".join(rows) + "\n")
    events = f.name
with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
    f.write("\n".join(cov_rows) + "\n")
    covfile = f.name
with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
    f.write("\n".join(cov_rows[:-1]) + "\n")  # the last customer missing
    short = f.name

failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    failures += 0 if ok else 1


def run(*args):
    return subprocess.run([cxm, "covariates", *args], capture_output=True, text=True)


TO = "2026-01-06"
r = run("--json", "--to", TO, events)
check(r.returncode == 0, f"exit {r.returncode}: {r.stderr.strip()}")
doc = json.loads(r.stdout)
check(doc["format"] == "cxm-covariates/1" and doc["model"] == "pnbd", "format and model")
check(doc["customers"] == 500 and doc["detractors"] == detractors,
      f"customers {doc['customers']}, detractors {doc['detractors']} (counted here {detractors})")
cov = doc["covariates"][0]
g = cov["purchase"]
check(cov["name"] == "first_answer_detractor" and g["gamma"] < 0 and g["z"] < -2,
      f"detractors buy less: gamma {g['gamma']:.3f}, se {g['se']:.3f}, z {g['z']:.2f} (planted -0.9)")
lr = doc["lr_test"]
check(lr["df"] == 2 and abs(lr["statistic"] - 2 * (doc["loglik"] - lr["null_loglik"])) <= 1e-6 * max(1, lr["statistic"])
      and 0 <= lr["p"] <= 1, f"LR {lr['statistic']:.3f} on {lr['df']} df, p {lr['p']:.3g}")

r = run("--json", "--to", TO, "--model", "bgnbd", "--process", "purchase", "--covariates", covfile, events)
doc = json.loads(r.stdout)
names = [c["name"] for c in doc["covariates"]]
check(doc["model"] == "bgnbd" and names == ["first_answer_detractor", "tenure_years"] and doc["lr_test"]["df"] == 2
      and all(c["dropout"] is None for c in doc["covariates"]), f"bgnbd, purchase only: {names}, df {doc['lr_test']['df']}")
r = run("--json", "--to", TO, "--no-detractor", "--covariates", covfile, events)
doc = json.loads(r.stdout)
check([c["name"] for c in doc["covariates"]] == ["tenure_years"] and doc["lr_test"]["df"] == 2, "--no-detractor")

r = run("--to", TO, events)
check("first_answer_detractor" in r.stdout and "likelihood-ratio test" in r.stdout, "table")

for args, code, what in ((["--model", "bgbb", events], 2, "bad --model"),
                         (["--no-detractor", events], 2, "--no-detractor alone"),
                         (["--process", "x", events], 2, "bad --process"),
                         ([], 2, "no FILE"),
                         (["--to", TO, "--covariates", short, events], 1, "a customer without a covariate row"),
                         (["--covariates", "/nonexistent/x.csv", events], 1, "unreadable --covariates")):
    r = run(*args)
    check(r.returncode == code and r.stderr.strip() != "", f"{what}: exit {r.returncode} ({r.stderr.strip()[:80]})")
for path in (events, covfile, short):
    os.unlink(path)
print(f"{failures} failed")
sys.exit(1 if failures else 0)
