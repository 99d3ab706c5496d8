"""The build backend of the cxm Python package (PEP 517, with PEP 660
editable installs), made of the standard library only.

The package is pure Python (ctypes over libcxm), so building it only means
zipping cxm/ with its metadata. setuptools cannot do that everywhere: before
version 70.1 it needs the separate `wheel` package for bdist_wheel, which an
offline interpreter may lack (pyenv's 3.11 here has setuptools 65.5 and no
wheel). This backend needs nothing, so

    pip install --no-build-isolation --no-index bindings/python

works with any pip >= 19 and no network. pyproject.toml points at it with
`build-backend = "cxm_backend"` and `backend-path = ["_build"]`; the
metadata (name, ...) is read from pyproject.toml's [project] table, the
single place it is written, and the version from include/cxm/common.h.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "cxm"
_DATE = (1980, 1, 1, 0, 0, 0)  # fixed zip times: the same sources give the same wheel


# ---- pyproject.toml --------------------------------------------------------

_STRING = r'"((?:[^"\\]|\\.)*)"'


def _unquote(s: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s)


def parse_project(text: str) -> dict:
    """The [project] table of pyproject.toml, for the forms this file uses:
    `key = "string"`, `key = ["string", ...]` (over several lines too) and
    `key = {key = "string", ...}`. tomllib exists only from Python 3.11; the
    test suite checks this parser against it there."""
    project: dict = {}
    section = None
    lines = iter(text.splitlines())
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[]").strip()
            continue
        if section != "project":
            continue
        key, _, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if value.startswith("["):
            while not value.rstrip().endswith("]"):
                value += " " + next(lines).strip()
            project[key] = [_unquote(m) for m in re.findall(_STRING, value)]
        elif value.startswith("{"):
            project[key] = {k: _unquote(v) for k, v in re.findall(r"([A-Za-z0-9_-]+)\s*=\s*" + _STRING, value)}
        else:
            m = re.fullmatch(_STRING + r"\s*(#.*)?", value)
            if m is None:
                raise ValueError(f"pyproject.toml: cannot read [project] {key} = {value}")
            project[key] = _unquote(m.group(1))
    return project


def _version() -> str:
    """The package's version is the library's, written once in
    include/cxm/common.h (as tools/version.py reads it); an sdist, built
    away from the source tree, carries it in its PKG-INFO."""
    header = os.path.join(ROOT, os.pardir, os.pardir, "include", "cxm", "common.h")
    if os.path.exists(header):
        with open(header, encoding="utf-8") as f:
            text = f.read()
        parts = [re.search(r"^#define CXM_VERSION_" + p + r" +([0-9]+)\s*$", text, re.M)
                 for p in ("MAJOR", "MINOR", "PATCH")]
        if None in parts:
            raise ValueError(f"{header}: no CXM_VERSION_MAJOR/MINOR/PATCH")
        return ".".join(str(int(m.group(1))) for m in parts)
    with open(os.path.join(ROOT, "PKG-INFO"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("Version: "):
                return line[len("Version: "):].strip()
    raise ValueError("PKG-INFO: no Version")


def _project() -> dict:
    with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as f:
        project = parse_project(f.read())
    if "version" in project.get("dynamic", []):
        project["version"] = _version()
    return project


def _metadata(project: dict) -> str:
    """Core metadata 2.1 (PKG-INFO / METADATA)."""
    lines = ["Metadata-Version: 2.1", f"Name: {project['name']}", f"Version: {project['version']}"]
    if "description" in project:
        lines.append(f"Summary: {project['description']}")
    if "requires-python" in project:
        lines.append(f"Requires-Python: {project['requires-python']}")
    license = project.get("license")
    if isinstance(license, dict) and "text" in license:
        lines.append(f"License: {license['text']}")
    for c in project.get("classifiers", []):
        lines.append(f"Classifier: {c}")
    body = ""
    readme = project.get("readme")
    if isinstance(readme, str):
        lines.append("Description-Content-Type: text/markdown" if readme.endswith(".md") else
                     "Description-Content-Type: text/plain")
        with open(os.path.join(ROOT, readme), encoding="utf-8") as f:
            body = f.read()
    return "\n".join(lines) + "\n\n" + body


def _names(project: dict) -> tuple:
    name = re.sub(r"[-_.]+", "_", project["name"]).lower()
    return name, project["version"]


# ---- wheels ------------------------------------------------------------------


def _package_files() -> list:
    """(archive name, path) of every file of the package: its modules and
    the py.typed marker, never caches."""
    out = []
    base = os.path.join(ROOT, PACKAGE)
    for d, dirs, files in os.walk(base):
        dirs[:] = sorted(x for x in dirs if x != "__pycache__")
        for f in sorted(files):
            if f.endswith(".py") or f == "py.typed":
                path = os.path.join(d, f)
                out.append((os.path.relpath(path, ROOT).replace(os.sep, "/"), path))
    return out


def _write_wheel(directory: str, entries: list) -> str:
    """Write a wheel holding `entries` ((archive name, bytes)) plus the
    dist-info files; returns its file name."""
    project = _project()
    name, version = _names(project)
    info = f"{name}-{version}.dist-info"
    entries = entries + [
        (f"{info}/METADATA", _metadata(project).encode("utf-8")),
        (f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: cxm_backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
        (f"{info}/top_level.txt", (PACKAGE + "\n").encode()),
    ]
    record = []
    for arcname, data in entries:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{arcname},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    entries.append((f"{info}/RECORD", ("\n".join(record) + "\n").encode()))
    filename = f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(directory, filename), "w", zipfile.ZIP_DEFLATED) as z:
        for arcname, data in entries:
            zi = zipfile.ZipInfo(arcname, _DATE)
            zi.external_attr = 0o644 << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    return filename


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


# ---- the PEP 517 / PEP 660 hooks ---------------------------------------------


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, [(arc, _read(path)) for arc, path in _package_files()])


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    # A .pth file puts this source directory on sys.path: edits take effect
    # without reinstalling.
    name, _ = _names(_project())
    return _write_wheel(wheel_directory, [(f"__editable__.{name}.pth", (ROOT + "\n").encode())])


def build_sdist(sdist_directory, config_settings=None):
    project = _project()
    name, version = _names(project)
    top = f"{name}-{version}"
    files = [("pyproject.toml", os.path.join(ROOT, "pyproject.toml")),
             ("_build/cxm_backend.py", os.path.abspath(__file__))] + _package_files()
    readme = project.get("readme")
    if isinstance(readme, str):
        files.append((readme, os.path.join(ROOT, readme)))
    filename = f"{top}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz", format=tarfile.PAX_FORMAT) as t:
        def add(arcname, data):
            ti = tarfile.TarInfo(f"{top}/{arcname}")
            ti.size = len(data)
            ti.mode = 0o644
            ti.mtime = 315532800  # 1980-01-01, as the wheel's entries
            t.addfile(ti, io.BytesIO(data))
        for arcname, path in files:
            add(arcname, _read(path))
        add("PKG-INFO", _metadata(project).encode("utf-8"))
    return filename
