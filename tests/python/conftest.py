"""pytest configuration of the mfakit suites (tests/python, run by meson with MFA_LIBRARY naming the
built libmfa.so and PYTHONPATH the source's bindings/python).

Meson counts exit code 77 as SKIP: when nothing failed but a test skipped (its input missing:
../shared, redis-server ...), the session exits 77 instead of 0, so a skip is never a silent pass."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator

import pytest

from loopback_port import loopback_port

SOURCE_ROOT = Path(__file__).resolve().parents[2]
ORIGIN = "https://example.com"
RP_ID = "example.com"

_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if exitstatus == 0 and _skipped:
        print("\nSKIPPED:", ", ".join(_skipped))
        session.exitstatus = 77


# The optional components (Meson feature options) that mfakit.features may name.
COMPONENTS = frozenset({"redis", "fido2", "qr_decode", "pwquality", "postgresql", "pskc"})


def _missing(names: tuple[str, ...]) -> str | None:
    """The skip reason for the first of names the loaded library was built without, or None."""
    import mfakit
    unknown = set(names) - COMPONENTS
    if unknown:
        raise ValueError(f"not an optional component: {', '.join(sorted(unknown))}")
    for name in names:
        if name not in mfakit.features:
            return f"built without {name} (meson -D{name}=enabled)"
    return None


def needs(*names: str) -> pytest.MarkDecorator:
    """Skips a test, or one parametrization (pytest.param(..., marks=needs("redis"))), when the loaded
    library was built without one of the named optional components (mfakit.features), whose calls
    answer MFA_ERR_UNSUPPORTED there. A full build skips none."""
    reason = _missing(names)
    return pytest.mark.skipif(reason is not None, reason=reason or "")


def shared_dir() -> Path | None:
    """../shared next to the source tree (MFA_SHARED_DIR overrides), or None."""
    env = os.environ.get("MFA_SHARED_DIR")
    path = Path(env) if env else SOURCE_ROOT.parent / "shared"
    return path if path.is_dir() else None


@pytest.fixture
def soft_device(tmp_path: Path) -> Iterator["object"]:
    """An in-process soft token (a fresh state file per test) opened as a FIDO2 device (skips in a build
    without the FIDO2 client)."""
    import mfakit
    reason = _missing(("fido2",))
    if reason:
        pytest.skip(reason)
    with mfakit.Device(f"soft:{tmp_path / 'token.json'}") as dev:
        yield dev


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A throwaway redis-server (loopback, free port, no persistence), like tests/redis_server.hpp;
    skips when redis-server is not installed or the library was built without redis."""
    reason = _missing(("redis",))
    if reason:
        pytest.skip(reason)
    exe = os.environ.get("MFA_REDIS_SERVER") or shutil.which("redis-server")
    if not exe:
        pytest.skip("redis-server is not installed (scripts/packages.txt [test])")
    directory = tempfile.mkdtemp(prefix="mfa-redis-")
    port = loopback_port()
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", directory, "--logfile", os.path.join(directory, "redis.log")])
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail(f"redis-server did not start on port {port}")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(directory, ignore_errors=True)
