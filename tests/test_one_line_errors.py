"""Every command against each bad input: one line on stderr naming the file and the cause, and the
documented exit code."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from conftest import CORPUS, GOLD

ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0
#: permissions do not bind root: as root, the cases about permissions run as the user 'nobody'
#: (setpriv, util-linux), where nobody can read the checkout (a clone in a private folder cannot)
_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def _nobody_can_run() -> bool:
    if not (ROOT_USER and shutil.which("setpriv")):
        return False
    probe = subprocess.run([*_NOBODY, sys.executable, "-c", "import hmip_inspections.cli.main"],
                           capture_output=True, cwd="/", timeout=120)
    return probe.returncode == 0


AS_NOBODY = _NOBODY if _nobody_can_run() else []
PERMISSION_CASES = ("unreadable file", "read-only folder")
REPORT = CORPUS / "text" / "west-mercia-quality-impact-2017.txt"

#: each command, with what it needs besides --db (the folder's names: see _setup)
COMMANDS = {
    "refresh": ["refresh", "r.txt", "-q"],
    "audit": ["audit"],
    "query": ["query", "reports"],
    "export": ["export", "out"],
    "report": ["report", "--html", "site"],
    "evaluate": ["evaluate", str(GOLD)],
}


@pytest.fixture
def workdir():
    """A folder anyone can enter (pytest's own are private to their user), owned by the user the
    commands run as."""
    d = Path(tempfile.mkdtemp(prefix="one-line-"))
    d.chmod(0o755)
    yield d
    for p in [d, *d.rglob("*")]:
        p.chmod(0o700) if p.is_dir() else None
    shutil.rmtree(d, ignore_errors=True)


def _setup(tmp_path):
    shutil.copy(REPORT, tmp_path / "r.txt")
    (tmp_path / "folder").mkdir()
    (tmp_path / "corrupt.duckdb").write_bytes(os.urandom(5000))
    (tmp_path / "unreadable.duckdb").write_bytes(b"x" * 100)
    (tmp_path / "unreadable.duckdb").chmod(0)
    (tmp_path / "ro").mkdir()
    if AS_NOBODY:     # the user the permission cases run as owns the folder (then its modes bind)
        for p in [tmp_path, *tmp_path.rglob("*")]:
            os.chown(p, 65534, 65534)
    (tmp_path / "ro").chmod(0o555)


#: bad input -> (its --db value, the cause the line must give, exit code per command: refresh and
#: the readers; audit says 4 whenever it cannot run)
CASES = {
    "missing file": ("missing.duckdb", "no such database", {"refresh": 0, "audit": 4, "other": 1}),
    "folder as database": ("folder", "a folder, not a database file", {"refresh": 1, "audit": 4, "other": 1}),
    "corrupt database": ("corrupt.duckdb", "not a DuckDB database file", {"refresh": 1, "audit": 4, "other": 1}),
    "unreadable file": ("unreadable.duckdb", "cannot be read", {"refresh": 1, "audit": 4, "other": 1}),
    "read-only folder": ("ro/x.duckdb", "read-only folder", {"refresh": 1, "audit": 4, "other": 1}),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_gives_one_line_and_its_exit_code(workdir, command, case):
    tmp_path = workdir
    db, cause, codes = CASES[case]
    if case in PERMISSION_CASES and ROOT_USER and not AS_NOBODY:
        pytest.skip("permissions do not bind the root user, and no other user can run this checkout")
    if case == "read-only folder" and command != "refresh":
        db, cause = "ro/x.duckdb", "no such database"      # for a reader, it is simply missing
    if case == "missing file" and command == "refresh":
        pytest.skip("a refresh creates a missing database: not an error")
    _setup(tmp_path)
    as_user = AS_NOBODY if case in PERMISSION_CASES else []
    proc = subprocess.run([*as_user, sys.executable, "-m", "hmip_inspections.cli.main", *COMMANDS[command],
                           "--db", db], capture_output=True, text=True, cwd=tmp_path, timeout=300,
                          env={**os.environ, "HOME": str(tmp_path)})
    lines = proc.stderr.strip().split("\n")
    assert proc.returncode == codes.get(command, codes["other"]), proc.stderr
    # the line names the file (for a folder it cannot write in, the folder)
    named = "ro:" if (case, command) == ("read-only folder", "refresh") else db
    assert len(lines) == 1 and named in lines[0] and cause in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr and "Exception:" not in proc.stderr


def test_a_missing_or_undecodable_input_is_one_line_or_a_failed_row(tmp_path):
    missing = subprocess.run([sys.executable, "-m", "hmip_inspections.cli.main", "refresh", "nothere.txt",
                              "--db", "x.duckdb"], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert missing.returncode == 1 and missing.stderr.strip() == "inspections: error: nothere.txt: no such file or folder"
    # UTF-16 text cut mid-character: a failed document with a plain reason, not an internal error
    data = REPORT.read_text(encoding="utf-8").encode("utf-16")
    (tmp_path / "cut.txt").write_bytes(data[:len(data) // 2 * 2 - 1])
    cut = subprocess.run([sys.executable, "-m", "hmip_inspections.cli.main", "refresh", "cut.txt", "--db", "y.duckdb"],
                         capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert cut.returncode == 3
    assert "undecodable text: UTF-16" in cut.stdout and "internal error" not in cut.stdout + cut.stderr
