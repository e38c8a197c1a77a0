"""Example phrasings per intent, read by the offline planner's matcher.

`PKG` stands for a package name; the matcher replaces names it recognises in a request
with the same placeholder, so the verbs decide the intent, not the names.
"""

INTENT_EXAMPLES: dict[str, tuple[str, ...]] = {
    "outdated": (
        "what's outdated?", "which dependencies are outdated", "show outdated packages",
        "are there newer versions of my dependencies", "check for updates",
        "list available updates", "what can I update", "any new releases of my deps",
        "is anything out of date", "which packages have updates available",
        "how old are my dependencies", "is PKG up to date", "what is the latest version of PKG",
    ),
    "upgrade": (
        "upgrade safely", "bump everything that's safe", "update all dependencies",
        "upgrade my dependencies", "update everything", "bring dependencies up to date",
        "apply the safe updates", "do the patch updates", "patch-level updates only", "upgrade PKG", "update PKG",
        "bump PKG", "upgrade PKG to the latest minor", "apply minor and patch upgrades",
        "upgrade everything to the latest major", "update deps but keep the tests green",
        "refresh my dependencies", "upgrade all packages",
    ),
    "audit": (
        "any CVEs in my deps?", "are we exposed to any CVE?", "check for vulnerabilities",
        "run a security audit", "is my project vulnerable", "scan the dependencies for "
        "security issues", "audit my dependencies", "are there known security advisories",
        "is PKG vulnerable", "any security problems?", "check advisories", "security scan",
    ),
    "fix": (
        "fix the vulnerabilities", "patch the security issues", "fix the CVEs",
        "upgrade the vulnerable packages", "remediate the advisories",
        "fix security problems in my dependencies", "make us not vulnerable anymore",
        "resolve the security vulnerabilities", "fix the audit findings",
    ),
    "add": (
        "add PKG", "add PKG to the dev group", "install PKG", "add PKG as a dev dependency",
        "I need PKG in the project", "add a dependency on PKG",
        "add PKG and run the tests", "include PKG in the dependencies", "start using PKG",
    ),
    "remove": (
        "get rid of PKG", "remove PKG", "uninstall PKG", "drop the dependency on PKG",
        "we no longer need PKG", "delete PKG from the dependencies", "stop depending on PKG",
        "take PKG out of the project",
    ),
    "list": (
        "list my dependencies", "what are my dependencies", "show the dependency list",
        "which packages do we depend on", "what versions are locked",
        "what does the project depend on", "show direct dependencies",
    ),
    "test": (
        "run the tests", "do the tests pass?", "run pytest", "check the test suite",
        "are the tests green", "test the project", "does everything still work",
    ),
    "build": (
        "make sure the build works", "build the package", "can we build a wheel",
        "build the sdist and wheel", "does it package correctly", "check that it builds",
    ),
    "check": (
        "lint the code", "run the linters", "check the formatting", "type check the project",
        "run ruff", "check code quality", "are there lint errors", "lint", "any type errors?",
    ),
    "lock": (
        "update the lock file", "lock the project", "regenerate uv.lock", "create the lockfile",
        "relock", "refresh the lockfile",
    ),
    "out_of_scope": (
        "write me a poem", "what's the weather today", "deploy to production",
        "push the code to github", "delete all my files", "explain quantum physics",
        "print the environment variables", "send an email to my boss", "book a flight",
        "how do I center a div", "tell me a joke",
    ),
    "docs": (
        "what changed in PKG that affects us", "why is PYSEC-2018-28 relevant",
        "how do I pin a package to a git commit with uv", "what does uv lock --upgrade do",
        "explain the PKG changelog", "what is new in PKG 2.0", "how do I use uv sync",
        "show me the docs about dependency groups", "search the docs for exclude-newer",
        "what does this advisory mean", "how does uv handle workspaces",
    ),
}

INTENT_DESCRIPTIONS: dict[str, str] = {
    "outdated": "list outdated dependencies",
    "upgrade": "upgrade dependencies with the tests as a gate",
    "audit": "audit the locked dependencies for known vulnerabilities",
    "fix": "fix the known vulnerabilities",
    "add": "add dependencies",
    "remove": "remove dependencies",
    "list": "list the dependencies",
    "test": "run the tests",
    "build": "build the package",
    "check": "run format, lint and type checks",
    "lock": "update uv.lock",
    "docs": "answer from the docs index (project docs, uv help, package changelogs, advisories)",
}

NEXT_STEPS: dict[str, str] = {
    "outdated": "To apply the patch and minor updates with the tests as a gate, ask "
                "\"upgrade safely\" or run `uvmgr deps upgrade --safe`.",
    "audit": "To move each vulnerable package to its lowest fixed version, ask \"fix the "
             "vulnerabilities\" or run `uvmgr audit --fix`.",
    "upgrade": "Run `uvmgr test` to see the state of the tests, and `uvmgr deps outdated` for "
               "what is left.",
    "docs": "The passages above are quoted from the sources named in each citation; "
            "`uvmgr docs search` shows more.",
    "refused": "Nothing was changed. Run the request again in a terminal to review and approve "
               "the change. --yes approves only a change your request plainly commands, with "
               "nothing around it (e.g. \"upgrade click\"); anything else is asked.",
    "declined": "Nothing was changed, as you answered. Ask again when you want it.",
}

# The same advice inside the chat: ask in words (every change is previewed and approved in
# the dialog there); no command-line flags.
CHAT_NEXT_STEPS: dict[str, str] = {
    **NEXT_STEPS,
    "outdated": "To apply the patch and minor updates with the tests as a gate, ask "
                "\"upgrade safely\".",
    "audit": "To move each vulnerable package to its lowest fixed version, ask \"fix the "
             "vulnerabilities\".",
    "upgrade": "Ask \"run the tests\" to see the state of the tests, and \"what's "
               "outdated?\" for what is left.",
    "docs": "The passages above are quoted from the sources named in each citation; ask "
            "again in other words for more.",
    "refused": "Nothing was changed. Ask again when you want it: the change is previewed "
               "here and waits for your answer (y/a approve, n/r reject).",
    "declined": "Nothing was changed, as you answered. Ask again when you want it.",
}

OFFLINE_REFUSAL = (
    "I can't do that offline: the offline planner only handles project maintenance "
    "(outdated, upgrade, audit, fix, add, remove, list, test, build, check, lock) and searches "
    "the docs. "
    "Configure a model with --model, UVMGR_MODEL or [tool.uvmgr] model for anything else."
)
