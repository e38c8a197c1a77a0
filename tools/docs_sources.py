"""What the docs index reads, and how it cuts it into chunks that keep their heading.

Sources: the project's own docs, the installed uv's help pages (so they match the uv in
use), the metadata and shipped changelogs of installed locked packages, advisories, and the
Markdown of the active packs (`Pack.docs`). All of it is quoted to the model as untrusted data.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from uvmgr.tools.project import normalize_name

MAX_FILE_BYTES = 1_000_000
CHUNK_CHARS = 1200
KINDS = ("project", "uv", "packages", "advisories", "packs")
_CHANGELOG = re.compile(r"(^|/)(CHANGE(S|LOG)|HISTORY|NEWS|RELEASE[-_]?NOTES)[^/]*$", re.I)
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


@dataclass(frozen=True)
class SourceDoc:
    kind: str  # project | uv | packages | advisories | packs
    doc_id: str  # stable id: kind:path or kind:package:file
    source: str  # a path, `uv help add`, a package name
    version: str
    text: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    doc_id: str
    kind: str
    source: str
    version: str
    heading: str
    start: int
    end: int
    text: str


@dataclass
class Skipped:
    binary_or_huge: int = 0
    unreadable: list[str] = field(default_factory=list)


def read_text(path: Path, skipped: Skipped) -> str | None:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            skipped.binary_or_huge += 1
            return None
        data = path.read_bytes()
    except OSError as exc:
        skipped.unreadable.append(f"{path}: {exc.strerror or exc}")
        return None
    if b"\0" in data[:4096]:
        skipped.binary_or_huge += 1
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        skipped.binary_or_huge += 1
        return None


def project_docs(root: Path, skipped: Skipped) -> list[SourceDoc]:
    paths: list[Path] = []
    for pattern in ("README*", "CHANGELOG*", "CHANGES*", "HISTORY*", "*.md", "*.rst",
                    "pyproject.toml"):
        paths += sorted(p for p in root.glob(pattern) if p.is_file())
    docs_dir = root / "docs"
    if docs_dir.is_dir():
        paths += sorted(p for p in docs_dir.rglob("*") if p.suffix in (".md", ".rst", ".txt")
                        and p.is_file())
    out = []
    for path in dict.fromkeys(paths):
        text = read_text(path, skipped)
        if text and text.strip():
            rel = path.relative_to(root).as_posix()
            out.append(SourceDoc("project", f"project:{rel}", rel, "", text))
    return out


def uv_help_pages(runner, root: Path, uv_version: str) -> list[SourceDoc]:
    """`uv help <command>` for every top-level command of the installed uv."""
    index = runner.uv(["help", "--no-pager"], root, timeout=60)
    commands = []
    in_commands = False
    for line in index.stdout.splitlines():
        if line.strip() == "Commands:":
            in_commands = True
            continue
        if in_commands:
            match = re.match(r"^\s{2}([a-z][a-z-]*)\s{2,}", line)
            if match:
                commands.append(match.group(1))
            elif line.strip() and not line.startswith(" "):
                break
    out = [SourceDoc("uv", "uv:uv", "uv help", uv_version, index.stdout)] if index.ok else []
    for command in commands:
        if command in ("help", "generate-shell-completion"):
            continue
        page = runner.uv(["help", "--no-pager", command], root, timeout=60)
        if page.ok and page.stdout.strip():
            out.append(SourceDoc("uv", f"uv:{command}", f"uv help {command}", uv_version,
                                 page.stdout))
    return out


def package_docs(root: Path, locked: dict, skipped: Skipped) -> list[SourceDoc]:
    """Metadata (summary, description, URLs) and shipped changelogs of installed packages."""
    from email.parser import Parser

    site = next(iter(sorted((root / ".venv" / "lib").glob("python*/site-packages"))), None)
    if site is None:
        return []
    out = []
    for info in sorted(site.glob("*.dist-info")):
        meta_text = read_text(info / "METADATA", skipped)
        if not meta_text:
            continue
        meta = Parser().parsestr(meta_text)
        name = normalize_name(meta.get("Name", ""))
        if name not in locked:
            continue
        version = meta.get("Version", "")
        urls = "\n".join(meta.get_all("Project-URL") or [])
        body = meta.get_payload() if isinstance(meta.get_payload(), str) else ""
        text = (f"# {meta.get('Name')} {version}\n\n{meta.get('Summary', '')}\n\n"
                f"{urls}\n\n{body}")
        out.append(SourceDoc("packages", f"packages:{name}", name, version, text))
        record = read_text(info / "RECORD", skipped) or ""
        for line in record.splitlines():
            rel = line.split(",", 1)[0]
            if _CHANGELOG.search(rel) and not rel.endswith((".py", ".pyc")):
                changelog = read_text(site / rel, skipped)
                if changelog:
                    out.append(SourceDoc("packages", f"packages:{name}:{rel}", f"{name}/{rel}",
                                         version, changelog))
    return out


def advisory_docs(db_path: Path | None, locked: dict) -> list[SourceDoc]:
    if db_path is None or not db_path.exists():
        return []
    from uvmgr.tools.osv import load_advisories

    try:
        db = load_advisories(db_path, set(locked))
    except Exception:  # noqa: BLE001 - a bad advisory database only means no advisory docs
        return []
    out = []
    for record in db.records.values():
        names = [a.get("package", {}).get("name", "") for a in record.get("affected", [])]
        text = (f"# {record['id']} ({', '.join(record.get('aliases', []))})\n\n"
                f"Packages: {', '.join(names)}\n\n{record.get('summary', '')}\n\n"
                f"{record.get('details', '')}")
        out.append(SourceDoc("advisories", f"advisories:{record['id']}", record["id"], "", text))
    return out


def pack_docs(packs: list[tuple[str, str, Path]], skipped: Skipped) -> list[SourceDoc]:
    """The Markdown files of the active packs' docs folders (`(pack, version, folder)`), each
    marked with its pack as source. The version is part of the id, so a new version of a pack
    replaces its old passages at the next refresh."""
    out = []
    for name, version, folder in packs:
        for path in sorted(p for p in folder.rglob("*.md") if p.is_file()):
            text = read_text(path, skipped)
            if text and text.strip():
                rel = path.relative_to(folder).as_posix()
                out.append(SourceDoc("packs", f"packs:{name}:{version}:{rel}",
                                     f"pack {name}: {rel}", version, text))
    return out


def chunk(doc: SourceDoc) -> list[Chunk]:
    """Split at headings (Markdown `#`, reST underlines, `Section:` lines of help pages),
    then at paragraph breaks to stay near CHUNK_CHARS; each chunk carries its heading."""
    lines = doc.text.splitlines(keepends=True)
    sections: list[tuple[str, int, int]] = []  # heading, start, end offsets
    heading, start, offset = doc.source, 0, 0
    has_body = False  # a heading with nothing under it joins the next section
    underline = False
    for i, line in enumerate(lines):
        stripped = line.rstrip("\n")
        is_heading = bool(_MD_HEADING.match(stripped))
        nxt = lines[i + 1].rstrip("\n") if i + 1 < len(lines) else ""
        if not is_heading and stripped and nxt and set(nxt) <= set("=-~^*") and len(nxt) >= 3:
            is_heading = True
        if not is_heading and re.match(r"^[A-Z][A-Za-z]*( [A-Za-z]+){0,3}:$", stripped):
            is_heading = True
        if is_heading and offset > start and has_body:
            sections.append((heading, start, offset))
            start, has_body = offset, False
        if is_heading:
            title = _MD_HEADING.sub(r"\2", stripped).strip()
            heading = (f"{heading} › {title}" if offset > start and not has_body and title
                       else title or heading)
        elif stripped and not underline:
            has_body = True
        underline = is_heading and bool(nxt) and set(nxt) <= set("=-~^*")
        offset += len(line)
    sections.append((heading, start, offset))
    chunks = []
    for heading, s, e in sections:
        piece_start = s
        while piece_start < e:
            piece_end = min(e, piece_start + CHUNK_CHARS)
            if piece_end < e:
                cut = doc.text.rfind("\n\n", piece_start + CHUNK_CHARS // 2, piece_end)
                piece_end = cut + 2 if cut > piece_start else piece_end
            text = doc.text[piece_start:piece_end].strip()
            if text:
                cid = f"{doc.doc_id}#{piece_start}"
                chunks.append(Chunk(cid, doc.doc_id, doc.kind, doc.source, doc.version, heading,
                                    piece_start, piece_end, text))
            piece_start = piece_end
    return chunks
