"""`pip install` of the package works offline with every Python at hand:
the build backend (_build/cxm_backend.py) needs only the standard library,
so neither setuptools nor `wheel` nor an index is needed. The command is the
one docs/bindings.md gives:

    python3 -m pip install --no-build-isolation --no-index --target DIR bindings/python

It is run with the interpreter running this suite, the `python3` on PATH
(pyenv's here) and /usr/bin/python3, plus any listed in $CXM_TEST_PYTHONS
(os.pathsep-separated); an interpreter without pip is skipped, saying so.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_ROOT = os.path.dirname(HERE)  # bindings/python
sys.path.insert(0, os.path.join(PACKAGE_ROOT, "_build"))
import cxm_backend  # noqa: E402


def interpreters():
    """Distinct interpreters, by the sys.executable each reports."""
    names = [sys.executable, shutil.which("python3"), "/usr/bin/python3"]
    names += [p for p in os.environ.get("CXM_TEST_PYTHONS", "").split(os.pathsep) if p]
    seen, out = set(), []
    for name in names:
        if not name or not os.path.exists(name):
            continue
        try:
            real = subprocess.run([name, "-c", "import sys; print(sys.executable)"], check=True,
                                  stdout=subprocess.PIPE, universal_newlines=True, timeout=60).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            continue
        key = os.path.realpath(real)
        if key not in seen:
            seen.add(key)
            out.append(real)
    return out


CHECK = r"""
import os, sys, cxm
assert os.path.dirname(cxm.__file__) == os.path.join(sys.argv[1], "cxm"), cxm.__file__
assert os.path.exists(os.path.join(sys.argv[1], "cxm", "py.typed"))
with cxm.Store() as s:
    s.record("a", "2025-01-01T10:00:00Z", "nps", 10)
    s.record("b", "2025-01-01T10:00:00Z", "nps", 2)
    assert s.nps().score == 0.0, s.nps()
    assert [c.customer for c in s.churn().customers] == ["b", "a"]
print(cxm.version())
"""


class PipInstall(unittest.TestCase):
    def test_offline_install_with_each_interpreter(self):
        pythons = interpreters()
        self.assertTrue(pythons)
        want_version = subprocess.run([sys.executable, "-c", "import cxm; print(cxm.version())"], check=True,
                                      stdout=subprocess.PIPE, universal_newlines=True,
                                      env={**os.environ, "PYTHONPATH": PACKAGE_ROOT}).stdout.strip()
        for py in pythons:
            with self.subTest(python=py):
                pip = subprocess.run([py, "-m", "pip", "--version"], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, universal_newlines=True)
                if pip.returncode != 0:
                    self.skipTest(f"pip is not installed for {py}: cannot test `pip install` with it")
                with tempfile.TemporaryDirectory() as tmp:
                    # A copy: the build then cannot touch (or race on) the source tree.
                    # It keeps the tree's shape, with the header the version is read from.
                    src = os.path.join(tmp, "src", "bindings", "python")
                    shutil.copytree(PACKAGE_ROOT, src, ignore=shutil.ignore_patterns("__pycache__", "tests"))
                    header = os.path.join(PACKAGE_ROOT, os.pardir, os.pardir, "include", "cxm", "common.h")
                    os.makedirs(os.path.join(tmp, "src", "include", "cxm"))
                    shutil.copy(header, os.path.join(tmp, "src", "include", "cxm", "common.h"))
                    target = os.path.join(tmp, "site")
                    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PIP_REQUIRE_VIRTUALENV")}
                    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
                    r = subprocess.run([py, "-m", "pip", "install", "--no-build-isolation", "--no-index", "--target",
                                        target, src], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                       universal_newlines=True, env=env, cwd=tmp, timeout=300)
                    self.assertEqual(r.returncode, 0, f"{py} -m pip install failed:\n{r.stdout}")
                    dist = sorted(d for d in os.listdir(target) if d.endswith(".dist-info"))
                    self.assertEqual(dist, ["cxm-0.1.0.dist-info"])
                    self.assertFalse(os.path.exists(os.path.join(target, "tests")))
                    r = subprocess.run([py, "-c", CHECK, target], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                       universal_newlines=True, env={**env, "PYTHONPATH": target}, cwd=tmp,
                                       timeout=120)
                    self.assertEqual(r.returncode, 0, f"{py}: the installed package fails:\n{r.stdout}")
                    self.assertEqual(r.stdout.strip().splitlines()[-1], want_version)

    def test_wheel_contents(self):
        import zipfile
        with tempfile.TemporaryDirectory() as tmp:
            name = cxm_backend.build_wheel(tmp)
            self.assertEqual(name, "cxm-0.1.0-py3-none-any.whl")
            with zipfile.ZipFile(os.path.join(tmp, name)) as z:
                names = set(z.namelist())
                record = z.read("cxm-0.1.0.dist-info/RECORD").decode().splitlines()
                meta = z.read("cxm-0.1.0.dist-info/METADATA").decode()
            self.assertEqual(names, {"cxm/__init__.py", "cxm/_frames.py", "cxm/_lib.py", "cxm/survival.py", "cxm/py.typed",
                                     "cxm-0.1.0.dist-info/METADATA",
                                     "cxm-0.1.0.dist-info/WHEEL", "cxm-0.1.0.dist-info/top_level.txt",
                                     "cxm-0.1.0.dist-info/RECORD"})
            self.assertEqual({line.split(",")[0] for line in record}, names)
            self.assertIn("Name: cxm\nVersion: 0.1.0\n", meta)
            self.assertIn("Requires-Python: >=3.8", meta)
            sdist = cxm_backend.build_sdist(tmp)
            self.assertEqual(sdist, "cxm-0.1.0.tar.gz")

    def test_pyproject_parser_agrees_with_tomllib(self):
        try:
            import tomllib
        except ImportError:
            self.skipTest("tomllib needs Python 3.11")
        with open(os.path.join(PACKAGE_ROOT, "pyproject.toml"), "rb") as f:
            data = f.read()
        self.assertEqual(cxm_backend.parse_project(data.decode()), tomllib.loads(data.decode())["project"])


if __name__ == "__main__":
    unittest.main()
