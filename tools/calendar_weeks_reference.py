#!/usr/bin/python3
"""Reference summaries in calendar weeks (cxm_rfm_options.calendar_weeks;
tests/test_store_rfm.c), computed with pandas the way lifetimes'
summary_data_from_transaction_data / calibration_and_holdout_data build
them with freq "W", independently of the C code.

Usage: /usr/bin/python3 tools/calendar_weeks_reference.py [CDNOW_SAMPLE] > tests/data/cdnow/cdnow_weeks_reference.csv

Needs pandas (Debian's python3-pandas); the tests read the CSV it writes.

How: the CDNOW sample's transactions (sample id, date, dollars) get
pandas' Period("W") of their date (weeks ending on Sunday); calibration is
the dates up to 1997-09-30, the holdout 1997-10-01 .. 1998-06-30. Per
customer, the calibration transactions are summed per week; the first week
is the birth; x = weeks - 1; t_x = last week - first week, T = week of
1997-09-30 - first week (whole weeks, Period differences); monetary = mean
of the repeat weeks' sums (empty when x = 0); x_star = distinct holdout
weeks with a transaction. Customers whose first week is the last one (T =
0) are left out, as the store's summaries leave them out.
"""
import os
import sys

import pandas as pd


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "tests", "data", "cdnow",
                                                             "CDNOW_sample.txt")
    df = pd.read_csv(path, sep=r"\s+", header=None, names=["master", "id", "date", "cds", "dollars"],
                     dtype={"date": str})
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
    df["week"] = df["date"].dt.to_period("W")
    cal_end, hold_end = pd.Timestamp("1997-09-30"), pd.Timestamp("1998-06-30")
    cal = df[df["date"] <= cal_end]
    hold = df[(df["date"] > cal_end) & (df["date"] <= hold_end)]
    end_week = cal_end.to_period("W")
    weekly = cal.groupby(["id", "week"])["dollars"].sum().reset_index()
    hold_weeks = hold.groupby("id")["week"].nunique()
    print("id,x,t_x,T,x_star,monetary")
    for cid, g in weekly.groupby("id"):
        g = g.sort_values("week")
        first, last = g["week"].iloc[0], g["week"].iloc[-1]
        T = (end_week - first).n
        if T == 0:
            continue
        x = len(g) - 1
        monetary = "%.10f" % g["dollars"].iloc[1:].mean() if x > 0 else ""
        print("%d,%d,%d,%d,%d,%s" % (cid, x, (last - first).n, T, hold_weeks.get(cid, 0), monetary))


if __name__ == "__main__":
    main()
