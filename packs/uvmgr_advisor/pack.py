"""The advisor's `Pack`: what its entry point (`uvmgr.packs`, in uvmgr's own pyproject.toml)
names. Plain data: the tool is imported on first use.

`advise` is offered to the planners like any tool: a model reads its docstring, and the
offline planner's reader reads the phrases below (whole words in order; `...` lets a few
words stand between), each narrowing the run to the check the request is about.
"""

from __future__ import annotations

from uvmgr.packs import API_VERSION, Cli, Intent, Pack, ToolSpec, flag

_TESTS = ("slow tests", "slow test", "slowest tests", "slowest test", "test ... slow",
          "tests ... slow", "tests ... slowest", "test ... slowest", "tests ... slower",
          "pytest ... slow", "speed up ... tests", "speed up ... test suite", "tests take ... long",
          "how long ... test", "how long ... tests", "test durations", "test timings",
          "profile ... tests", "profile ... test")
_IMPORTS = ("import time", "import times", "import ... slow", "importing ... slow",
            "imports ... slow", "slow import", "slow imports", "slows ... import", "import cost",
            "how long ... import", "long to start", "slow to start", "startup time",
            "start up time", "lazy imports", "importtime")
_DEPS = ("unused dependencies", "unused dependency", "unused deps", "unused packages",
         "dependencies ... unused", "deps ... unused", "packages ... unused", "undeclared",
         "not declared", "never import", "never imported", "never used",
         "dependencies ... not ... use", "deps ... not ... use", "only ... transitive",
         "deptry")
_SIZES = ("heavy dependencies", "heaviest dependencies", "dependencies ... heavy",
          "biggest dependencies", "largest dependencies", "dependency sizes", "installed size",
          "disk space", "dependency ... size", "dependencies ... size", "how big ... dependency",
          "how big ... dependencies")
_ALL = ("performance", "advise", "advisor", "bottleneck", "bottlenecks", "speed up",
        "make ... faster")

PACK = Pack(
    name="advisor",
    version="0.2.0",
    description="Performance advice: slow tests, import time, heavy, unused and undeclared "
                "dependencies. Reads only.",
    api_version=API_VERSION,
    tools=(
        ToolSpec(function="uvmgr_advisor.advise:advise", family="advise", mutates=False,
                 targets="uvmgr_advisor.advise:advise_targets",
                 cli=Cli("advise", "performance advice: slow tests, import time, heavy, unused and "
                         "undeclared dependencies", (
                             flag("--check", arg="checks", action="append",
                                  choices=("tests", "imports", "sizes", "deps"),
                                  help="run only this check (repeatable)"),
                             flag("--markdown", arg=None, action="store_true",
                                  help="print the report as a Markdown section (for a CI report)")))),
    ),
    intents=(
        Intent("advise", _TESTS, {"checks": ["tests"]},
               "Time the test suite and show the slowest tests (setup vs call)."),
        Intent("advise", _IMPORTS, {"checks": ["imports"]},
               "Measure what importing the package costs and which dependency it comes from."),
        Intent("advise", _DEPS, {"checks": ["deps"]},
               "Find declared but unused, and imported but undeclared, dependencies."),
        Intent("advise", _SIZES, {"checks": ["sizes"]},
               "Measure the installed size each direct dependency brings."),
        Intent("advise", _ALL, {}, "Run the performance advisor's checks."),
    ),
    scenarios="uvmgr_advisor:scenarios",
    docs="uvmgr_advisor:docs",
)
