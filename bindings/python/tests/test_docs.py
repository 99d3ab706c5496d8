"""Every public name of the package has a docstring: the names in
cxm.__all__, and the public methods and properties of its classes."""

import inspect
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


if __name__ == "__main__":
    unittest.main()
