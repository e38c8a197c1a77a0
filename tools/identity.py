"""Who made a journal or an undo point: this machine, this user, this project.

A random token per project lives OUTSIDE the repository, in the user's state folder
(`$XDG_STATE_HOME/uvmgr/projects/<sha256 of the resolved project path>/token`, else
`~/.local/state/uvmgr/...`). uvmgr writes it, with the host, the user and the resolved project
path, into every journal and undo point it creates, and replays only those whose identity
matches. A `.uvmgr/` that came with a clone or was copied from another project has no
matching token, so it is reported and ignored, never replayed.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import socket
from pathlib import Path

from uvmgr.tools.project import Project

TOKEN_FILE = "token"


def user_state_home() -> Path:
    from uvmgr.user_dirs import user_dir

    return user_dir("XDG_STATE_HOME")


def _token_path(project: Project) -> Path:
    key = hashlib.sha256(str(project.root).encode()).hexdigest()[:32]
    return user_state_home() / "projects" / key / TOKEN_FILE


def project_token(project: Project, *, create: bool) -> str | None:
    """This project's token on this machine; created (0600) on first need when `create`."""
    path = _token_path(project)
    try:
        return path.read_text(encoding="ascii").strip() or None
    except FileNotFoundError:
        if not create:
            return None
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:  # another uvmgr made it first
        return path.read_text(encoding="ascii").strip() or None
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(16))
    return path.read_text(encoding="ascii").strip()


def _user() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return str(os.getuid())


def identity(project: Project) -> dict[str, str]:
    """The identity to write into a journal or undo point uvmgr creates now."""
    return {"host": socket.gethostname(), "user": _user(), "project": str(project.root),
            "token": project_token(project, create=True) or ""}


def is_ours(recorded: object, project: Project) -> bool:
    """True only for an identity uvmgr wrote on this machine, as this user, for this project."""
    if not isinstance(recorded, dict):
        return False
    token = project_token(project, create=False)
    if token is None:
        return False
    expected = {"host": socket.gethostname(), "user": _user(), "project": str(project.root),
                "token": token}
    return all(isinstance(recorded.get(k), str) and hmac.compare_digest(recorded[k], v)
               for k, v in expected.items())
