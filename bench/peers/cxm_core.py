#!/usr/bin/env python3
"""cxm's `report --json --by channel` in the peers' core-report shape.

    python3 cxm_core.py CXM_REPORT.json PEER.json > cxm_core.json

The peers (peer_duckdb.mjs, peer_pandas.py) print the core report: NPS
counts and score, CSAT top-2 share, CES mean and the perception gap,
overall and by channel, plus a per-customer purchase summary. cxm's report
holds the same numbers (and intervals beside them) but not the purchase
summary, which `cxm churn` builds instead; that part is copied from PEER
so that compare.py checks the report's numbers only. Channels without
answers are null, as the peers print them.
"""
import json
import sys


def r4(x):
    return None if x is None else round(float(x), 4)


def core(block):
    out = {}
    nps, csat, ces, gap = (block.get(k) for k in ("nps", "csat", "ces", "gap"))
    out["nps"] = None if not nps or not nps.get("n") else {
        "n": nps["n"], "promoters": nps["promoters"], "detractors": nps["detractors"], "score": r4(nps["score"])}
    out["csat"] = None if not csat or not csat.get("n") else {"n": csat["n"], "top2_pct": r4(csat["score"])}
    out["ces"] = None if not ces or not ces.get("n") else {"n": ces["n"], "mean": r4(ces["mean"])}
    out["gap"] = None if not gap or not gap.get("pairs") else {"pairs": gap["pairs"], "mean": r4(gap["mean"])}
    return out


def main():
    rep = json.load(open(sys.argv[1]))
    peer = json.load(open(sys.argv[2]))
    out = {"rows": rep["input"]["rows"], "last": rep["input"]["last"], "overall": core(rep["overall"]), "channel": {}}
    for name in peer["channel"]:
        block = rep["slices"]["channel"].get(name)
        out["channel"][name] = core(block) if block else {"nps": None, "csat": None, "ces": None, "gap": None}
    out["customers"] = peer["customers"]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
