"""The fault-injection harness: run the real `uvmgr` CLI over a fixture project, break it at a
seeded random moment, start uvmgr again (which recovers), and check the invariant.

The invariant after every trial:
- `pyproject.toml` and `uv.lock` are byte-identical to the original, or a fully applied,
  consistent state (`uv lock --check` passes);
- `.venv` matches the lock (`uv sync --frozen --check`);
- no journal is left, and no process of the trial is alive (every process uvmgr starts
  carries the trial's marker variable, found by scanning /proc);
- an edit the person made between the kill and the next start is not lost;
- uvmgr never said "internal error".
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

MARKER = "UVMGR_FAULT_TRIAL"
FAULTS = ("kill-uvmgr", "kill-child", "interrupt-twice", "edit-after-kill", "two-writers",
          "disk-full")
# The command, and about how long it takes here unbroken (s): kills land in [0, 1.2 x that].
COMMANDS: dict[str, tuple[tuple[str, ...], float]] = {
    "deps-add": (("deps", "add", "demo-yaml"), 0.8),
    "upgrade-test": (("deps", "upgrade", "--test"), 1.5),
    "upgrade-safe": (("deps", "upgrade", "--safe"), 3.0),
    "audit-fix": (("audit", "--fix"), 2.5),
    "autopilot": (("autopilot",), 12.0),
}
LEFT_ON_DISK = (0, 4096, 16384, 65536, 262144, 1 << 20)  # bytes left free for disk-full
EDIT = "# a person's note, written while uvmgr was down ({})\n"
RUN_TIMEOUT = 180.0
ORPHAN_GRACE = 0.25  # a SIGKILLed child dies in microseconds; the supervisor acts in ms


@dataclass(frozen=True)
class Trial:
    seed: int
    index: int
    fault: str
    command: str
    delay: float  # seconds after the start when the fault lands
    other: str = ""  # two-writers: the second command
    gap: float = 0.0  # interrupt-twice: seconds between the two SIGINTs
    left: int = 0  # disk-full: bytes left free

    @property
    def id(self) -> str:
        return f"{self.seed}-{self.index:04d}-{self.fault}-{self.command}"


def plan(seed: int, count: int) -> list[Trial]:
    """`count` trials, the fault classes in turn, everything else drawn from `seed`."""
    rng = random.Random(seed)
    trials = []
    for index in range(count):
        fault = FAULTS[index % len(FAULTS)]
        command = rng.choice(sorted(COMMANDS))
        delay = round(rng.uniform(0.0, 1.2 * COMMANDS[command][1]), 3)
        trials.append(Trial(seed, index, fault, command, delay,
                            other=rng.choice(sorted(COMMANDS)),
                            gap=round(rng.uniform(0.0, 0.6), 3),
                            left=rng.choice(LEFT_ON_DISK)))
    return trials


@dataclass
class Outcome:
    trial: dict
    state: str = ""  # original | applied | edit-kept | violation
    exit_codes: list[int | None] = field(default_factory=list)
    recovery: str = ""
    violations: list[str] = field(default_factory=list)
    seconds: float = 0.0
    skipped: str = ""

    def to_json(self) -> dict:
        return asdict(self)


def clean_env(marker: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", MARKER)}
    env.update({MARKER: marker, "UV_NO_PROGRESS": "1", "NO_COLOR": "1"})
    return env


def uv(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    from uvmgr.tools.runner import find_uv

    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    return subprocess.run([find_uv(), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          check=False, timeout=300)


def clone(template: Path, dest: Path) -> Path:
    shutil.copytree(template, dest, ignore=shutil.ignore_patterns(".venv", ".uvmgr",
                                                                   "__pycache__"))
    result = uv(["sync", "--frozen", "-q"], dest)
    if result.returncode != 0:
        raise RuntimeError(f"could not sync the trial project: {result.stderr}")
    return dest


def start(args: tuple[str, ...], root: Path, marker: str, report_dir: Path) -> subprocess.Popen:
    argv = [sys.executable, "-m", "uvmgr.cli", *args]
    if args[0] == "autopilot":
        argv += ["--report", str(report_dir / f"report-{time.monotonic_ns()}.md")]
    return subprocess.Popen([*argv, "--project", str(root)], env=clean_env(marker),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def marked(marker: str) -> list[int]:
    """Live (not zombie) processes whose environment carries this trial's marker."""
    needle = f"{MARKER}={marker}".encode()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as fh:
                if needle not in fh.read().split(b"\0"):
                    continue
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        if stat[stat.rfind(b")") + 2:][:1] != b"Z":
            found.append(int(name))
    return found


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode(errors="replace")[:160]
    except OSError:
        return "?"


def kill_children(proc: subprocess.Popen, marker: str, rng: random.Random) -> list[str]:
    """SIGKILL the processes uvmgr started (not uvmgr, not its supervisor), waiting up to 2 s
    for one to exist; returns what was killed."""
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline and proc.poll() is None:
        victims = [p for p in marked(marker)
                   if p != proc.pid and "groups, buf" not in cmdline(p)]
        if victims:
            chosen = rng.sample(victims, rng.randint(1, len(victims)))
            names = [cmdline(p) for p in chosen]
            for pid in chosen:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            return names
        time.sleep(0.01)
    return []


def finish(proc: subprocess.Popen, outcome: Outcome) -> str:
    try:
        _, err = proc.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        _, err = proc.communicate()
        outcome.violations.append(f"uvmgr hung for {RUN_TIMEOUT:g} s")
    outcome.exit_codes.append(proc.returncode)
    if "internal error" in err:
        outcome.violations.append("uvmgr reported an internal error: " + err.strip()[-300:])
    return err


def snapshot(root: Path) -> tuple[bytes, bytes | None]:
    lock = root / "uv.lock"
    return (root / "pyproject.toml").read_bytes(), lock.read_bytes() if lock.exists() else None


def no_orphans(marker: str, outcome: Outcome, when: str) -> None:
    """Once uvmgr has exited, anything of the trial still alive (beyond the moment a SIGKILLed
    process takes to die) outlived it, and could still write: a violation. Kills them."""
    deadline = time.monotonic() + ORPHAN_GRACE
    left = marked(marker)
    while left and time.monotonic() < deadline:
        time.sleep(0.02)
        left = marked(marker)
    if left:
        outcome.violations.append(f"orphans {when}: " + "; ".join(cmdline(p) for p in left))
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def check(root: Path, original: tuple[bytes, bytes | None], marker: str, outcome: Outcome,
          edit: str | None = None) -> None:
    """The invariant, recorded as outcome.state and outcome.violations."""
    no_orphans(marker, outcome, "after the next start")
    for name in ("journal", "autopilot-journal"):
        if (root / ".uvmgr" / name / "meta.json").exists():
            outcome.violations.append(f"a journal is left in .uvmgr/{name}")
    now = snapshot(root)
    if edit is not None:
        if edit not in now[0].decode(errors="replace"):
            outcome.violations.append("the person's edit to pyproject.toml was lost")
        outcome.state = "violation" if outcome.violations else "edit-kept"
        return
    if now == original:
        outcome.state = "original"
    else:
        locked = uv(["lock", "--check"], root)
        outcome.state = "applied" if locked.returncode == 0 else "violation"
        if locked.returncode != 0:
            outcome.violations.append("files changed and uv.lock does not match pyproject.toml: "
                                      + locked.stderr.strip()[-300:])
    synced = uv(["sync", "--frozen", "--check"], root)
    if synced.returncode != 0:
        outcome.violations.append(".venv does not match uv.lock: " + synced.stderr.strip()[-300:])
    if outcome.violations:
        outcome.state = "violation"


def recover(root: Path, marker: str, outcome: Outcome) -> None:
    """The next start: a read-only command, which recovers whatever was interrupted."""
    result = subprocess.run([sys.executable, "-m", "uvmgr.cli", "deps", "list", "--project",
                             str(root)], env=clean_env(marker), capture_output=True, text=True,
                            check=False, timeout=RUN_TIMEOUT, stdin=subprocess.DEVNULL)
    outcome.recovery = " ".join(result.stderr.split())[-400:]
    outcome.exit_codes.append(result.returncode)
    if "internal error" in result.stderr:
        outcome.violations.append("recovery reported an internal error: " + outcome.recovery)


def _fill(mount: Path, left: int) -> Path:
    """Leave about `left` bytes free on the filesystem at `mount`."""
    filler = mount / "filler"
    stat = os.statvfs(mount)
    size = max(0, stat.f_bavail * stat.f_frsize - left)
    chunk = b"\0" * (1 << 20)
    with open(filler, "wb") as fh:
        try:
            while size > 0:
                size -= fh.write(chunk[:min(size, len(chunk))])
        except OSError:
            pass
    return filler


def _mount(point: Path) -> str | None:
    point.mkdir(parents=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(point)],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return f"cannot mount a small filesystem here: {result.stderr.strip() or 'not permitted'}"
    return None


def run_trial(trial: Trial, template: Path, work: Path) -> Outcome:
    """One trial from a fresh copy of the template: the fault, the next start, the check."""
    outcome = Outcome(asdict(trial))
    began = time.monotonic()
    rng = random.Random(trial.id)
    marker = trial.id
    base = work / trial.id
    mount = base / "fs" if trial.fault == "disk-full" else None
    if mount is not None:
        outcome.skipped = _mount(mount) or ""
        if outcome.skipped:
            return outcome
    root = (mount or base) / "app"
    try:
        clone(template, root)
        original = snapshot(root)
        args = COMMANDS[trial.command][0]
        edit = None
        if trial.fault in ("kill-uvmgr", "edit-after-kill"):
            proc = start(args, root, marker, base)
            time.sleep(trial.delay)
            proc.send_signal(signal.SIGKILL)
            finish(proc, outcome)
            if trial.fault == "edit-after-kill":
                edit = EDIT.format(trial.id)
                with open(root / "pyproject.toml", "a", encoding="utf-8") as fh:
                    fh.write(edit)
        elif trial.fault == "kill-child":
            proc = start(args, root, marker, base)
            time.sleep(trial.delay)
            outcome.recovery = "killed: " + " | ".join(kill_children(proc, marker, rng))
            finish(proc, outcome)
        elif trial.fault == "interrupt-twice":
            proc = start(args, root, marker, base)
            time.sleep(trial.delay)
            proc.send_signal(signal.SIGINT)
            time.sleep(trial.gap)
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
            finish(proc, outcome)
        elif trial.fault == "two-writers":
            first = start(args, root, marker, base)
            second = start(COMMANDS[trial.other][0], root, marker, base)
            finish(first, outcome)
            finish(second, outcome)
        else:  # disk-full
            filler = _fill(mount, trial.left)
            finish(start(args, root, marker, base), outcome)
            filler.unlink()
        no_orphans(marker, outcome, "after uvmgr exited")
        recover(root, marker, outcome)
        check(root, original, marker, outcome, edit)
    finally:
        for pid in marked(marker):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if mount is not None:
            subprocess.run(["umount", "-l", str(mount)], capture_output=True, check=False)
        outcome.seconds = round(time.monotonic() - began, 2)
        if not outcome.violations:
            shutil.rmtree(base, ignore_errors=True)
    return outcome


def summary(outcomes: list[dict]) -> str:
    """A table of outcomes by fault class, then every violation."""
    states = ("original", "applied", "edit-kept", "violation", "skipped")
    rows = {}
    for o in outcomes:
        state = "skipped" if o.get("skipped") else (o.get("state") or "violation")
        rows.setdefault(o["trial"]["fault"], dict.fromkeys(states, 0))[state] += 1
    width = max([len("fault"), *map(len, rows)])
    lines = [f"{'fault':<{width}} " + " ".join(f"{s:>9}" for s in states) + "    total"]
    for fault in sorted(rows):
        counts = rows[fault]
        lines.append(f"{fault:<{width}} " + " ".join(f"{counts[s]:>9}" for s in states)
                     + f" {sum(counts.values()):>8}")
    totals = {s: sum(r[s] for r in rows.values()) for s in states}
    lines.append(f"{'all':<{width}} " + " ".join(f"{totals[s]:>9}" for s in states)
                 + f" {len(outcomes):>8}")
    for o in outcomes:
        for v in o.get("violations", []):
            lines.append(f"  {o['trial']['seed']}-{o['trial']['index']:04d} "
                         f"{o['trial']['fault']} {o['trial']['command']}: {v[:220]}")
    return "\n".join(lines)
