"""uv.lock is parsed once per text: a command that reads it several times (deps outdated reads
it three times) parses a big lock once, and any change to the file is seen at the next read."""

from __future__ import annotations

import os

import pytest
from uvmgr.tools.project import Project

from uvmgr.errors import ProjectError


def test_a_lock_changed_in_place_is_read_again_same_size_and_time(demo_project):
    project = Project(demo_project.root)
    assert project.locked_packages()["demo-http"].version == "1.0.0"
    before = demo_project.lock.stat()
    text = demo_project.lock.read_text(encoding="utf-8")
    entry = 'name = "demo-http"\nversion = "1.0.0"'
    assert entry in text
    demo_project.lock.write_text(text.replace(entry, entry.replace("1.0.0", "1.0.3")),
                                 encoding="utf-8")
    os.utime(demo_project.lock, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert demo_project.lock.stat().st_size == before.st_size  # nothing but the text differs
    assert project.locked_packages()["demo-http"].version == "1.0.3"
    assert {d.name: d.locked for d in project.direct_dependencies(
        project.locked_packages())}["demo-http"] == "1.0.3"


def test_a_lock_broken_after_a_good_read_is_still_an_error(demo_project):
    project = Project(demo_project.root)
    assert project.locked_packages()
    demo_project.lock.write_text("this is = = not toml", encoding="utf-8")
    with pytest.raises(ProjectError, match="uv.lock cannot be read"):
        project.locked_packages()
