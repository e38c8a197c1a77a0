"""Everything a `ToolSpec` must get right, checked in one place: the registry test runs it over
every tool, and a new tool (or a pack's) is checked the same way before it is registered."""

from __future__ import annotations

import inspect

from uvmgr.tools.spec import RESERVED_ARGS, ToolSpec


def problems(spec: ToolSpec) -> list[str]:
    """What is wrong with `spec`, in words a tool's author can act on; [] when nothing is."""
    try:
        func = spec.func
    except (ImportError, AttributeError) as exc:
        return [f"{spec.function}: cannot import the tool ({exc})"]
    out: list[str] = []
    params = list(inspect.signature(func).parameters)
    if not params or params[0] != "ctx":
        out.append(f"{spec.name}: the first parameter must be `ctx` (the ToolContext)")
    if len(spec.description) <= 40:
        out.append(f"{spec.name}: the docstring is what the model reads; say what the tool does, "
                   "what it changes, and when to use it")
    arguments = spec.arguments()
    for name, (hint, description) in arguments.items():
        if hint is None:
            out.append(f"{spec.name}.{name}: no type")
        if not description:
            out.append(f"{spec.name}.{name}: no description (Annotated[T, Arg(\"...\")])")
        if name in RESERVED_ARGS:
            out.append(f"{spec.name}.{name}: `{name}` is a front end's name; call it otherwise")
    if spec.mutates and "dry_run" not in arguments:
        out.append(f"{spec.name}: a mutating tool takes `dry_run` (the preview the person "
                   "approves)")
    if spec.result_type is None:
        out.append(f"{spec.name}: no return annotation (its result type)")
    out += _target_problems(spec, set(arguments))
    out += _cli_problems(spec, set(arguments))
    return out


def registry_problems(specs: tuple[ToolSpec, ...]) -> list[str]:
    """What is wrong between the tools of a registry: each one's own problems, two tools of
    one name, and a command two tools share without a switch to choose between them."""
    out = [p for spec in specs for p in problems(spec)]
    names = [spec.name for spec in specs]
    out += [f"two tools are named {name}" for name in sorted({n for n in names
                                                               if names.count(n) > 1})]
    plain: dict[str, list[str]] = {}
    for spec in specs:
        if spec.cli is not None and spec.cli.when is None:
            plain.setdefault(spec.cli.command, []).append(spec.name)
    out += [f"`uvmgr {command}` runs {' or '.join(tools)}: give all but one a `when` switch"
            for command, tools in plain.items() if len(tools) > 1]
    return out


def _target_problems(spec: ToolSpec, arguments: set[str]) -> list[str]:
    try:
        covered = spec.target_rules().covered
    except (ImportError, AttributeError, TypeError) as exc:
        return [f"{spec.name}: its targets ({spec.targets}) are not a Targets for it: {exc}"]
    out = [f"{spec.name}.{name}: no targets rule; say what it names (a package, a URL, a "
           "path...) or declare it TARGET_FREE" for name in sorted(arguments - covered)]
    out += [f"{spec.name}: a targets rule for `{name}`, which is not an argument"
            for name in sorted(covered - arguments)]
    return out


def _cli_problems(spec: ToolSpec, arguments: set[str]) -> list[str]:
    if spec.cli is None:
        return []
    out = []
    for flag in spec.cli.flags:
        if flag.arg is not None and flag.arg not in arguments:
            out.append(f"{spec.name}: flag {flag.names[0]} binds `{flag.arg}`, which is not an "
                       "argument")
        if flag.positional and flag.names != (flag.arg,):
            out.append(f"{spec.name}: a positional flag is named as its argument "
                       f"({flag.names[0]} vs {flag.arg})")
    return out
