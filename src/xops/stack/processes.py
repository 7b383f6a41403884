"""Child processes of the stack: start with a log file, wait until an HTTP URL answers, stop in reverse order."""

import subprocess  # nosec B404 # starts our own services (fixed argv, no shell)
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from xops.core.errors import StackError


@dataclass
class Child:
    name: str
    url: str
    proc: subprocess.Popen
    log: Path


@dataclass
class Children:
    started: list[Child] = field(default_factory=list)
    cleanups: list[Callable[[], None]] = field(default_factory=list)  # run after the processes stopped

    def start(self, name: str, argv: list[str], env: dict[str, str], log: Path, url: str, ready: str,
              headers: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 180) -> Child:
        log.parent.mkdir(parents=True, exist_ok=True)
        proc = subprocess.Popen(argv, env=env,  # nosec B603 # argv of our own services, no shell
                                stdout=log.open("w"), stderr=subprocess.STDOUT, cwd=cwd,
                                start_new_session=True)  # Ctrl-C reaches only us; we stop the children in order
        child = Child(name, url, proc, log)
        self.started.append(child)
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise StackError(f"{name} exited with code {proc.returncode} while starting",
                                 f"see its log {log}: {log.read_text()[-800:]}")
            try:
                if httpx.get(url + ready, headers=headers or {}, timeout=5).status_code == 200:
                    return child
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise StackError(f"{name} did not answer {url + ready} within {timeout:.0f} s", f"see its log {log}")
            time.sleep(0.2)

    def stop_all(self, timeout: float = 30) -> None:
        for child in reversed(self.started):
            if child.proc.poll() is None:
                child.proc.terminate()
        deadline = time.monotonic() + timeout
        for child in reversed(self.started):
            try:
                child.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.proc.kill()
                child.proc.wait(timeout=10)
        for cleanup in reversed(self.cleanups):
            cleanup()
        self.cleanups.clear()
