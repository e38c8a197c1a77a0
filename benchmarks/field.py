"""Field run: uvmgr's read-only commands on real uv projects, side by side with uv.

    uv run python benchmarks/field.py CLONE [CLONE ...] [--db PATH] [--out field.md]

Not part of CI. For each local clone (a folder with `pyproject.toml` and `uv.lock`) it makes a
fresh COPY under `--work` (the clone itself is never touched; `.venv` and `node_modules` are
left out, `.git` is kept: version plugins such as uv-dynamic-versioning need it) and runs there, with the project's real index (packages come from
the registry):

| uvmgr command                          | uv's own equivalent, timed side by side           |
|----------------------------------------|---------------------------------------------------|
| `deps list`                            | `uv tree --frozen --depth 1`                       |
| `deps outdated`                        | `uv lock --dry-run --upgrade`                      |
| `audit --db DB`                        | `uv audit --frozen` against the same loopback OSV  |
| `ask "what's outdated?"` (offline)     | `uv lock --dry-run --upgrade`                      |
| `deps upgrade --safe --dry-run`        | `uv lock --dry-run --upgrade`                      |

Both sides meet the same uv cache: by default (`--cache warm`) uv's own command (and the
`uv lock --check` every uvmgr command starts with) runs once, untimed, before the pair is
timed (run first, uvmgr would otherwise fill the cache uv then finds warm); `--cache cold`
gives each timed command an empty cache of its own.

It reports per project and command: pass or fail (audit passes with exit 0 or 1: 1 means
vulnerabilities were found), the error's first lines, uvmgr's wall time, uv's, and whether the
copy's pyproject files and uv.lock are byte-identical afterwards (every command here is
read-only). The table is Markdown, on stdout and in `--out`.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

UPGRADE_DRY = ["lock", "--dry-run", "--upgrade"]
LOCK_CHECK = ["lock", "--check", "--offline"]
COMMANDS: tuple[tuple[str, list[str], list[str] | None, tuple[int, ...]], ...] = (
    ("deps list", ["deps", "list", "--json"], ["tree", "--frozen", "--depth", "1"], (0,)),
    ("deps outdated", ["deps", "outdated", "--json"], UPGRADE_DRY, (0,)),
    ("audit", ["audit", "--json", "--db", "{db}"], None, (0, 1)),
    ("ask outdated", ["ask", "what's outdated?", "--json"], UPGRADE_DRY, (0,)),
    ("upgrade --safe --dry-run", ["deps", "upgrade", "--safe", "--dry-run", "--json"],
     UPGRADE_DRY, (0,)),
)
SKIP = shutil.ignore_patterns(".venv", "node_modules", ".uvmgr", "__pycache__")


@dataclass
class Row:
    project: str
    command: str
    ok: bool
    code: int
    seconds: float
    uv_seconds: float | None
    uv_ok: bool | None
    error: str
    unchanged: bool


def _env(extra_path: list[str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UVMGR_MODEL")}
    env["UV_NO_PROGRESS"] = "1"
    env["UV_PYTHON_DOWNLOADS"] = env.get("UV_PYTHON_DOWNLOADS", "never")
    if extra_path:
        env["PATH"] = os.pathsep.join([*extra_path, env.get("PATH", "")])
    return env


def _timed(argv: list[str], cwd: Path, env: dict[str, str], timeout: float):
    start = time.perf_counter()
    try:
        done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=timeout, check=False)
        code, out, err = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired:
        code, out, err = -1, "", f"timed out after {timeout:g} s"
    return code, out, err, time.perf_counter() - start


def _first_lines(stdout: str, stderr: str, n: int = 2) -> str:
    """The error's first lines: uvmgr's own message (JSON `message` + `hint`), else stderr."""
    import json

    try:
        data = json.loads(stdout)
        if isinstance(data, dict) and "error" in data:
            text = f"{data.get('message', '')} (hint: {data.get('hint')})"
            return text.replace("\n", " ⏎ ")[:300]
    except ValueError:
        pass
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if "error" in ln.lower()]
    lines = errors or lines
    return " ⏎ ".join(lines[:n])[:300]


def _is_error(stdout: str) -> bool:
    """uvmgr's JSON error document: exit 1 also means "vulnerabilities found" for audit, so the
    exit code alone cannot tell a finding from a failure."""
    import json

    try:
        data = json.loads(stdout)
    except ValueError:
        return False
    return isinstance(data, dict) and "error" in data


def _checkout(folder: Path) -> Path:
    """The git checkout holding `folder` (itself when it is not inside one)."""
    done = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=folder,
                          capture_output=True, text=True, check=False)
    top = Path(done.stdout.strip()).resolve() if done.returncode == 0 else folder
    return top if top in folder.parents else folder


def _hashes(root: Path) -> dict[str, str]:
    files = [root / "uv.lock", *sorted(root.rglob("pyproject.toml"))]
    return {str(f.relative_to(root)): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in files if f.is_file() and ".venv" not in f.parts}


def _uv_audit(uv: str, copy: Path, db: Path, env: dict[str, str], timeout: float):
    """uv's own audit against the same advisories, served on loopback as uvmgr serves them."""
    from uvmgr.tools.audit import AUDIT_ARGS
    from uvmgr.tools.osv import OsvServer, load_advisories
    from uvmgr.tools.project import Project

    names = set(Project(copy).locked_packages())
    with OsvServer(load_advisories(db, names)) as url:
        return _timed([uv, *AUDIT_ARGS, "--service-url", url], copy, env, timeout)


def _cache_env(env: dict[str, str], cache: str, work: Path) -> dict[str, str]:
    """The environment of one timed command: as given (warm), or with an empty uv cache."""
    if cache != "cold":
        return env
    folder = work / "uv-cache"
    shutil.rmtree(folder, ignore_errors=True)
    return {**env, "UV_CACHE_DIR": str(folder)}


def run_project(clone: Path, work: Path, uvmgr: list[str], uv: str, db: Path,
                env: dict[str, str], timeout: float, only: list[str] | None = None,
                cache: str = "warm") -> list[Row]:
    from uvmgr.tools.workspace import find_workspace

    # A workspace member's folder: copy the whole workspace; a project inside a bigger checkout
    # (a monorepo whose path sources name siblings, `../checkpoint` in langgraph): copy the
    # checkout. Either way the commands run in the folder given.
    workspace = find_workspace(clone.resolve())
    source = workspace.root if workspace else _checkout(clone.resolve())
    inside = clone.resolve().relative_to(source)
    name = source.name + (f"/{inside.as_posix()}" if inside.parts else "")
    copy = work / source.name
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(source, copy, ignore=SKIP, symlinks=True)
    here = copy / inside
    rows = []
    for label, args, uv_args, passing in COMMANDS:
        if only and label not in only:
            continue
        argv = [*uvmgr, *[a.replace("{db}", str(db)) for a in args]]
        if cache == "warm":
            # uvmgr checks the lock first (`uv lock --check`); on a project with a dynamic
            # version that builds its metadata once (8 s on pydantic-ai), which `uv tree
            # --frozen` never does: warm that too, so the pair compares warm with warm
            _timed([uv, *LOCK_CHECK], here, env, timeout)
            if uv_args is not None:
                _timed([uv, *uv_args], here, env, timeout)
        before = _hashes(copy)
        code, out, err, seconds = _timed(argv, here, _cache_env(env, cache, work), timeout)
        unchanged = _hashes(copy) == before
        if uv_args is None:
            uv_code, _, _, uv_seconds = _uv_audit(uv, here, db, _cache_env(env, cache, work),
                                                  timeout)
        else:
            uv_code, _, _, uv_seconds = _timed([uv, *uv_args], here,
                                               _cache_env(env, cache, work), timeout)
        ok = code in passing and unchanged and not _is_error(out)
        rows.append(Row(name, label, ok, code, seconds, uv_seconds, uv_code in (0, 1),
                        "" if ok else _first_lines(out, err), unchanged))
        print(f"  {name}: {label}: {'pass' if ok else 'FAIL'} (exit {code}, {seconds:.1f} s; "
              f"uv {uv_seconds:.1f} s)", file=sys.stderr, flush=True)
    return rows


def workspace_check(clone: Path) -> str | None:
    """For a workspace: do the members uvmgr finds match uv's (`[manifest] members` in uv.lock)?"""
    import tomllib

    from uvmgr.tools.project import Project, normalize_name

    from uvmgr.errors import UvmgrError

    try:
        project = Project(clone)
    except UvmgrError as exc:
        return f"{clone.name}: not opened ({exc.message})"
    if not project.is_workspace:
        return None
    mine = sorted(normalize_name(m.name) for m in project.workspace.members)
    try:
        manifest = tomllib.loads(project.lock_path.read_text(encoding="utf-8")).get("manifest", {})
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return f"{clone.name}: uv.lock unreadable ({exc})"
    theirs = sorted(normalize_name(m) for m in manifest.get("members", []))
    kind = "virtual root" if project.workspace.virtual else "root is a package"
    verdict = "match" if mine == theirs else f"DIFFER: {sorted(set(mine) ^ set(theirs))}"
    return f"{clone.name}: workspace ({kind}), {len(mine)} members; uv.lock lists {len(theirs)}: {verdict}"


def markdown(rows: list[Row]) -> str:
    lines = ["| project | command | result | uvmgr s | uv s | ratio | files unchanged | first error lines |",
             "|---|---|---|---:|---:|---:|---|---|"]
    for r in rows:
        uv = f"{r.uv_seconds:.2f}" + ("" if r.uv_ok else " (uv failed)") if r.uv_seconds else "-"
        ratio = f"{r.seconds / r.uv_seconds:.1f}x" if r.uv_seconds else "-"
        result = "pass" if r.ok else f"FAIL (exit {r.code})"
        error = r.error.replace("|", "\\|")
        lines.append(f"| {r.project} | `{r.command}` | {result} | {r.seconds:.2f} | {uv} | "
                     f"{ratio} | {'yes' if r.unchanged else 'NO'} | {error} |")
    passed = sum(r.ok for r in rows)
    projects = len({r.project for r in rows})
    lines += ["", f"{passed} of {len(rows)} command runs passed on {projects} projects."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("clones", nargs="+", type=Path,
                        help="local clones of uv projects (or a workspace member's folder in one: "
                             "the whole workspace is copied and the commands run in the member)")
    parser.add_argument("--db", type=Path, default=Path("/work/shared/advisory-db/vulns"),
                        help="offline OSV advisory folder for `audit --db`")
    parser.add_argument("--work", type=Path, default=Path("/tmp/uvmgr-field"),
                        help="where the copies go (each run starts from a fresh copy)")
    parser.add_argument("--out", type=Path, help="also write the Markdown table here")
    parser.add_argument("--timeout", type=float, default=600, help="per command, seconds")
    parser.add_argument("--extra-path", action="append", default=[], metavar="DIR",
                        help="prepend to PATH (e.g. a folder with the Python a project needs)")
    parser.add_argument("--python", action="append", default=[], metavar="[NAME=]VERSION",
                        help="set UV_PYTHON for uvmgr and uv alike, for every project or for the "
                             "clone folder NAME (when its .python-version names an interpreter "
                             "this machine lacks); repeatable")
    parser.add_argument("--cache", choices=["warm", "cold"], default="warm",
                        help="warm: uv's command runs once, untimed, before each pair; cold: each "
                             "timed command starts from an empty uv cache (downloads again)")
    parser.add_argument("--only", action="append", metavar="COMMAND",
                        choices=[c[0] for c in COMMANDS], help="run only these commands")
    args = parser.parse_args(argv)
    from uvmgr.tools.runner import find_uv

    uvmgr = [sys.executable, "-m", "uvmgr.cli"]
    env = _env(args.extra_path)
    pythons = dict(p.split("=", 1) if "=" in p else ("", p) for p in args.python)
    args.work.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    checks: list[str] = []
    for clone in args.clones:
        if not (clone / "pyproject.toml").is_file():
            print(f"skipping {clone}: no pyproject.toml", file=sys.stderr)
            continue
        print(f"{clone}:", file=sys.stderr, flush=True)
        check = workspace_check(clone.resolve())
        if check:
            checks.append(check)
        python = pythons.get(clone.resolve().name, pythons.get(""))
        rows += run_project(clone, args.work, uvmgr, find_uv(), args.db.resolve(),
                            {**env, "UV_PYTHON": python} if python else env, args.timeout,
                            args.only, args.cache)
    text = markdown(rows) + "".join(f"\n- {c}" for c in checks) + ("\n" if checks else "")
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
