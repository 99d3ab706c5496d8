"""Every public name of the package has a docstring: the names in
cxm.__all__, and the public methods and properties of its classes."""

import inspect
import os
import re
import unittest

import cxm


def undocumented() -> list:
    missing = []
    for name in cxm.__all__:
        obj = getattr(cxm, name)
        if not (inspect.getdoc(obj) or "").strip():
            missing.append(name)
        if not inspect.isclass(obj):
            continue
        for attr, member in vars(obj).items():
            if attr.startswith("_") or not (inspect.isfunction(member) or isinstance(member, (property, classmethod,
                                                                                             staticmethod))):
                continue
            fn = member.fget if isinstance(member, property) else getattr(member, "__func__", member)
            if not (fn.__doc__ or "").strip():
                missing.append(f"{name}.{attr}")
    return missing


class Docstrings(unittest.TestCase):
    def test_every_public_name_has_a_docstring(self):
        self.assertEqual(undocumented(), [])

    def test_the_check_sees_a_missing_docstring(self):
        class Bare:
            def method(self):
                pass
        cxm.Bare = Bare
        cxm.__all__.append("Bare")
        try:
            self.assertEqual(undocumented(), ["Bare", "Bare.method"])
        finally:
            cxm.__all__.remove("Bare")
            del cxm.Bare

    def test_exceptions_are_builtin_ones_too(self):
        for status, base in ((-8, ValueError), (-6, ValueError), (-29, KeyError), (-21, OSError), (-38, OSError), (-37, ValueError)):
            e = cxm.CxmError(status)
            self.assertIsInstance(e, cxm.CxmError)
            self.assertIsInstance(e, base)
            self.assertEqual(e.status, status)
        e = cxm.CxmError(-21, "x", errno=2, filename="f.csv")
        self.assertIsInstance(e, FileNotFoundError)
        self.assertEqual((e.errno, e.filename), (2, "f.csv"))
        self.assertIs(type(cxm.CxmError(-24)), cxm.CxmError)  # a closed store: none of them
        self.assertEqual(str(cxm.CxmError(-29, "no such column")), "CXM_E_NOT_FOUND: no such column")


ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")


def not_wrapped_list(binding: str) -> set:
    """The backticked cxm_ names of docs/bindings.md, "### BINDING: not wrapped"."""
    text = open(os.path.join(ROOT, "docs", "bindings.md"), encoding="utf-8").read()
    start = text.index(f"### {binding}: not wrapped")
    end = min(i for i in (text.find("\n## ", start), text.find("\n### ", start + 1), len(text)) if i >= 0)
    return set(re.findall(r"`(cxm_[a-z0-9_]+)`", text[start:end]))


class Coverage(unittest.TestCase):
    def test_every_exported_function_is_wrapped_or_listed(self):
        from cxm import _lib
        path = os.path.join(ROOT, "tests", "exports", "expected.txt")
        exported = {line.strip() for line in open(path) if line.strip() and not line.startswith("#")}
        self.assertGreater(len(exported), 100)
        wrapped = set(_lib._FUNCTIONS)
        # Modules that declare their own functions (cxm/survival.py) count
        # with the names their sources call, as the Go test reads Go's.
        pkg = os.path.dirname(_lib.__file__)
        for name in os.listdir(pkg):
            if name.endswith(".py") and name != "_lib.py":
                with open(os.path.join(pkg, name)) as fh:
                    wrapped |= set(re.findall(r"\blib\.(cxm_[a-z0-9_]+)", fh.read()))
        listed = not_wrapped_list("Python")
        self.assertEqual(sorted(exported - wrapped - listed), [],
                         "exported by libcxm, neither wrapped nor in docs/bindings.md's not-wrapped list")
        self.assertEqual(sorted(listed & wrapped), [], "wrapped now: remove from the not-wrapped list")
        self.assertEqual(sorted(listed - exported), [], "listed but not exported")

    def test_every_declared_function_is_called(self):
        # A declaration alone is no wrapper: each name of _lib._FUNCTIONS is
        # called somewhere in the package (the accumulator families call
        # theirs through their prefix, cxm_survey_acc + "_merge"...).
        from cxm import _lib
        pkg = os.path.dirname(_lib.__file__)
        text = ""
        for name in os.listdir(pkg):
            if name.endswith(".py"):
                with open(os.path.join(pkg, name)) as fh:
                    text += fh.read()
        prefixes = set(re.findall(r'_prefix, _struct, _max_bytes = "(cxm_[a-z_]+)"', text))
        uncalled = [n for n in _lib._FUNCTIONS
                    if not re.search(r"\." + n + r"\b", text)
                    and not any(n.startswith(p + "_") and n[len(p):] in ("_init", "_merge", "_serialize",
                                                                         "_deserialize") for p in prefixes)]
        self.assertEqual(uncalled, [], "declared in cxm/_lib.py but called nowhere")


if __name__ == "__main__":
    unittest.main()
