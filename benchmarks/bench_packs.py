"""Start-up cost of packs: `uvmgr --help`, `uvmgr packs list` and a pack's own command, in this
environment (its only pack is the bundled advisor) and in a temporary one with the example pack installed, run side by side
(interleaved, so a busy machine slows both alike), with `uv --help` as the yardstick.

    uv run python benchmarks/bench_packs.py [--runs 21]

The pack environment is a `uv venv` that sees this uvmgr through a .pth file, with
`examples/packs/todo` installed by `uv pip install`. Budget (DESIGN.md): `--help` under 100 ms.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pack_env(base: Path) -> Path:
    env = base / "env"
    subprocess.run(["uv", "venv", "-q", "--python", sys.executable, str(env)], check=True)
    python = env / "bin" / "python"
    site = subprocess.run([str(python), "-c", ("import sysconfig; print(sysconfig.get_paths()"
                                               "['purelib'])")], capture_output=True, text=True, check=True)
    host = sysconfig.get_paths()["purelib"]
    Path(site.stdout.strip(), "uvmgr-host.pth").write_text(
        f"import site; site.addsitedir({host!r})\n")
    subprocess.run(["uv", "pip", "install", "-q", "--python", str(python), "--no-deps",
                    str(ROOT / "examples" / "packs" / "todo")], check=True)
    return python


def side_by_side(commands: dict[str, list[str]], runs: int, cwd: Path) -> dict[str, float]:
    times: dict[str, list[float]] = {k: [] for k in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            start = time.perf_counter()
            subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           check=False)
            times[name].append((time.perf_counter() - start) * 1000)
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="bench-packs-") as tmp:
        base = Path(tmp)
        with_pack = pack_env(base)
        plain = [sys.executable, "-m", "uvmgr.cli"]
        packed = [str(with_pack), "-m", "uvmgr.cli"]
        results = side_by_side({
            "uv --help": ["uv", "--help"],
            "--help, this env (advisor)": [*plain, "--help"],
            "--help, + example pack": [*packed, "--help"],
            "packs list, this env (advisor)": [*plain, "packs", "list"],
            "packs list, + example pack": [*packed, "packs", "list"],
            "todos --help (loads the pack)": [*packed, "todos", "--help"],
        }, runs, base)
    uv = results["uv --help"]
    print(f"median of {runs} runs, interleaved")
    for name, ms in results.items():
        print(f"  {name:34} {ms:7.1f} ms  ({ms / uv:4.1f}x uv --help)")


if __name__ == "__main__":
    main()
