#!/usr/bin/env python3
"""Generate cxm's bundled sample data (docs: examples/data/README.md).

Writes, deterministically (seeded random.Random, Python 3 stdlib only):

  examples/data/sample_events.csv  ~6 000 events, ~400 customers, 18 months
                                   (2025-01-01 .. 2026-06-30), NO bad rows
  examples/data/with_errors.csv    30 rows, a handful of documented bad rows

Usage: python3 tools/gen_sample.py [OUTPUT_DIR]   (default: examples/data
next to this script's repository root). Running it twice gives the same bytes.

The model behind sample_events.csv is simple on purpose, but every kind of
docs/events.md appears and the numbers behave like real CX data:

* each customer has a segment (consumer / smb / enterprise), an arrival
  date and a latent satisfaction that colours all their answers;
* pre-purchase touches (awareness, discovery, attraction), purchases with
  amounts (stage purchase), relationship NPS surveys a few times a year
  (cultivation, advocacy), a one-off SERVQUAL questionnaire (use);
* support contacts (stage interaction) with a ref: contact_open, a reply
  and a resolution after channel-typical delays (chat minutes, phone
  minutes, email hours to days), some still open at the end; the
  company's own `internal` rating and the customer's csat / ces / nps of
  the same interaction share the ref; effort and satisfaction are worse
  on the phone and in email than in chat, and worse when resolution was
  slow; the internal ratings are systematically kinder than the customers;
* complaints, compliments, and churn events (after which the customer is
  silent); NPS improves slowly over the 18 months;
* transfers, reopens (and second resolutions), survey invitations by ref
  and by customer, and follow-ups of detractor answers, added by extras()
  from their own seeded generator without changing any other row;
* about 95% of rows carry an event id; a few rows are written twice
  (same id: duplicates the store skips); a late-arriving batch and a few
  shuffled blocks leave the file unsorted in places; most times end in
  `Z`, some carry a UTC offset (+01:00, +02:00, -05:00, +05:30), a few a
  fraction of a second.
"""

import csv
import datetime as dt
import io
import math
import os
import random
import sys

SEED = 20260314
N_CUSTOMERS = 400
START = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
END = dt.datetime(2026, 7, 1, tzinfo=dt.timezone.utc)  # exclusive
SPAN = (END - START).total_seconds()

COLUMNS = ["id", "time", "customer", "kind", "value", "channel", "stage",
           "segment", "ref", "dimension"]

SEGMENTS = [("consumer", 0.60), ("smb", 0.28), ("enterprise", 0.12)]
DIMENSIONS = ["tangibles", "reliability", "responsiveness", "assurance",
              "empathy"]
# Custom channel token (events.md allows any [a-z0-9_-]{1,32}).
KIOSK = "kiosk"

# Support channels: share, reply delay (median s, log-sd), resolution delay
# after the reply (median s, log-sd), and how the channel colours effort
# (CES shift) and satisfaction (CSAT shift).
SUPPORT = {
    "phone":  dict(share=0.30, reply=(90, 0.8), resolve=(3 * 3600, 1.6), ces=-1.0, csat=-0.25),
    "email":  dict(share=0.28, reply=(5 * 3600, 1.0), resolve=(30 * 3600, 0.9), ces=-0.5, csat=-0.15),
    "chat":   dict(share=0.25, reply=(60, 0.7), resolve=(25 * 60, 0.9), ces=+0.6, csat=+0.25),
    "app":    dict(share=0.10, reply=(2 * 3600, 0.9), resolve=(8 * 3600, 1.0), ces=+0.2, csat=+0.05),
    "social": dict(share=0.07, reply=(3 * 3600, 1.0), resolve=(20 * 3600, 1.0), ces=-0.3, csat=-0.2),
}

OFFSETS = [dt.timedelta(hours=1), dt.timedelta(hours=2),
           dt.timedelta(hours=-5), dt.timedelta(hours=5, minutes=30)]


def clamp(x, lo, hi):
    return lo if x < lo else hi if x > hi else x


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.events = []  # dicts with a datetime "t"
        self.ref_no = 0
        # What extras() builds on, recorded without drawing from self.r:
        # each support contact, and each relationship-survey wave.
        self.contacts = []
        self.waves = []

    # -- helpers -----------------------------------------------------------
    def pick(self, weighted):
        x = self.r.random() * sum(w for _, w in weighted)
        for v, w in weighted:
            x -= w
            if x < 0:
                return v
        return weighted[-1][0]

    def daytime(self, day):
        """A time on `day` (a datetime at 00:00 UTC), mostly in office hours."""
        if self.r.random() < 0.75:
            secs = self.r.uniform(8 * 3600, 18 * 3600)
        else:
            secs = self.r.uniform(0, 86400)
        return day + dt.timedelta(seconds=int(secs))

    def at(self, frac):
        """A time at fraction `frac` of the whole span, office-hour biased."""
        t = START + dt.timedelta(seconds=frac * SPAN)
        day = t.replace(hour=0, minute=0, second=0)
        return self.daytime(day)

    def emit(self, t, cust, kind, value="", channel="", stage="", ref="",
             dimension=""):
        if t < START or t >= END:
            return False
        self.events.append(dict(t=t, customer=cust["id"], kind=kind,
                                value=value, channel=channel, stage=stage,
                                segment=cust["segment"], ref=ref,
                                dimension=dimension))
        return True

    def new_ref(self):
        self.ref_no += 1
        return "t-%05d" % self.ref_no

    def trend(self, t):
        """Slow improvement over the 18 months (0 at start, 1 at end)."""
        return (t - START).total_seconds() / SPAN

    # -- answers -----------------------------------------------------------
    def nps_answer(self, cust, t, shift=0.0):
        mu = 7.3 + 1.3 * cust["sat"] + 0.9 * self.trend(t) + shift
        mu += {"consumer": 0.0, "smb": -0.2, "enterprise": -0.5}[cust["segment"]]
        return int(clamp(round(self.r.gauss(mu, 1.5)), 0, 10))

    def csat_answer(self, cust, shift=0.0):
        mu = 3.9 + 0.6 * cust["sat"] + shift
        return int(clamp(round(self.r.gauss(mu, 0.9)), 1, 5))

    def ces_answer(self, cust, shift=0.0):
        mu = 5.0 + 0.5 * cust["sat"] + shift
        return int(clamp(round(self.r.gauss(mu, 1.2)), 1, 7))

    # -- one customer's life -------------------------------------------------
    def customer(self, idx):
        r = self.r
        cust = dict(id="c-%04d" % idx,
                    segment=self.pick(SEGMENTS),
                    sat=r.gauss(0.0, 1.0))
        arrive = r.uniform(0.0, 0.85)
        # Lifetime end: churners leave at some point, others stay to the end.
        churns = r.random() < clamp(0.10 - 0.06 * cust["sat"], 0.02, 0.30)
        leave = r.uniform(arrive + 0.05, 1.0) if churns else 1.0
        if leave >= 1.0:
            churns = False
        first = self.at(arrive)

        # Pre-purchase touches.
        if r.random() < 0.15:
            kind = "compliment" if r.random() < 0.6 else "complaint"
            self.emit(first - dt.timedelta(days=r.randint(3, 20)), cust, kind,
                      channel="social", stage="awareness")
        if r.random() < 0.35:
            self.emit(first - dt.timedelta(days=r.randint(1, 10)), cust, "csat",
                      str(self.csat_answer(cust, +0.1)), channel="web",
                      stage="discovery")
        if r.random() < 0.20:
            self.emit(first - dt.timedelta(hours=r.randint(1, 48)), cust, "ces",
                      str(self.ces_answer(cust, +0.4)), channel="chat",
                      stage="attraction")

        # Purchases: a Poisson process with a customer-specific rate.
        rate = r.gammavariate(2.0, 1.0) * {"consumer": 2.0, "smb": 3.0,
                                           "enterprise": 4.0}[cust["segment"]]
        years = (leave - arrive) * SPAN / (365.25 * 86400)
        n_buy = 1 + self.poisson(rate * years * 0.8)
        scale = {"consumer": 60.0, "smb": 400.0, "enterprise": 2500.0}[cust["segment"]]
        for k in range(n_buy):
            frac = arrive if k == 0 else r.uniform(arrive, leave)
            t = self.at(frac)
            ch = self.pick([("web", 0.40), ("store", 0.30), ("app", 0.22), (KIOSK, 0.08)])
            amount = round(scale * math.exp(r.gauss(0.0, 0.6)), 2)
            self.emit(t, cust, "purchase", "%.2f" % amount, channel=ch,
                      stage="purchase")
            if r.random() < 0.12:
                self.emit(t + dt.timedelta(hours=r.randint(2, 72)), cust, "csat",
                          str(self.csat_answer(cust, +0.2)), channel=ch,
                          stage="purchase")

        # Support contacts.
        n_contacts = self.poisson(1.6 * (leave - arrive) / 0.6)
        for _ in range(n_contacts):
            self.contact(cust, self.at(r.uniform(arrive, leave)))

        # Relationship NPS, about every four months while a customer.
        frac = arrive + r.uniform(0.05, 0.25)
        while frac < leave:
            if r.random() < 0.55:
                t = self.at(frac)
                ch = self.pick([("email", 0.5), ("app", 0.3), ("web", 0.2)])
                v = self.nps_answer(cust, t)
                stage = "advocacy" if v >= 9 and r.random() < 0.5 else "cultivation"
                if self.emit(t, cust, "nps", str(v), channel=ch, stage=stage):
                    self.waves.append(dict(cust=cust, t=t, channel=ch, answered=True))
                if v >= 10 and r.random() < 0.25:
                    self.emit(t + dt.timedelta(days=r.randint(1, 9)), cust,
                              "compliment", channel="social", stage="advocacy")
            else:
                self.waves.append(dict(cust=cust, frac=frac, answered=False))
            frac += r.uniform(0.18, 0.28)

        # SERVQUAL questionnaire, once, for some customers.
        if r.random() < 0.25:
            t = self.at(r.uniform(arrive, leave))
            shortfall = {"tangibles": 0.2, "reliability": 0.9,
                         "responsiveness": 1.1, "assurance": 0.4, "empathy": 0.3}
            for d in DIMENSIONS:
                e = int(clamp(round(r.gauss(5.9, 0.8)), 1, 7))
                p = int(clamp(round(r.gauss(5.9 - shortfall[d] + 0.5 * cust["sat"], 1.0)), 1, 7))
                self.emit(t, cust, "expectation", str(e), channel="email",
                          stage="use", dimension=d)
                self.emit(t + dt.timedelta(seconds=r.randint(5, 40)), cust,
                          "perception", str(p), channel="email", stage="use",
                          dimension=d)

        # Loose complaints and compliments during use.
        if r.random() < clamp(0.15 - 0.10 * cust["sat"], 0.02, 0.5):
            self.emit(self.at(r.uniform(arrive, leave)), cust, "complaint",
                      channel=self.pick([("phone", 0.4), ("social", 0.3), ("email", 0.3)]),
                      stage="use")
        if r.random() < clamp(0.10 + 0.08 * cust["sat"], 0.02, 0.5):
            self.emit(self.at(r.uniform(arrive, leave)), cust, "compliment",
                      channel=self.pick([("email", 0.4), ("social", 0.3), ("store", 0.3)]),
                      stage="use")

        if churns:
            self.emit(self.at(leave), cust, "churn",
                      channel=self.pick([("email", 0.4), ("phone", 0.4), ("app", 0.2)]),
                      stage=self.pick([("use", 0.6), ("cultivation", 0.4)]))

    def contact(self, cust, t_open):
        r = self.r
        ch = self.pick([(c, p["share"]) for c, p in SUPPORT.items()])
        p = SUPPORT[ch]
        ref = self.new_ref()
        stage = "interaction"
        if not self.emit(t_open, cust, "contact_open", channel=ch, stage=stage, ref=ref):
            return
        c = dict(cust=cust, ref=ref, channel=ch, open=t_open, reply=None, resolve=None, answers=[])
        self.contacts.append(c)
        reply = t_open + dt.timedelta(seconds=int(p["reply"][0] * math.exp(r.gauss(0, p["reply"][1]))) + 1)
        if r.random() < 0.03 or not self.emit(reply, cust, "contact_reply", channel=ch, stage=stage, ref=ref):
            return  # never answered (or not yet, at the end of the data)
        c["reply"] = reply
        resolve = reply + dt.timedelta(seconds=int(p["resolve"][0] * math.exp(r.gauss(0, p["resolve"][1]))) + 1)
        if r.random() < 0.04 or not self.emit(resolve, cust, "contact_resolve", channel=ch, stage=stage, ref=ref):
            return  # still open
        c["resolve"] = resolve
        hours = (resolve - t_open).total_seconds() / 3600.0
        slow = clamp(math.log10(max(hours, 0.1)) - 0.5, -0.5, 1.5)  # >0 when over ~3 h
        # The company's own view: generous, only mildly sensitive to delay.
        if r.random() < 0.8:
            score = clamp(r.gauss(86.0 - 3.0 * slow, 7.0), 0.0, 100.0)
            if r.random() < 0.5:
                value = "%d" % round(score)
            else:
                value = "%.1f" % score
            self.emit(resolve + dt.timedelta(minutes=r.randint(5, 240)), cust,
                      "internal", value, channel=ch, stage=stage, ref=ref)
        # The customer's view of the same interaction.
        t_survey = resolve + dt.timedelta(minutes=r.randint(30, 36 * 60))
        c["survey"] = t_survey
        if r.random() < 0.5:
            v = self.csat_answer(cust, p["csat"] - 0.35 * slow)
            if self.emit(t_survey, cust, "csat", str(v), channel=ch, stage=stage, ref=ref):
                c["answers"].append(("csat", v, t_survey))
        if r.random() < 0.45:
            t = t_survey + dt.timedelta(seconds=r.randint(3, 60))
            v = self.ces_answer(cust, p["ces"] - 0.5 * slow)
            if self.emit(t, cust, "ces", str(v), channel=ch, stage=stage, ref=ref):
                c["answers"].append(("ces", v, t))
        if r.random() < 0.15:
            t = t_survey + dt.timedelta(seconds=r.randint(61, 120))
            v = self.nps_answer(cust, t_survey, -0.4 * slow)
            if self.emit(t, cust, "nps", str(v), channel=ch, stage=stage, ref=ref):
                c["answers"].append(("nps", v, t))
        if slow > 0.8 and r.random() < 0.3:
            self.emit(t_survey + dt.timedelta(hours=1), cust, "complaint",
                      channel=ch, stage=stage, ref=ref)

    def poisson(self, lam):
        # Knuth's method; lam stays small here.
        if lam <= 0:
            return 0
        l, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= self.r.random()
            if p <= l:
                return k
            k += 1

    # -- output ------------------------------------------------------------
    def fmt_time(self, t):
        x = self.r.random()
        if x < 0.10:
            off = self.r.choice(OFFSETS)
            local = (t + off).replace(tzinfo=None)
            sign = "+" if off >= dt.timedelta(0) else "-"
            mins = int(abs(off.total_seconds()) // 60)
            return local.strftime("%Y-%m-%dT%H:%M:%S") + "%s%02d:%02d" % (sign, mins // 60, mins % 60)
        if x < 0.13:
            return t.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % self.r.randint(0, 999)
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")

    def rows(self):
        r = self.r
        ev = sorted(self.events, key=lambda e: (e["t"], e["customer"], e["kind"]))
        for i, e in enumerate(ev):
            e["id"] = "e-%06d" % (i + 1) if r.random() < 0.95 else ""
            e["time"] = self.fmt_time(e["t"])
        # A late-arriving batch: 60 events of May 2025 exported at the end.
        may = [i for i, e in enumerate(ev) if e["t"].year == 2025 and e["t"].month == 5]
        cut = set(may[len(may) // 3: len(may) // 3 + 60])
        late = [ev[i] for i in sorted(cut)]
        ev = [e for i, e in enumerate(ev) if i not in cut] + late
        # A few shuffled blocks (batch exports merged without sorting).
        for start in (700, 2500, 4100):
            block = ev[start:start + 40]
            r.shuffle(block)
            ev[start:start + 40] = block
        # A few rows written twice (same id): re-sent by an at-least-once pipe.
        with_id = [i for i, e in enumerate(ev) if e["id"]]
        for i in sorted(r.sample(with_id, 12), reverse=True):
            ev.insert(min(len(ev), i + r.randint(1, 300)), dict(ev[i]))
        return ev


DETRACTOR = {"nps": 6, "csat": 2, "ces": 3}  # docs/experience.md, "Closing the loop"


def extras(g, rows):
    """The service-operations and closing-the-loop kinds, drawn from their
    own random.Random(SEED + 1) and inserted by time into the finished rows
    (after the last row at or before each), so every row the file had
    before they were added keeps its bytes, id and place:

    * contact_transfer: 9% of answered contacts are transferred once, 3%
      twice, after the reply (phone and chat more often than email);
    * contact_reopen: 7% of resolved contacts reopen 2 h .. 4 days later, and
      four in five of them are resolved again (the rest stay in the backlog);
    * survey_sent: 75% of resolved contacts are invited to the post-contact
      survey by their ref, 20 minutes before the survey time (so some
      invitations go unanswered); 70% of relationship-NPS waves are invited
      by customer, 1 h .. 5 days before the answer, answered or not;
    * followup: 60% of post-contact detractor answers (NPS 0-6, CSAT 1-2, CES
      1-3) are followed up by their ref, 1 h .. 4 days later (slower in
      2025, faster in 2026); relationship NPS has no ref and cannot be.
    """
    r = random.Random(SEED + 1)
    new = []

    def add(t, c, kind, ref="", channel="", stage=""):
        if START <= t < END:
            new.append(dict(t=t, customer=c["id"], kind=kind, value="", channel=channel, stage=stage,
                            segment=c["segment"], ref=ref, dimension=""))

    for c in g.contacts:
        cust, ref, ch = c["cust"], c["ref"], c["channel"]
        if c["reply"] is not None:
            hops = r.random()
            more = {"phone": 1.5, "chat": 1.3}.get(ch, 0.8)
            n = 2 if hops < 0.03 * more else 1 if hops < 0.12 * more else 0
            t = c["reply"]
            for _ in range(n):
                t = t + dt.timedelta(seconds=r.randint(60, 3600))
                add(t, cust, "contact_transfer", ref, ch, "interaction")
        if c["resolve"] is None:
            continue
        if r.random() < 0.07:
            t = c["resolve"] + dt.timedelta(seconds=r.randint(2 * 3600, 4 * 86400))
            add(t, cust, "contact_reopen", ref, ch, "interaction")
            if r.random() < 0.8:
                add(t + dt.timedelta(seconds=r.randint(600, 3 * 86400)), cust, "contact_resolve", ref, ch,
                    "interaction")
        if r.random() < 0.75:
            add(c["survey"] - dt.timedelta(minutes=20), cust, "survey_sent", ref, "email", "interaction")
        for kind, v, t in c["answers"]:
            if v <= DETRACTOR[kind] and r.random() < 0.6:
                fast = 1.0 - 0.6 * (t - START).total_seconds() / SPAN
                add(t + dt.timedelta(seconds=int(r.uniform(3600, 4 * 86400 * fast))), cust, "followup", ref,
                    "phone", "interaction")
    for w in g.waves:
        if r.random() >= 0.7:
            continue
        if w["answered"]:
            t = w["t"] - dt.timedelta(seconds=r.randint(3600, 5 * 86400))
            add(t, w["cust"], "survey_sent", "", w["channel"], "cultivation")
        else:
            day = (START + dt.timedelta(seconds=w["frac"] * SPAN)).replace(hour=0, minute=0, second=0)
            add(day + dt.timedelta(seconds=r.randint(8 * 3600, 18 * 3600)), w["cust"], "survey_sent", "",
                r.choice(["email", "app", "web"]), "cultivation")
    new.sort(key=lambda e: (e["t"], e["customer"], e["kind"]))
    for i, e in enumerate(new):
        e["id"] = "x-%05d" % (i + 1) if r.random() < 0.95 else ""
        e["time"] = e["t"].strftime("%Y-%m-%dT%H:%M:%SZ")
    # Insert each after the last row at or before it (rows is mostly sorted).
    out, k = [], 0
    for e in rows:
        while k < len(new) and new[k]["t"] < e["t"]:
            out.append(new[k])
            k += 1
        out.append(e)
    out.extend(new[k:])
    return out


def write_csv(path, header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        w.writerow(row)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())


def sample_events(path):
    g = Gen(SEED)
    for i in range(1, N_CUSTOMERS + 1):
        g.customer(i)
    rows = extras(g, g.rows())
    write_csv(path, COLUMNS, [[e[c] for c in COLUMNS] for e in rows])
    return rows


# with_errors.csv: the first column is the event id, so a reader of the file
# can find each row in examples/data/README.md. Each bad row breaks exactly
# one rule of docs/events.md, a different one each time.
ERR_COLUMNS = ["id", "time", "customer", "kind", "value", "channel", "stage",
               "segment", "ref", "dimension"]
ERR_ROWS = [
    # id,      time,                        customer, kind,  value, channel, stage, segment, ref, dimension
    ["w-01", "2026-03-02T09:15:00Z", "c-0001", "nps", "9", "email", "cultivation", "consumer", "", ""],
    ["w-02", "2026-03-02T10:02:00Z", "c-0002", "nps", "6", "app", "cultivation", "smb", "", ""],
    ["w-03", "2026-03-02T10:30:00Z", "c-0003", "csat", "4", "web", "discovery", "consumer", "", ""],
    ["w-04", "2026-03-02T11:00:00Z", "c-0004", "nsp", "8", "email", "", "consumer", "", ""],          # BAD: unknown kind
    ["w-05", "2026-03-02T11:20:00Z", "c-0005", "contact_open", "", "phone", "interaction", "smb", "t-9001", ""],
    ["w-06", "2026-03-02T11:21:30Z", "c-0005", "contact_reply", "", "phone", "interaction", "smb", "t-9001", ""],
    ["w-07", "2026-03-02T12:00:00Z", "c-0006", "nps", "11", "email", "cultivation", "consumer", "", ""],  # BAD: value out of range
    ["w-08", "2026-03-02T13:05:00+01:00", "c-0005", "contact_resolve", "", "phone", "interaction", "smb", "t-9001", ""],
    ["w-09", "2026-03-02T14:00:00Z", "c-0007", "csat", "five", "chat", "interaction", "consumer", "", ""],  # BAD: value not a number
    ["w-10", "2026-03-02T14:10:00Z", "c-0005", "internal", "88.5", "phone", "interaction", "smb", "t-9001", ""],
    ["w-11", "2026-03-02T14:40:00Z", "c-0005", "csat", "3", "phone", "interaction", "smb", "t-9001", ""],
    ["w-12", "2026-02-30T09:00:00Z", "c-0008", "nps", "7", "web", "", "consumer", "", ""],          # BAD: no 30 February
    ["w-13", "2026-03-03T09:00:00Z", "", "nps", "10", "email", "", "consumer", "", ""],             # BAD: customer missing
    ["w-14", "2026-03-03T09:30:00Z", "acme, inc", "purchase", "1299.00", "store", "purchase", "enterprise", "", ""],
    ["w-15", "2026-03-03T10:00:00Z", "c-0009", "ces", "6", "chat", "interaction", "consumer", "", ""],
    ["w-16", "2026-03-03T10:30:00Z", "c-0010", "complaint", "3", "social", "use", "consumer", "", ""],  # BAD: value for a kind that takes none
    ["w-17", "2026-03-03T11:00:00Z", "c-0011", "ces", "2", "E Mail", "interaction", "smb", "", ""],    # BAD: channel token not [a-z0-9_-]
    ["w-18", "2026-03-03T11:30:00Z", "c-0012", "purchase", "49.90", "kiosk", "purchase", "consumer", "", ""],
    ["w-19", "2026-03-03T12:00:00Z", "c-0013", "csat", "5", "store", "checkout", "consumer", "", ""],  # BAD: unknown stage
    ["w-20", "2026-03-03T12:30:00Z", "c-0014", "expectation", "6", "email", "use", "smb", "", "reliability"],
    ["w-21", "2026-03-03T12:30:20Z", "c-0014", "perception", "5", "email", "use", "smb", "", "friendliness"],  # BAD: unknown dimension
    ["w-22", "2026-03-03T13:00:00Z", "c-0015", "contact_open", "", "email", "interaction", "consumer", "", ""],  # BAD: contact without ref
    ["w-23", "2026-03-03T13:30:00Z", "c-0016", "compliment", "", "email", "use", "consumer", "", ""],
    ["w-24", "2026-03-03T14:00:00Z", "c-" + "x" * 127, "nps", "8", "web", "", "consumer", "", ""],  # BAD: customer id 129 bytes
    ["w-25", "2026-03-03T14:30:00Z", "c-0017", "churn", "", "phone", "use", "smb", "", ""],
    ["w-03", "2026-03-02T10:30:00Z", "c-0003", "csat", "4", "web", "discovery", "consumer", "", ""],    # duplicate of w-03 (not an error)
    ["w-27", "2026-03-04T09:00:00Z", "c-0018", "purchase", "-20.00", "web", "purchase", "consumer", "", ""],  # BAD: negative amount
    ["w-28", "1712131200", "c-0019", "nps", "10", "app", "advocacy", "consumer", "", ""],
    ["w-29", "2026-03-04T10:00:00Z", "c-0020", "csat", "4", "chat", "interaction", "consumer", "", "", "extra"],  # BAD: 11 fields
    ["w-30", "2026-03-04T10:30:00Z", "c-0020", "ces", "5", "chat", "interaction", "consumer", "", ""],
]


def with_errors(path):
    write_csv(path, ERR_COLUMNS, ERR_ROWS)


NAMED_CHANNELS = {"email", "phone", "chat", "web", "store", "social", "app"}
STAGES = {"", "awareness", "discovery", "attraction", "interaction",
          "purchase", "use", "cultivation", "advocacy"}
RANGES = {"nps": (0, 10, True), "csat": (1, 5, True), "ces": (1, 7, True),
          "internal": (0, 100, False), "expectation": (1, 7, True),
          "perception": (1, 7, True), "purchase": (0, float("inf"), False)}
NO_VALUE = {"contact_open", "contact_reply", "contact_resolve", "contact_reopen", "contact_transfer", "followup",
            "survey_sent", "complaint",
            "compliment", "churn"}


def row_problem(row):
    """Why a row breaks docs/events.md, or None. An independent re-reading
    of the rules, used to prove sample_events.csv has no bad row."""
    import re
    if len(row) != len(COLUMNS):
        return "column count"
    e = dict(zip(COLUMNS, row))
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)", e["time"])
    if not m and not re.fullmatch(r"\d{1,12}", e["time"]):
        return "time"
    try:
        if not m:
            e["time"] = dt.datetime.fromtimestamp(int(e["time"]), dt.timezone.utc).isoformat()
        dt.datetime.fromisoformat(e["time"].replace("Z", "+00:00"))
    except ValueError:
        return "time"
    if not 1 <= len(e["customer"].encode()) <= 128:
        return "customer"
    k = e["kind"]
    if k in RANGES:
        lo, hi, integer = RANGES[k]
        if not re.fullmatch(r"\d+(\.\d+)?", e["value"]):
            return "value"
        v = float(e["value"])
        if not lo <= v <= hi or (integer and v != int(v)):
            return "value"
    elif k in NO_VALUE:
        if e["value"] != "":
            return "value"
    else:
        return "kind"
    if e["channel"] and e["channel"] not in NAMED_CHANNELS and not re.fullmatch(r"[a-z0-9_-]{1,32}", e["channel"]):
        return "channel"
    if e["stage"] not in STAGES:
        return "stage"
    if len(e["segment"].encode()) > 64:
        return "segment"
    if k in ("expectation", "perception") and e["dimension"] not in DIMENSIONS:
        return "dimension"
    if (k.startswith("contact_") or k == "followup") and not e["ref"]:
        return "ref"
    if len(e["ref"].encode()) > 128 or len(e["id"].encode()) > 128:
        return "ref/id"
    return None


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "examples", "data")
    os.makedirs(out, exist_ok=True)
    rows = sample_events(os.path.join(out, "sample_events.csv"))
    with_errors(os.path.join(out, "with_errors.csv"))
    with open(os.path.join(out, "sample_events.csv"), encoding="utf-8", newline="") as f:
        bad = [(i + 2, p) for i, r in enumerate(list(csv.reader(f))[1:])
               for p in [row_problem(r)] if p]
    if bad:
        sys.exit("sample_events.csv has bad rows: %r" % bad[:10])
    with open(os.path.join(out, "with_errors.csv"), encoding="utf-8", newline="") as f:
        for i, r in enumerate(list(csv.reader(f))[1:]):
            print("with_errors.csv:%d: %s %s" % (i + 2, r[0], row_problem(r) or "ok"), file=sys.stderr)
    kinds = {}
    for e in rows:
        kinds[e["kind"]] = kinds.get(e["kind"], 0) + 1
    print("sample_events.csv: %d rows, %d customers; %s" % (
        len(rows), len({e["customer"] for e in rows}),
        ", ".join("%s %d" % kv for kv in sorted(kinds.items()))), file=sys.stderr)


if __name__ == "__main__":
    main()
