#!/usr/bin/env python3
"""Run the binding's unittest suite (meson test --suite python).

Usage: run.py SAMPLE_CSV [--pattern GLOB] [--sanitize]

Environment: CXM_LIBRARY (path of libcxm.so) and CXM_EXE (the cxm command,
whose --json output the parity tests compare with). --sanitize (passed by
meson when libcxm is built with AddressSanitizer and the compiler does not
name its runtime, which must then be preloaded) skips the suite with exit
status 77: an ASan-instrumented libcxm cannot be loaded into an
uninstrumented python3 without it ("ASan runtime does not come first in
initial library list").
"""

import os
import sys
import unittest

here = os.path.dirname(os.path.abspath(__file__))


def main() -> int:
    args = sys.argv[1:]
    if "--sanitize" in args:
        print("SKIP: libcxm is built with AddressSanitizer and its runtime was not found to preload; ctypes cannot load it into python3")
        return 77
    pattern = "test_*.py"
    if "--pattern" in args:
        i = args.index("--pattern")
        pattern = args[i + 1]
        del args[i:i + 2]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    os.environ["CXM_SAMPLE"] = os.path.abspath(args[0])
    sys.path.insert(0, os.path.dirname(here))  # the package: bindings/python/cxm
    suite = unittest.defaultTestLoader.discover(here, pattern=pattern, top_level_dir=here)
    print(f"python: {sys.executable} {sys.version.split()[0]}")
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
