"""The todo pack: what its entry point names. Plain data: importing this module imports no
tool (the functions are named "module:function" and loaded on first use)."""

from uvmgr.packs import API_VERSION, Cli, Intent, Pack, ToolSpec, flag

PACK = Pack(
    name="todo",
    version="0.1.0",
    description="Count TODO comments; set the project's description.",
    api_version=API_VERSION,
    tools=(
        ToolSpec(function="uvmgr_todo_pack.tools:count_todos", family="todo", mutates=False,
                 targets="uvmgr_todo_pack.tools:count_todos_targets",
                 cli=Cli("todos", "count TODO and FIXME comments in the project's Python files",
                         (flag("--marker", action="append",
                               arg="markers", help="a marker to count (repeatable)"),))),
        ToolSpec(function="uvmgr_todo_pack.tools:set_description", family="todo",
                 mutates=True, targets="uvmgr_todo_pack.tools:set_description_targets",
                 cli=Cli("describe", "set [project] description in pyproject.toml",
                         (flag("description"),))),
    ),
    intents=(
        Intent("count_todos", ("todo comments", "todos", "fixme comments"),
               thought="Count the TODO and FIXME comments."),
    ),
    scenarios="uvmgr_todo_pack:scenarios",  # eval scenarios, run by `uvmgr eval`
    docs="uvmgr_todo_pack:docs",  # Markdown for the docs index (`search_docs`)
)
