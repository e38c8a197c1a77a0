"""The docs index: a chromadb `PersistentClient` under `.uvmgr/index/`, one collection per
source kind, refreshed by content hash (unchanged documents are not re-embedded, deleted ones
are removed). Ranking is hybrid: vectors from chromadb fused with BM25 over the same chunks.

The default embedding is `tools.text_search.hashed_embedding`: offline, no download. Set
`embedding-model` (a personal setting) to a litellm embedding model to use that instead.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from uvmgr.tools.docs_sources import KINDS, Chunk, SourceDoc, chunk

from uvmgr.errors import EXIT_OK

INDEX_DIR = "index"
MANIFEST = "manifest.json"
KEYWORDS = "keywords.sqlite"  # SQLite FTS5 with BM25 ranking, kept in step with chromadb
SCHEMA = 2
HASHED = "uvmgr-hashed-ngrams-768"


@dataclass
class IndexReport:
    path: str
    embedding: str
    documents: int = 0
    chunks: int = 0
    embedded: int = 0  # chunks (re-)embedded in this run
    removed: int = 0
    unchanged: int = 0
    skipped_binary_or_huge: int = 0
    unreadable: list[str] = field(default_factory=list)
    rebuilt_because: str = ""
    seconds: float = 0.0
    size_bytes: int = 0
    left_out: int = 0  # documents not indexed because a cap was reached
    cap_note: str = ""  # which cap bit, and how to raise it

    exit_status = EXIT_OK

    def summary(self) -> str:
        return (f"docs index: {self.documents} documents, {self.chunks} chunks, "
                f"{self.embedded} embedded, {self.unchanged} unchanged, {self.removed} "
                f"removed in {self.seconds:.1f}s")


def _embedding_function(model: str | None, api_base: str | None = None):
    from chromadb.api.types import EmbeddingFunction

    class Hashed(EmbeddingFunction):
        def __init__(self):
            pass

        def __call__(self, input):  # noqa: A002 - chromadb's parameter name
            from uvmgr.tools.text_search import hashed_embedding

            return [hashed_embedding(text) for text in input]

        @staticmethod
        def name() -> str:
            return HASHED

        def get_config(self) -> dict:
            return {}

        @staticmethod
        def build_from_config(config: dict):
            return Hashed()

    class LiteLLM(EmbeddingFunction):
        def __init__(self, model_name: str):
            self.model_name = model_name

        def __call__(self, input):  # noqa: A002
            import os

            os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
            import litellm

            kwargs = {"api_base": api_base} if api_base else {}
            response = litellm.embedding(model=self.model_name, input=list(input), timeout=60,
                                         **kwargs)
            return [item["embedding"] for item in response.data]

        @staticmethod
        def name() -> str:
            return "uvmgr-litellm"

        def get_config(self) -> dict:
            return {"model": self.model_name}

        @staticmethod
        def build_from_config(config: dict):
            return LiteLLM(config["model"])

    return LiteLLM(model) if model else Hashed()


MAX_BYTES = 20_000_000
MAX_CHUNKS = 20_000


class DocsIndex:
    def __init__(self, state_dir: Path, embedding_model: str | None = None,
                 api_base: str | None = None, *, max_bytes: int = MAX_BYTES,
                 max_chunks: int = MAX_CHUNKS):
        self.path = state_dir / INDEX_DIR
        self.embedding_model = embedding_model
        self.api_base = api_base
        self.max_bytes, self.max_chunks = max_bytes, max_chunks
        self.embedding = f"litellm:{embedding_model}" if embedding_model else HASHED
        self._client = None

    # -- storage --------------------------------------------------------------------------
    def _manifest(self) -> dict:
        try:
            return json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _save_manifest(self, manifest: dict) -> None:
        from uvmgr.tools.state_files import write_atomic

        write_atomic(self.path / MANIFEST, json.dumps(manifest).encode("utf-8"))

    def forget_client(self) -> None:
        """chromadb caches one client per path in the process; drop it before the files go."""
        self._client = None
        try:
            from chromadb.api.client import SharedSystemClient

            SharedSystemClient.clear_system_cache()
        except Exception:  # noqa: BLE001 - only a cache; the rebuild goes on regardless
            pass

    def _open(self):
        import chromadb

        self.path.mkdir(parents=True, exist_ok=True)
        self._client = chromadb.PersistentClient(
            path=str(self.path / "chroma"),
            settings=chromadb.Settings(anonymized_telemetry=False, allow_reset=True))
        return self._client

    def _keywords(self):
        import sqlite3

        db = sqlite3.connect(self.path / KEYWORDS)
        db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS chunks USING fts5(id UNINDEXED, "
                   "kind UNINDEXED, heading, text, tokenize='porter unicode61')")
        return db

    def _collection(self, kind: str):
        return self._client.get_or_create_collection(
            f"uvmgr-{kind}",
            embedding_function=_embedding_function(self.embedding_model, self.api_base),
            metadata={"hnsw:space": "cosine"})

    def needs_rebuild(self) -> str:
        """Why the index must be built from scratch before use ("" when it is usable)."""
        return self._why_rebuild(self._manifest())

    def _why_rebuild(self, manifest: dict) -> str:
        if not manifest:
            return "no index yet" if not self.path.exists() else "the index manifest is missing"
        if manifest.get("schema") != SCHEMA:
            return f"index format {manifest.get('schema')} is not {SCHEMA}"
        if manifest.get("embedding") != self.embedding:
            return f"embedding changed ({manifest.get('embedding')} -> {self.embedding})"
        return ""

    # -- building -------------------------------------------------------------------------
    def refresh(self, docs: list[SourceDoc], rebuild: bool = False) -> IndexReport:
        started = time.monotonic()
        report = IndexReport(str(self.path), self.embedding)
        manifest = self._manifest()
        reason = "asked to rebuild" if rebuild else self._why_rebuild(manifest)
        if reason:
            report.rebuilt_because = reason
            self.forget_client()
            shutil.rmtree(self.path, ignore_errors=True)
            manifest = {}
        try:
            self._open()
            self._apply(docs, manifest, report)
        except Exception as exc:  # noqa: BLE001 - a corrupt index is rebuilt, never a traceback
            if report.rebuilt_because:
                raise
            report.rebuilt_because = f"the index could not be read ({type(exc).__name__}); rebuilt"
            self.forget_client()
            shutil.rmtree(self.path, ignore_errors=True)
            self._open()
            report.embedded = report.removed = report.unchanged = 0
            self._apply(docs, {}, report)
        report.seconds = round(time.monotonic() - started, 3)
        report.size_bytes = sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())
        return report

    def _apply(self, docs: list[SourceDoc], manifest: dict, report: IndexReport) -> None:
        old_docs: dict = manifest.get("docs", {})
        new_docs: dict = {}
        keywords = self._keywords()
        by_kind: dict[str, list[Chunk]] = {k: [] for k in KINDS}
        total_bytes = total_chunks = 0
        for doc in docs:  # in the order given: the project's own docs come first
            entry = old_docs.get(doc.doc_id)
            unchanged = bool(entry and entry["hash"] == doc.digest)
            chunks = [] if unchanged else chunk(doc)
            size = len(doc.text.encode())
            count = len(entry["chunks"]) if unchanged else len(chunks)
            if total_bytes + size > self.max_bytes or total_chunks + count > self.max_chunks:
                report.left_out += 1
                if not report.cap_note:
                    report.cap_note = self._cap_note(total_bytes + size > self.max_bytes)
                continue  # a capped doc that was indexed before is removed below
            total_bytes, total_chunks = total_bytes + size, total_chunks + count
            if unchanged:
                new_docs[doc.doc_id] = entry
                report.unchanged += 1
                continue
            if entry:  # changed: drop its old chunks first
                self._delete(keywords, entry)
            by_kind[doc.kind] += chunks
            new_docs[doc.doc_id] = {"hash": doc.digest, "kind": doc.kind,
                                    "chunks": [c.chunk_id for c in chunks]}
        for doc_id, entry in old_docs.items():
            if doc_id not in new_docs:
                self._delete(keywords, entry)
                report.removed += 1
        for kind, chunks in by_kind.items():
            for start in range(0, len(chunks), 256):
                batch = chunks[start:start + 256]
                self._collection(kind).upsert(
                    ids=[c.chunk_id for c in batch], documents=[c.text for c in batch],
                    metadatas=[{"doc": c.doc_id, "kind": c.kind, "source": c.source,
                                "version": c.version, "heading": c.heading, "start": c.start,
                                "end": c.end} for c in batch])
            keywords.executemany("INSERT INTO chunks VALUES (?, ?, ?, ?)",
                                 [(c.chunk_id, c.kind, c.heading, c.text) for c in chunks])
            report.embedded += len(chunks)
        keywords.commit()
        keywords.close()
        self._save_manifest({"schema": SCHEMA, "embedding": self.embedding, "docs": new_docs})
        report.documents = len(new_docs)
        report.chunks = sum(len(e["chunks"]) for e in new_docs.values())

    def _cap_note(self, by_bytes: bool) -> str:
        what = (f"{self.max_bytes} bytes of text (max-index-bytes)" if by_bytes
                else f"{self.max_chunks} chunks (max-index-chunks)")
        return (f"the docs index is capped at {what}; the remaining documents were left out "
                "(raise the cap in your user config or with UVMGR_* to index them)")

    def _delete(self, keywords, entry: dict) -> None:
        self._collection(entry["kind"]).delete(ids=entry["chunks"])
        keywords.executemany("DELETE FROM chunks WHERE id = ?", [(c,) for c in entry["chunks"]])

    # -- searching ------------------------------------------------------------------------
    def search(self, query: str, kinds: list[str] | None = None, k: int = 5,
               mode: str = "hybrid") -> list[dict]:
        """Ranked chunks: `mode` is hybrid (default), vector or keyword."""
        from uvmgr.tools.text_search import reciprocal_rank_fusion, words

        if self._client is None:
            self._open()
        kinds = [kind for kind in (kinds or KINDS) if kind in KINDS]
        pool: dict[str, dict] = {}
        rankings: list[list[str]] = []
        if mode in ("hybrid", "vector"):
            scored: list[tuple[float, str]] = []
            for kind in kinds:
                collection = self._collection(kind)
                count = collection.count()
                if count == 0:
                    continue
                found = collection.query(query_texts=[query], n_results=min(20, count),
                                         include=["documents", "metadatas", "distances"])
                for cid, text, meta, dist in zip(found["ids"][0], found["documents"][0],
                                                 found["metadatas"][0], found["distances"][0],
                                                 strict=True):
                    pool[cid] = {"id": cid, "text": text, **meta}
                    scored.append((dist, cid))
            rankings.append([cid for _, cid in sorted(scored)])
        if mode in ("hybrid", "keyword"):
            terms = " OR ".join('"' + t.replace('"', "") + '"' for t in words(query))
            if terms:
                db = self._keywords()
                marks = ",".join("?" * len(kinds))
                rows = db.execute(f"SELECT id FROM chunks WHERE chunks MATCH ? AND kind IN ({marks}) "
                                  "ORDER BY bm25(chunks, 0, 0, 2.0, 1.0) LIMIT 20",
                                  (terms, *kinds)).fetchall()
                db.close()
                rankings.append([r[0] for r in rows])
        order = rankings[0] if len(rankings) == 1 else reciprocal_rank_fusion(rankings)
        missing = [cid for cid in order[:k] if cid not in pool]
        if missing:
            for kind in kinds:
                got = self._collection(kind).get(ids=missing, include=["documents", "metadatas"])
                for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"],
                                           strict=True):
                    pool[cid] = {"id": cid, "text": text, **meta}
        return [pool[cid] for cid in order[:k] if cid in pool]
