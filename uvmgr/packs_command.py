"""`uvmgr packs list|info NAME|enable NAME`: the installed packs, read from their
distributions' metadata (nothing is imported unless `info --check` asks for it)."""

from __future__ import annotations

import argparse
import sys

from uvmgr.errors import EXIT_OK, EXIT_USAGE


def add_parser(sub, common) -> None:
    p = sub.add_parser("packs", help="installed packs (third-party tools): list, info, enable")
    actions = p.add_subparsers(dest="packs_command", metavar="ACTION")
    q = actions.add_parser("list", help="each installed pack, its tools and whether they mutate")
    q.add_argument("--json", action="store_true", help="print JSON on stdout, nothing else")
    q = actions.add_parser("info", help="one pack: distribution, version, tools, status")
    q.add_argument("name")
    q.add_argument("--check", action="store_true",
                   help="also import the pack and run the checks a run does")
    q.add_argument("--json", action="store_true", help="print JSON on stdout, nothing else")
    q = actions.add_parser("enable", help="turn on a pack uvmgr disabled after it broke its word")
    q.add_argument("name")
    q.add_argument("--json", action="store_true", help="print JSON on stdout, nothing else")


def _rows(env=None) -> list[dict]:
    from uvmgr.packs.activation import active
    from uvmgr.packs.disabled import disabled_packs
    from uvmgr.packs.discovery import declared_packs, description_of
    from uvmgr.user_config import UserConfig

    declared = declared_packs()
    user = UserConfig.load(env)
    on = {d.name for d in active(declared, user, env)[0]}
    stopped = disabled_packs(env)
    rows = []
    for d in declared:
        if d.name in on:
            status = "active"
        elif d.name in stopped and stopped[d.name].get("version") == d.version:
            status = f"disabled by uvmgr: {stopped[d.name].get('reason')}"
        else:
            status = "off in your user config ([packs])"
        rows.append({"name": d.name, "distribution": d.distribution, "version": d.version,
                     "description": description_of(d), "status": status, "entry_point": d.reference,
                     "tools": [{"name": t.name, "mutates": t.mutates, "function": t.function}
                               for t in d.tools]})
    return rows


def _print_row(row: dict) -> None:
    print(f"{row['name']}  ({row['distribution']} {row['version']})  {row['status']}")
    if row["description"]:
        print(f"  {row['description']}")
    for tool in row["tools"]:
        print(f"  - {tool['name']}  {'mutates (asks first)' if tool['mutates'] else 'read-only'}")


def run(args: argparse.Namespace) -> int:
    import json

    if args.packs_command is None:
        print("uvmgr packs: choose an action: list, info NAME, enable NAME", file=sys.stderr)
        return EXIT_USAGE
    if args.packs_command == "enable":
        from uvmgr.packs.disabled import enable

        done = enable(args.name)
        if args.json:
            print(json.dumps({"pack": args.name, "enabled": done}, indent=2))
            return EXIT_OK
        print(f"uvmgr: pack {args.name!r} " + ("enabled again" if done else
                                                "was not disabled by uvmgr"), file=sys.stderr)
        return EXIT_OK
    rows = _rows()
    if args.packs_command == "info":
        rows = [r for r in rows if r["name"] == args.name]
        if not rows:
            from uvmgr import render
            from uvmgr.errors import UsageError

            render.error(UsageError(
                f"no installed pack is named {args.name!r}",
                hint="`uvmgr packs list` shows the installed packs; install one with `uv tool "
                     "install uvmgr --with <distribution>`"), args.json)
            return EXIT_USAGE
        if args.check:
            rows[0]["check"] = _check(args.name)
    if args.json:
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    if not rows:
        print("no packs installed (install one with `uv tool install uvmgr --with <pack>`)")
    for row in rows:
        _print_row(row)
        if "check" in row:
            print(f"  check: {row['check']}")
    return EXIT_OK


def _check(name: str) -> str:
    from uvmgr.packs.discovery import declared_packs
    from uvmgr.packs.loading import PackRejected, builtin_commands, load
    from uvmgr.tools.registry import REGISTRY

    d = next(d for d in declared_packs() if d.name == name)
    try:
        load(d, {s.name for s in REGISTRY}, builtin_commands())
    except PackRejected as exc:
        return f"fails: {exc}"
    return "ok: imports and passes every check"
