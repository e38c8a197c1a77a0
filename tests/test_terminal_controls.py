"""Text a repository (or an advisory, a package, a tool) supplies is shown as text: an escape
sequence planted in it never reaches the terminal. Before, a README passage or an advisory
summary could carry `ESC ] 52` (write the clipboard in many terminals), clear the screen, or
move the cursor to paint over what uvmgr printed (an approval preview, a refusal)."""

from __future__ import annotations

import json
import shutil

PLANTED = "\x1b]52;c;ZWNobyBwd25lZA==\x07\x1b[2J\x1b[1A\x9b31m\rsafe"


def test_controls_become_visible_text():
    from uvmgr.terminal_text import neutral

    assert neutral("a\tb\nc") == "a\tb\nc"  # tabs and newlines stay
    assert neutral("line\r\n") == "line\n"  # Windows line ends are not an attack
    shown = neutral(PLANTED)
    assert not any(ord(c) < 32 and c not in "\t\n" or 0x7f <= ord(c) <= 0x9f for c in shown)
    assert "\\x1b]52" in shown and shown.endswith("\\x0dsafe")


def test_a_planted_docs_passage_reaches_the_terminal_as_text(cli, demo_project):
    (demo_project.root / "docs").mkdir()
    (demo_project.root / "docs" / "pinning.md").write_text(
        f"# Pinning\n\nPin a package to a git commit with uv add. {PLANTED} pin pin\n")
    for argv in (("docs", "search", "pin a package to a git commit"),
                 ("ask", "how do I pin a package to a git commit?")):
        r = cli(*argv, "--project", demo_project.root)
        assert r.code == 0, r.out + r.err
        assert "\\x1b]52" in r.out + r.err  # the passage is shown ...
        assert "\x1b" not in r.out + r.err and "\x07" not in r.out + r.err  # ... as text


def test_a_planted_advisory_summary_reaches_the_terminal_as_text(cli, demo_project,
                                                                 fixture_advisories):
    db = demo_project.root / "advisories"
    shutil.copytree(fixture_advisories, db)
    for path in db.glob("*.json"):
        record = json.loads(path.read_text())
        record["summary"] = f"{record.get('summary', '')} {PLANTED}"
        path.write_text(json.dumps(record))
    r = cli("audit", "--db", db, "--project", demo_project.root)
    assert r.code == 1, r.out + r.err
    assert "\x1b" not in r.out + r.err and "\x9b" not in r.out + r.err
