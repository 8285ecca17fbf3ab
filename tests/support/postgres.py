"""A throw-away PostgreSQL server for the tests, started from Debian's binaries.

initdb and pg_ctl refuse to run as root, and CI runs as root: then the cluster
is made by the ``postgres`` user, in a directory that user owns. fsync is off
(the data is thrown away) so the server is fast.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class PostgresUnavailable(Exception):
    pass


def find_bin_dir() -> Path | None:
    override = os.environ.get("LE_PG_BIN")
    if override:
        return Path(override)
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if candidates:
        return Path(candidates[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    def __init__(self):
        self.bin = find_bin_dir()
        if self.bin is None or not (self.bin / "initdb").exists():
            raise PostgresUnavailable("PostgreSQL server binaries (initdb, pg_ctl) were not found")
        self.root = Path(tempfile.mkdtemp(prefix="le-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_root = hasattr(os, "geteuid") and os.geteuid() == 0
        self.user = "postgres" if self.as_root else os.environ.get("USER", "postgres")

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = list(args)
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=120)

    def start(self) -> PostgresServer:
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
        os.chmod(self.root, 0o700)
        try:
            self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                      "-E", "UTF8", "--locale=C", "--no-sync")
        except subprocess.CalledProcessError as exc:
            raise PostgresUnavailable(f"initdb failed: {exc.stderr.strip()[-300:]}") from None
        opts = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c full_page_writes=off -c synchronous_commit=off -c max_connections=100")
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l",
                      str(self.root / "log.txt"), "-w", "-t", "60", "start")
        except subprocess.CalledProcessError as exc:
            log = (self.root / "log.txt").read_text(errors="replace")[-500:] if (self.root / "log.txt").exists() else ""
            raise PostgresUnavailable(f"pg_ctl start failed: {exc.stderr.strip()[-300:]} {log}") from None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        raise PostgresUnavailable("PostgreSQL did not start accepting connections")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop", check=False)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
