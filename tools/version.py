#!/usr/bin/env python3
"""Print the version of include/cxm/common.h ("0.1.0"), the one place it is
written: meson.build's project() and the Python package read it here.

usage: tools/version.py [HEADER]
"""
import os
import re
import sys


def read(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    parts = []
    for part in ("MAJOR", "MINOR", "PATCH"):
        m = re.search(r"^#define CXM_VERSION_" + part + r" +([0-9]+)\s*$", text, re.M)
        if m is None:
            raise ValueError(f"{path}: no CXM_VERSION_{part}")
        parts.append(str(int(m.group(1))))
    return ".".join(parts)


if __name__ == "__main__":
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        print(read(sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "include", "cxm", "common.h")))
    except (OSError, ValueError) as e:
        sys.exit(f"version.py: {e}")
