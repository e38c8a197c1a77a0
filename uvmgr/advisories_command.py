"""`uvmgr advisories update|status`: the offline advisory database in the person's cache.

`update` downloads PyPI's OSV advisories (one zip) from the public OSV bucket, or from a mirror
named by `--url`, `UVMGR_ADVISORY_DB_URL` or `advisory-db-url` in the user config (never by a
project's `[tool.uvmgr]`), checks it and replaces the cached copy only if it is sound. Audits
use it when the OSV service cannot be reached, or always with `--offline` / `audit-offline`.
"""

from __future__ import annotations

import argparse
import sys

from uvmgr.errors import EXIT_FAILED, EXIT_OK, UvmgrError


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("advisories", help="the offline advisory database (download, status)",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = p.add_subparsers(dest="advisories_command", metavar="ACTION")
    up = actions.add_parser("update", help="download PyPI's OSV advisories into your cache")
    up.add_argument("--url", metavar="URL",
                    help="an OSV zip to download (default: advisory-db-url in your user config, "
                         "UVMGR_ADVISORY_DB_URL, else the public OSV bucket for PyPI)")
    up.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    st = actions.add_parser("status", help="how many advisories are cached, and how old")
    st.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    return p


def run(args: argparse.Namespace) -> int:
    from uvmgr import render

    try:
        if args.advisories_command == "update":
            return _update(args)
        return _status(args)
    except UvmgrError as exc:
        render.error(exc, args.json)
        return exc.exit_code


def _url(args: argparse.Namespace) -> str:
    """The flag, else UVMGR_ADVISORY_DB_URL, else the user config, else the default: the
    project's [tool.uvmgr] is not read at all."""
    from uvmgr.config import Settings
    from uvmgr.tools.advisory_db import DEFAULT_URL
    from uvmgr.user_config import UserConfig

    if args.url:
        return args.url
    return Settings.load({}, user=UserConfig.load()).advisory_db_url or DEFAULT_URL


def _update(args: argparse.Namespace) -> int:
    from uvmgr import render
    from uvmgr.tools.advisory_db import update_db
    from uvmgr.tools.progress import no_progress

    url = _url(args)
    status = None
    if not args.json and sys.stderr.isatty():
        from uvmgr.status_line import StatusLine

        status = StatusLine()
    try:
        db = update_db(url, progress=status or no_progress)
    finally:
        if status is not None:
            status.close()
    if args.json:
        render.print_json(db)
    else:
        print(f"advisory database: {db.describe()} (from {db.url})\n  {db.path}")
    return EXIT_OK


def _status(args: argparse.Namespace) -> int:
    from uvmgr import render
    from uvmgr.tools.advisory_db import cache_dir, cached_db

    db = cached_db()
    if args.json:
        render.print_json({"cached": db is not None, "database": db,
                           "cache_dir": str(cache_dir())})
    elif db is None:
        print(f"no offline advisory database in {cache_dir()}\n"
              "  hint: download it with `uvmgr advisories update`", file=sys.stderr)
    else:
        print(f"advisory database: {db.describe()} (from {db.url})\n  {db.path}")
    return EXIT_OK if db is not None else EXIT_FAILED

