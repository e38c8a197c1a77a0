"""A real package index with authentication on loopback, for private-index tests: pypiserver
(the PyPI package) serving a folder of wheels, every page and file behind HTTP basic auth
checked against an htpasswd file.

`serve_index(folder, users)` serves `folder` at `http://127.0.0.1:PORT/simple/` and yields a
`ServedIndex` whose `requests` lists every path asked for (so a test can show that a private
name never reached the public index). `users=None` serves it without authentication (a stand-in
for the public index). `build_private_wheels(dest)` writes the private packages: one only the
private index has, and a private build of a public name (`demo-yaml`) at versions the public
index does not have, so a lookup on the wrong index shows.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from uvmgr.evals.wheel_index import DemoPackage, DemoRelease, build_demo_wheel

PRIVATE_ONLY = "acme-internal"
SHADOWED = "demo-yaml"  # public: 5.0.0, 5.0.1, 5.1.0, 6.0.0
PRIVATE_PACKAGES = (
    DemoPackage(PRIVATE_ONLY, (DemoRelease("1.0.0"), DemoRelease("1.1.0"), DemoRelease("2.0.0"))),
    DemoPackage(SHADOWED, tuple(DemoRelease(v, summary="demo-yaml, the private build")
                                for v in ("5.0.0", "5.3.0", "7.0.0"))),
)


def build_private_wheels(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for package in PRIVATE_PACKAGES:
        for release in package.releases:
            build_demo_wheel(dest, package, release)
    return dest


def write_htpasswd(path: Path, users: dict[str, str]) -> Path:
    """An htpasswd file (SHA-256 crypt: no bcrypt backend needed)."""
    from passlib.apache import HtpasswdFile

    file = HtpasswdFile(str(path), new=True, default_scheme="sha256_crypt")
    for user, password in users.items():
        file.set_password(user, password)
    file.save()
    return path


@dataclass
class ServedIndex:
    url: str  # the simple index: http://127.0.0.1:PORT/simple/
    requests: list[str] = field(default_factory=list)  # every path asked for, in order

    def asked_for(self, name: str) -> bool:
        return any(f"/{name}/" in path or f"/{name.replace('-', '_')}-" in path
                   for path in self.requests)


@contextlib.contextmanager
def serve_index(folder: Path, users: dict[str, str] | None = None) -> Iterator[ServedIndex]:
    import tempfile

    import pypiserver
    from uvmgr.tools.loopback import LoopbackServer

    with tempfile.TemporaryDirectory(prefix="uvmgr-htpasswd-") as tmp:
        if users:
            auth = {"authenticate": ["download", "list", "update"],
                    "password_file": str(write_htpasswd(Path(tmp) / "htpasswd", users))}
        else:
            auth = {"authenticate": [], "password_file": "."}
        app = pypiserver.app(roots=[str(folder)], **auth)
        served = ServedIndex("")

        def recording(environ, start_response):
            served.requests.append(environ.get("PATH_INFO", ""))
            return app(environ, start_response)

        server = LoopbackServer.wsgi(recording)
        with server as url:
            served.url = f"{url}/simple/"
            yield served
