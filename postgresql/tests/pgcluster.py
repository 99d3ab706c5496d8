"""Throwaway PostgreSQL clusters for the tests and the benchmark of the cxm
extension (docs/postgresql.md).

A cluster is initdb'd in a temporary directory, owned by an unprivileged
user when run as root (PostgreSQL refuses to run as root: the `postgres`
user of the Debian packages, or CXM_PG_USER), with its Unix socket in that
directory and a free port on 127.0.0.1. `Clusters` stops and removes every
cluster it made on exit, on failure and on SIGTERM/SIGINT too.
"""

import atexit
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile


def pg_config(what):
    exe = os.environ.get("PG_CONFIG", "pg_config")
    return subprocess.run([exe, "--" + what], check=True, capture_output=True, text=True).stdout.strip()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_as_user():
    """The user the servers run as: None when we are not root."""
    if os.getuid() != 0:
        return None
    name = os.environ.get("CXM_PG_USER", "postgres")
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", name], check=True)
    return name


def install_extension(module):
    """Copies cxm.so, cxm.control and cxm--0.1.sql into the server's own
    directories (PostgreSQL 15 has no extension search path; needs write
    access there, i.e. root on Debian)."""
    here = os.path.dirname(os.path.abspath(__file__))
    src = os.path.dirname(here)
    pkglib = pg_config("pkglibdir")
    ext = os.path.join(pg_config("sharedir"), "extension")
    shutil.copyfile(module, os.path.join(pkglib, "cxm.so.tmp"))
    os.chmod(os.path.join(pkglib, "cxm.so.tmp"), 0o755)
    os.replace(os.path.join(pkglib, "cxm.so.tmp"), os.path.join(pkglib, "cxm.so"))
    for name in ("cxm.control", "cxm--0.1.sql"):
        shutil.copyfile(os.path.join(src, name), os.path.join(ext, name))


class Cluster:
    def __init__(self, root, name, user, conf=""):
        self.dir = os.path.join(root, name)
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.user = user
        self.bindir = pg_config("bindir")
        os.makedirs(self.dir)
        if user:
            pw = pwd.getpwnam(user)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self._as_user([os.path.join(self.bindir, "initdb"), "-D", self.data, "-A", "trust", "-U", "postgres",
                       "--no-sync", "-E", "UTF8", "--locale=C"], quiet=True)
        with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
            f.write("listen_addresses = '127.0.0.1'\n")
            f.write("port = %d\n" % self.port)
            f.write("unix_socket_directories = '%s'\n" % self.dir)
            f.write("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
            f.write("max_worker_processes = 16\nmax_parallel_workers = 8\n")
            f.write("shared_buffers = 256MB\nlog_min_messages = warning\n")
            f.write(conf)
        self.started = False

    def _as_user(self, argv, quiet=False):
        if self.user:
            argv = ["runuser", "-u", self.user, "--"] + argv
        r = subprocess.run(argv, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("%s failed (%d):\n%s%s" % (argv, r.returncode, r.stdout, r.stderr))
        return r.stdout

    def start(self):
        argv = [os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-l", os.path.join(self.dir, "log"),
                "-w", "-t", "120", "start"]
        self._as_user(argv)
        self.started = True

    def stop(self):
        if self.started:
            argv = [os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-m", "immediate", "-w", "stop"]
            if self.user:
                argv = ["runuser", "-u", self.user, "--"] + argv
            subprocess.run(argv, capture_output=True)
            self.started = False

    def log(self):
        try:
            with open(os.path.join(self.dir, "log")) as f:
                return f.read()
        except OSError:
            return ""

    def psql(self, sql, db="postgres", check=True, stdin=None):
        """Runs SQL with psql (unaligned, tuples only); returns stdout, or
        (returncode, stdout, stderr) when check is False."""
        argv = [os.path.join(self.bindir, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                "-h", self.dir, "-p", str(self.port), "-U", "postgres", "-d", db, "-c", sql]
        r = subprocess.run(argv, capture_output=True, text=True, input=stdin)
        if check:
            if r.returncode != 0:
                raise RuntimeError("psql failed on:\n%s\n%s" % (sql[:2000], r.stderr))
            return r.stdout
        return r.returncode, r.stdout, r.stderr

    def script(self, sql, db="postgres"):
        """Runs several statements (a file given to psql -f)."""
        fd, path = tempfile.mkstemp(suffix=".sql", dir=self.dir)
        with os.fdopen(fd, "w") as f:
            f.write(sql)
        os.chmod(path, 0o644)
        argv = [os.path.join(self.bindir, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                "-h", self.dir, "-p", str(self.port), "-U", "postgres", "-d", db, "-f", path]
        r = subprocess.run(argv, capture_output=True, text=True)
        os.unlink(path)
        if r.returncode != 0:
            raise RuntimeError("psql script failed:\n%s" % r.stderr)
        return r.stdout


class Clusters:
    """Makes clusters under one temporary directory and removes them all at
    exit, on an exception or on SIGTERM/SIGINT (meson test's timeout)."""

    def __init__(self, prefix="cxm-pg-"):
        self.user = run_as_user()
        self.root = tempfile.mkdtemp(prefix=prefix)
        os.chmod(self.root, 0o755)
        self.clusters = []
        atexit.register(self.cleanup)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum, frame):
        self.cleanup()
        sys.exit(128 + signum)

    def new(self, name, conf=""):
        c = Cluster(self.root, name, self.user, conf)
        self.clusters.append(c)
        return c

    def cleanup(self):
        for c in self.clusters:
            try:
                c.stop()
            except Exception:  # keep stopping the others
                pass
        self.clusters = []
        if self.root and os.path.isdir(self.root):
            shutil.rmtree(self.root, ignore_errors=True)
        self.root = None
