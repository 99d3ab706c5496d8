#!/usr/bin/env python3
"""The test of the include-order test: tools/check_includes.py on synthetic
trees passes a tree whose includes point down and fails, naming the line,
each kind of wrong include (up the order, sideways, the command reaching
into the library, a stale path), flat and layered.

usage: test_check_includes.py SOURCE_ROOT
"""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(sys.argv.pop(1) if len(sys.argv) > 1 else ".", "tools"))
import check_includes  # noqa: E402

ORDER = "layers: common < store < ingest | snapshot < cli\n"


def tree(files):
    d = tempfile.TemporaryDirectory()
    for rel, text in files.items():
        p = os.path.join(d.name, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
    return d


GOOD = {
    "src/README.md": "# src\n\n    " + ORDER,
    "include/cxm/store.h": "",
    "src/common/alloc.h": "",
    "src/common/alloc.c": '#include "common/alloc.h"\n',
    "src/store/store_internal.h": '#include "common/alloc.h"\n',
    "src/store/store.c": '#include "cxm/store.h"\n#include "store/store_internal.h"\n#include <stdio.h>\n',
    "src/ingest/reader.c": '#include "store/store_internal.h"\n#include "common/alloc.h"\n',
    "src/snapshot/save.c": '#include "store/store_internal.h"\n',
    "src/cli/args.h": "",
    "src/cli/main.c": '#include "args.h"\n#include "cxm/store.h"\n',
}


class Layered(unittest.TestCase):
    def run_on(self, extra):
        files = dict(GOOD)
        files.update(extra)
        with tree(files) as d:
            problems, _, layered = check_includes.check(d)
        self.assertTrue(layered)
        return problems

    def test_a_tree_that_points_down_passes(self):
        self.assertEqual(self.run_on({}), [])

    def test_an_upward_include_fails(self):
        got = self.run_on({"src/common/alloc.c": '#include "common/alloc.h"\n\n#include "store/store_internal.h"\n'})
        self.assertEqual(len(got), 1)
        self.assertIn("src/common/alloc.c:3: #include \"store/store_internal.h\": points up, common may not use store",
                      got[0])

    def test_an_upward_include_fails_the_command(self):
        files = dict(GOOD)
        files["src/store/store.c"] += '#include "ingest/reader.h"\n'
        files["src/ingest/reader.h"] = ""
        with tree(files) as d:
            self.assertEqual(check_includes.main(["--root", d]), 1)
            del files["src/store/store.c"]
        with tree(GOOD) as d:
            self.assertEqual(check_includes.main(["--root", d]), 0)

    def test_side_by_side_layers_may_not_meet(self):
        got = self.run_on({"src/snapshot/load.c": '#include "ingest/csv.h"\n', "src/ingest/csv.h": ""})
        self.assertEqual(len(got), 1)
        self.assertIn("side by side", got[0])

    def test_the_command_uses_the_public_api_only(self):
        got = self.run_on({"src/cli/cmd_x.c": '#include "store/store_internal.h"\n'})
        self.assertEqual(len(got), 1)
        self.assertIn("public API only", got[0])

    def test_a_stale_path_fails(self):
        got = self.run_on({"src/ingest/reader.c": '#include "store_internal.h"\n'})
        self.assertEqual(len(got), 1)
        self.assertIn("resolves to no file", got[0])

    def test_a_folder_outside_the_order_fails(self):
        got = self.run_on({"src/extra/x.c": '#include "common/alloc.h"\n'})
        self.assertEqual(len(got), 1)
        self.assertIn("not in the layer order", got[0])

    def test_a_file_left_at_the_root_fails(self):
        got = self.run_on({"src/stray.c": ""})
        self.assertEqual(len(got), 1)
        self.assertIn("in no layer folder", got[0])


class Flat(unittest.TestCase):
    """Before the relayout: src/ is one library layer below src/cli/."""

    FLAT = {
        "tools/relayout/README.src.md": ORDER,
        "src/mem.h": "",
        "src/core.c": '#include "mem.h"\n',
        "src/cli/opts.h": "",
        "src/cli/main.c": '#include "opts.h"\n',
    }

    def test_flat_tree_passes(self):
        with tree(self.FLAT) as d:
            problems, _, layered = check_includes.check(d)
        self.assertFalse(layered)
        self.assertEqual(problems, [])

    def test_flat_library_may_not_use_the_command(self):
        files = dict(self.FLAT)
        files["src/core.c"] += '#include "cli/opts.h"\n'
        with tree(files) as d:
            problems, _, _ = check_includes.check(d)
        self.assertEqual(len(problems), 1)
        self.assertIn("points up", problems[0])

    def test_flat_command_may_not_use_the_library(self):
        files = dict(self.FLAT)
        files["src/cli/main.c"] += '#include "../mem.h"\n'
        with tree(files) as d:
            problems, _, _ = check_includes.check(d)
        self.assertEqual(len(problems), 1)
        self.assertIn("public API only", problems[0])


if __name__ == "__main__":
    unittest.main(verbosity=2)
