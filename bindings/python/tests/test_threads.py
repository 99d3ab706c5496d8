"""One Store shared by threads (docs/bindings.md, "Threads"): close() waits
for the calls in flight, each record() uses its own structs, writers are
serialised and readers run together; and the input checks that keep a
Python value from wrapping or being cut on its way into C (codes out of
the 32/64-bit range, NUL bytes in paths and ids)."""

import os
import tempfile
import threading
import time
import unittest

import cxm

T0 = 1735725600  # 2025-01-01T10:00:00Z


def write_events(path, rows):
    with open(path, "w") as f:
        f.write("time,customer,kind,value,channel\n")
        for i in range(rows):
            f.write(f"{T0 + i},c{i % 5000},nps,{i % 11},email\n")


class CloseWhileCalling(unittest.TestCase):
    ROWS = 60000

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.path = os.path.join(cls.dir.name, "events.csv")
        write_events(cls.path, cls.ROWS)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def test_close_during_ingest(self):
        # Each round closes the store from this thread while another one
        # ingests. The ingest either ran whole (close waited for it) or
        # found the store closed; never a crash, never a partial result.
        waited = closed_first = 0
        for rnd in range(30):
            s = cxm.Store()
            out = {}

            def ingest():
                try:
                    out["result"] = s.ingest(self.path)
                except cxm.CxmError as e:
                    out["error"] = e
                out["end"] = time.monotonic()

            t = threading.Thread(target=ingest)
            t.start()
            time.sleep(0.0005 * (rnd % 10))
            began = time.monotonic()
            s.close()
            ended = time.monotonic()
            t.join()
            if "result" in out:
                self.assertEqual(out["result"].events, self.ROWS)
                if began < out["end"]:
                    # close() was called while ingest() ran: it returned
                    # only after ingest() had.
                    self.assertGreaterEqual(ended, out["end"])
                    waited += 1
            else:
                self.assertEqual(out["error"].name, "CXM_E_STATE")
                closed_first += 1
            with self.assertRaises(cxm.CxmError) as cm:
                s.nps()
            self.assertEqual(cm.exception.name, "CXM_E_STATE")
            s.close()  # close after close: nothing
        self.assertGreater(waited, 0, "no round closed the store during an ingest")

    def test_close_during_churn_and_queries(self):
        s = cxm.Store()
        s.ingest(self.path)
        errors, counts = [], {"churn": 0, "query": 0, "closed": 0}
        start = threading.Barrier(5)

        def churn():
            start.wait()
            while True:
                try:
                    self.assertEqual(len(s.churn().customers) >= 0, True)
                    counts["churn"] += 1
                except cxm.CxmError as e:
                    if e.name != "CXM_E_STATE":
                        errors.append(e)
                    counts["closed"] += 1
                    return

        def query():
            start.wait()
            while True:
                try:
                    self.assertEqual(s.nps(channel="email").n, self.ROWS)
                    s.groups("channel")
                    counts["query"] += 1
                except cxm.CxmError as e:
                    if e.name != "CXM_E_STATE":
                        errors.append(e)
                    counts["closed"] += 1
                    return

        threads = [threading.Thread(target=churn) for _ in range(2)] + [threading.Thread(target=query) for _ in range(2)]
        for t in threads:
            t.start()
        start.wait()
        time.sleep(0.3)
        s.close()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(counts["closed"], 4)  # every thread saw the store closed, none crashed
        self.assertGreater(counts["query"], 0)


class ParallelRecord(unittest.TestCase):
    def test_four_writers_keep_every_event(self):
        # Each thread writes its own customers, channel and value: an event
        # carrying another thread's field would show in the per-channel
        # counts below.
        per_thread, threads_n = 20000, 4
        errors = []
        with cxm.Store() as s:
            start = threading.Barrier(threads_n)

            def writer(k):
                start.wait()
                try:
                    for i in range(per_thread):
                        fresh = s.record(f"t{k}-c{i % 500}", T0 + i, "nps", k + 6, channel=f"thread{k}",
                                         id=f"t{k}-e{i}")
                        if not fresh:
                            errors.append(("duplicate", k, i))
                except Exception as e:  # noqa: BLE001 - any exception is the failure
                    errors.append(e)

            ts = [threading.Thread(target=writer, args=(k,)) for k in range(threads_n)]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            self.assertEqual(errors, [])
            st = s.stats()
            self.assertEqual(st.events, per_thread * threads_n)
            self.assertEqual(st.duplicates, 0)
            self.assertEqual(st.customers, 500 * threads_n)
            for k in range(threads_n):
                r = s.nps(channel=f"thread{k}")
                self.assertEqual(r.n, per_thread)
                # value k + 6: 6 is a detractor, 7 and 8 passives, 9 a promoter
                want = {6: (0, 0, per_thread), 7: (0, per_thread, 0), 8: (0, per_thread, 0),
                        9: (per_thread, 0, 0)}[k + 6]
                self.assertEqual((r.promoters, r.passives, r.detractors), want)

    def test_readers_beside_a_writer(self):
        with cxm.Store() as s:
            s.record("seed", T0, "nps", 10, channel="email")
            stop = threading.Event()
            errors = []

            def reader():
                while not stop.is_set():
                    try:
                        n = s.nps().n
                        g = s.groups("channel")
                        if n < 1 or not g:
                            errors.append(("empty", n, len(g)))
                    except Exception as e:  # noqa: BLE001
                        errors.append(e)

            rs = [threading.Thread(target=reader) for _ in range(3)]
            for t in rs:
                t.start()
            for i in range(5000):
                s.record(f"c{i}", T0 + i, "csat", 1 + i % 5, channel=f"ch{i % 50}")
            stop.set()
            for t in rs:
                t.join()
            self.assertEqual(errors, [])
            self.assertEqual(s.stats().events, 5001)
            self.assertEqual(len(s.groups("channel")), 51)


class NoWrapNoCut(unittest.TestCase):
    def assertStatus(self, name, fn, *args, **kw):
        with self.assertRaises(cxm.CxmError) as cm:
            fn(*args, **kw)
        self.assertEqual(cm.exception.name, name)

    def test_codes_out_of_range_raise(self):
        with cxm.Store() as s:
            t = T0
            self.assertStatus("CXM_E_KIND", s.record, "a", t, 2**32, 9)  # would be kind 0, nps
            self.assertStatus("CXM_E_KIND", s.record, "a", t, -(2**31) - 1, 9)
            self.assertStatus("CXM_E_CHANNEL", s.record, "a", t, "nps", 9, channel=2**32 + 1)  # would be email
            self.assertStatus("CXM_E_STAGE", s.record, "a", t, "nps", 9, stage=2**32)
            self.assertStatus("CXM_E_SEGMENT", s.record, "a", t, "nps", 9, segment=2**32)
            self.assertStatus("CXM_E_DIMENSION", s.record, "a", t, "expectation", 3, dimension=2**32 + 1)
            self.assertStatus("CXM_E_VALUE", s.record, "a", t, "purchase", 10**400)  # float() overflows
            self.assertEqual(s.stats().events, 0)
            s.record("a", t, "nps", 9, channel=1)
            self.assertStatus("CXM_E_CHANNEL", s.nps, channel=2**32 + 1)
            self.assertStatus("CXM_E_SEGMENT", s.nps, segment=2**33)
            self.assertStatus("CXM_E_STAGE", s.nps, stage=2**32)
            self.assertStatus("CXM_E_OPTION", s.service, sla_target_seconds=2**64 + 3600)
            self.assertEqual(s.nps(channel=1).n, 1)  # in range still works
        self.assertStatus("CXM_E_OPTION", cxm.Store, bucket_seconds=2**64 + 86400)  # would be one day
        self.assertStatus("CXM_E_OPTION", cxm.Store, bucket_seconds=-(2**63) - 1)
        with cxm.Store(bucket_seconds=3600) as s:
            s.record("a", T0, "nps", 9)
            self.assertEqual(s.nps(start=T0 - T0 % 3600).n, 1)

    def test_nul_bytes_are_refused(self):
        with cxm.Store() as s, tempfile.TemporaryDirectory() as d:
            good = os.path.join(d, "e.csv")
            write_events(good, 3)
            # Cut at the NUL, the path would name the readable good file.
            self.assertStatus("CXM_E_IO", s.ingest, good + "\0.jsonl")
            self.assertStatus("CXM_E_IO", s.ingest, good + "\0x")
            self.assertStatus("CXM_E_CUSTOMER", s.record, "a\0b", T0, "nps", 9)
            self.assertStatus("CXM_E_CUSTOMER", s.record, b"\0", T0, "nps", 9)
            self.assertStatus("CXM_E_EVENT_ID", s.record, "a", T0, "nps", 9, id="e\0")
            self.assertStatus("CXM_E_REF", s.record, "a", T0, "contact_open", ref="r\0x")
            self.assertEqual(s.stats().events, 0)
            self.assertEqual(s.ingest(good).events, 3)


if __name__ == "__main__":
    unittest.main()
