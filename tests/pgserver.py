"""A throw-away PostgreSQL + PostGIS server for the tests and the benchmarks.

The server runs from Debian's packages (``initdb`` / ``pg_ctl`` of
``/usr/lib/postgresql/<N>/bin``) with its data folder and its Unix socket in a
temporary folder: it listens on no TCP port, so several test sessions on one
machine never meet. PostgreSQL refuses to run as root; under root (CI) every
server command runs as the unprivileged ``postgres`` user through ``runuser``,
and the folders are handed to that user.

Why not pytest-postgresql: its ``postgresql_proc`` runs ``pg_ctl`` as the
current user, which fails under root, and the crash test needs to SIGKILL the
whole server and start it again on the same data folder; both take a few lines
here.

Plain Python (no pytest): ``benchmarks/run.py`` uses it too.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

__all__ = ["PgServer", "find_bindir", "in_ci"]


def in_ci() -> bool:
    """Whether this is a CI run (``CI=true``): a missing server or browser then fails, not skips."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


#: The database every test database is copied from: PostGIS installed, no tables.
TEMPLATE = "atlas_template"


def find_bindir() -> Path | None:
    """The folder of ``pg_ctl`` with PostGIS available: ``ATLAS_PG_BIN``, else the newest
    ``/usr/lib/postgresql/<N>/bin`` whose share folder has ``postgis.control``."""
    given = os.environ.get("ATLAS_PG_BIN")
    if given:
        return Path(given) if (Path(given) / "pg_ctl").exists() else None
    root = Path("/usr/lib/postgresql")
    if not root.is_dir():
        return None
    versions = sorted(
        (p for p in root.iterdir() if p.name.isdigit()), key=lambda p: int(p.name), reverse=True
    )
    for version in versions:
        control = Path(f"/usr/share/postgresql/{version.name}/extension/postgis.control")
        if (version / "bin" / "pg_ctl").exists() and control.exists():
            return version / "bin"
    return None


class PgServer:
    """One PostgreSQL server in a temporary folder, started and stopped by its owner.

    Parameters
    ----------
    bindir : Path
        Where ``initdb``, ``pg_ctl`` and ``postgres`` are.
    base : Path, optional
        The folder to keep the data and socket in (a new temporary one by default).
    """

    def __init__(self, bindir: Path, base: Path | None = None) -> None:
        self.bindir = bindir
        self.base = Path(base or tempfile.mkdtemp(prefix="atlas-pg-"))
        self.data = self.base / "data"
        self.socket = self.base / "sock"
        self.log = self.base / "server.log"
        self._user = "postgres" if os.geteuid() == 0 else None
        self._counter = 0

    # ----------------------------------------------------------------- process

    def _cmd(self, *args: str) -> list[str]:
        return ["runuser", "-u", self._user, "--", *args] if self._user else list(args)

    def _run(self, *args: str) -> None:
        proc = subprocess.run(self._cmd(*args), capture_output=True, text=True, check=False)
        if proc.returncode:
            raise RuntimeError(f"{' '.join(args)} failed: {proc.stdout}{proc.stderr}")

    def init(self) -> PgServer:
        """Create the data folder (trust authentication, Unix socket only)."""
        self.base.mkdir(parents=True, exist_ok=True)
        self.socket.mkdir(exist_ok=True)
        if self._user:
            entry = pwd.getpwnam(self._user)
            for path in (self.base, self.socket):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "--auth=trust",
            "--username=postgres",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        )
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(
                "\nlisten_addresses = ''\n"
                f"unix_socket_directories = '{self.socket}'\n"
                "max_connections = 100\n"
                "shared_buffers = 128MB\n"
                "max_wal_size = 2GB\n"
            )
        return self

    def start(self) -> PgServer:
        """Start the server and wait until it accepts connections."""
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "start"
        )
        return self

    def stop(self) -> None:
        """Stop the server at once (immediate shutdown: the folder is thrown away or
        recovered on the next start); quiet when it is not running."""
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                self._cmd(
                    str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"
                ),
                capture_output=True,
                check=False,
            )

    def pids(self) -> list[int]:
        """The postmaster's pid and the pids of all its children (its backends)."""
        pid_file = self.data / "postmaster.pid"
        if not pid_file.exists():
            return []
        main = int(pid_file.read_text().split()[0])
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == main:
                children.append(int(entry.name))
        return [main, *children]

    def kill(self) -> list[int]:
        """SIGKILL the postmaster and every backend at once (a crashed server)."""
        pids = self.pids()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in pids):
            time.sleep(0.02)
        return pids

    def remove(self) -> None:
        """Stop the server and delete its folder."""
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)

    # ----------------------------------------------------------------- databases

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of ``database`` on this server (psycopg 3, Unix socket)."""
        return f"postgresql+psycopg://postgres@/{database}?host={self.socket}"

    def sql(self, statement: str, database: str = "postgres") -> None:
        """Run one statement outside a transaction (CREATE DATABASE needs that)."""
        import psycopg

        with psycopg.connect(
            host=str(self.socket), user="postgres", dbname=database, autocommit=True
        ) as conn:
            conn.execute(statement)

    def make_template(self) -> None:
        """Create the template database: an empty database with PostGIS installed."""
        self.sql(f"CREATE DATABASE {TEMPLATE}")
        self.sql("CREATE EXTENSION postgis", database=TEMPLATE)
        self.sql(f"ALTER DATABASE {TEMPLATE} WITH IS_TEMPLATE true")

    def new_database(self, prefix: str = "atlas") -> str:
        """A new database copied from the template; returns its URL."""
        self._counter += 1
        name = f"{prefix}_{os.getpid()}_{self._counter}"
        self.sql(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop the database of ``url`` (closing whatever is still connected to it)."""
        import sqlalchemy as sa

        name = sa.engine.make_url(url).database
        self.sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
