"""Retrieval quality and speed on the example project.

    uv run python benchmarks/bench_retrieval.py

Copies examples/demo to a temp dir, syncs it (packages from the index), points the advisory
source at ../shared/advisory-db when present, builds the docs index, then reports:
- recall@5 and MRR over evals/data/retrieval/queries.yaml for vector-only (the default
  hashed embedding), keyword-only (SQLite FTS5 BM25) and hybrid (reciprocal rank fusion);
- index build time and size, and a no-change refresh;
- median query latency (in-process, after warm-up) on an index grown past 1,000 chunks.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "evals" / "data" / "retrieval" / "queries.yaml"
SHARED_DB = ROOT.parent / "shared" / "advisory-db" / "vulns"


def matches(source: str, expected: list[str]) -> bool:
    return any(source == e or source.startswith(e + "/") for e in expected)


def score(index, queries: list[dict], mode: str) -> tuple[float, float]:
    hits, reciprocal = 0, 0.0
    for item in queries:
        rows = index.search(item["q"], k=5, mode=mode)
        for rank, row in enumerate(rows, 1):
            if matches(row["source"], item["expect"]):
                hits += 1
                reciprocal += 1 / rank
                break
    return hits / len(queries), reciprocal / len(queries)


def context_for(root: Path):
    from uvmgr.config import Settings
    from uvmgr.session import open_session
    from uvmgr.tools.project import Project

    return open_session(root, settings=Settings.load(Project(root).tool_settings),
                        recover=False).ctx


def main() -> None:
    from uvmgr.tools.docs import gather_sources
    from uvmgr.tools.docs_index import DocsIndex

    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "demo"
        shutil.copytree(ROOT / "examples" / "demo", root,
                        ignore=shutil.ignore_patterns(".venv", ".uvmgr"))
        if SHARED_DB.is_dir():
            text = (root / "pyproject.toml").read_text()
            (root / "pyproject.toml").write_text(
                text.replace("[tool.uvmgr]", f'[tool.uvmgr]\naudit-db = "{SHARED_DB}"'))
        subprocess.run(["uv", "sync", "-q"], cwd=root, env=env, check=True)
        ctx = context_for(root)
        started = time.perf_counter()
        docs, skipped = gather_sources(ctx)
        gathered = time.perf_counter() - started
        index = DocsIndex(root / ".uvmgr")
        report = index.refresh(docs)
        again = index.refresh(docs)
        queries = [q for q in yaml.safe_load(QUERIES.read_text())
                   if q.get("needs") != "advisories" or SHARED_DB.is_dir()]
        print(f"index: {report.documents} documents, {report.chunks} chunks, "
              f"{report.size_bytes / 1e6:.1f} MB; sources gathered in {gathered:.1f}s "
              f"(uv help for every command), embedded in {report.seconds:.1f}s; "
              f"refresh with nothing changed {again.seconds:.2f}s ({again.embedded} re-embedded)")
        print(f"eval set: {len(queries)} queries (embedding {report.embedding})")
        for mode in ("vector", "keyword", "hybrid"):
            recall, mrr = score(index, queries, mode)
            print(f"  {mode:8} recall@5 {recall:.3f}   MRR {mrr:.3f}")

        # Grow the index past 1,000 chunks with more project docs, then time queries.
        extra = root / "docs" / "generated"
        extra.mkdir(parents=True)
        for i, doc in enumerate(d for d in docs if d.kind == "uv"):
            (extra / f"copy-{i}.md").write_text(f"# Notes {i}\n\n" + doc.text)
        docs, _ = gather_sources(ctx)
        big = index.refresh(docs)
        for q in queries[:5]:
            index.search(q["q"])
        times = []
        for _ in range(3):
            for q in queries:
                t = time.perf_counter()
                index.search(q["q"], k=5)
                times.append((time.perf_counter() - t) * 1000)
        print(f"latency on {big.chunks} chunks: median {statistics.median(times):.1f} ms, "
              f"p90 {sorted(times)[int(len(times) * 0.9)]:.1f} ms (hybrid, k=5, in-process)")


if __name__ == "__main__":
    main()
