"""Whether the word after "add" can be a package at all.

"add a note to the README about click", "add caching", "add type hints" edit code or prose; they
never add a package called "note". A bare word is taken for a new package only when it looks like
one: a name the project or the popular-names list knows, or a word that is neither a common
English word nor shaped like one (-ing, -tion, -ment, -ness), and not introduced by "a/an/some/
more" (packages are named, not counted). Any word can still be added by saying so: "add the
package note", "add a package called note", or with a version ("note>=1"). Both readings use it:
the planner asks back (or refuses a code edit), and the strict grammar `--yes` trusts never
approves such an add.
"""

from __future__ import annotations

import re

# Things in code, docs and project files that people "add": never a package by that word alone.
CODE_NOUNS = frozenset(["annotation", "answer", "argument", "assertion", "attribute", "badge", "banner", "benchmark", "bit", "block", "branch", "bug", "button", "caching", "callback", "case", "changelog", "chapter", "check", "class", "classifier", "column", "command", "comment", "config", "configuration", "constant", "counter", "dashboard", "decorator", "default", "description", "diagram", "docstring", "doc", "documentation", "emoji", "endpoint", "entry", "enum", "example", "exception", "explanation", "faq", "feature", "field", "file", "fixture", "flag", "folder", "footnote", "function", "guard", "guide", "handler", "header", "heading", "helper", "hint", "hook", "icon", "image", "import", "index", "input", "issue", "item", "job", "key", "keyword", "label", "layer", "license", "line", "link", "lint", "log", "logging", "logo", "loop", "mark", "marker", "menu", "message", "method", "metric", "migration", "mock", "mode", "model", "module", "note", "option", "output", "padding", "page", "paragraph", "param", "parameter", "path", "pattern", "placeholder", "prompt", "property", "query", "question", "readme", "reminder", "retry", "retries", "route", "rule", "schema", "screenshot", "script", "section", "sentence", "setting", "shortcut", "signal", "snippet", "spacing", "stage", "step", "story", "stub", "subcommand", "summary", "table", "tag", "target", "task", "template", "test", "text", "thing", "timeout", "timer", "tip", "title", "todo", "tooltip", "trace", "type", "typing", "unit", "usage", "validation", "validator", "value", "variable", "view", "warning", "webhook", "word", "workflow", "wrapper", "stuff", "time", "look"])
# Introduces a counted thing, not a named package: "add a note", "add some padding".
_COUNTED = frozenset(["a", "an", "another", "some", "more", "few", "couple", "any", "extra"])
# Says the next word is a package, whatever it means in English: "add the package note".
_EXPLICIT = re.compile(r"\b(?:package|library|lib|module|dependency on|dep on|dependency|called|"
                       r"named)(?: the| a| an)?$")
# Where a code edit goes: "to the README", "in main.py", "to the parser".
CODE_PLACE = re.compile(
    r"\b(?:to|in|into|inside|on|around|for|above|below|at) (?:the |our |my |this |that |a |an |"
    r"every |each |all )?(?:[a-z0-9_/-]+\.(?:py|md|rst|txt|cfg|yaml|yml|json|ini|sh|toml)\b|"
    r"(?:readme|changelog|code|codebase|module|function|functions|class|classes|method|"
    r"parser|client|cli|api|test suite|tests?|docs|documentation|main|script|file|page|"
    r"section|gitignore|ci|workflow|config|app|server|endpoint|handler|loader|layer|service|"
    r"repo|faq|wiki|notes|header|footer|output|logs?|metadata|classifiers|pyproject metadata|"
    r"[a-z]+ (?:module|function|class|method|file|layer|page|section|command|endpoint|client|"
    r"server|service|loader|parser|handler|app|api|cli)s?)\b)")


# Where a package is never added: a file or a part of the code ("add rich to main.py", "add
# attrs to the readme"). Narrower than CODE_PLACE: "to tests", "to docs" name groups.
PACKAGE_INTO_CODE = re.compile(
    r"^\s*+(?:to|into|in|inside) (?:the |our |my |this |that |a )?(?:[a-z0-9_/-]+\.(?:py|md|rst|"
    r"txt|cfg|yaml|yml|json|ini|sh)\b|(?:readme|changelog|code|codebase|module|function|class|"
    r"method|script|file|page|gitignore|workflow|wiki|faq|notes|header|footer|docstring|"
    r"[a-z]+ (?:module|function|class|method|file|page|section|script)s?)\b)")


def _english(word: str) -> bool:
    from uvmgr.agent.lexicon import ENGLISH

    stem = word[:-1] if word.endswith("s") and len(word) > 3 else word
    if word in ENGLISH or word in CODE_NOUNS or stem in CODE_NOUNS:
        return True
    if word.endswith("ies") and word[:-3] + "y" in CODE_NOUNS:
        return True  # "retries", "entries"
    bare = word.removesuffix("s")
    return len(word) >= 6 and word.endswith("ing") or len(bare) >= 7 and bare.endswith(
        ("tion", "sion", "ment", "ness"))


def explicit_package(lead: str) -> bool:
    """The words before a name say it is a package: "the package note", "a lib called x"."""
    return bool(_EXPLICIT.search(lead.strip()))


def known_package(word: str, known: dict[str, str] | set[str] | frozenset[str] = frozenset()
                  ) -> bool:
    from uvmgr.tools.popular import POPULAR_PACKAGES
    from uvmgr.tools.project import normalize_name

    name = normalize_name(word)
    return name in known or name in POPULAR_PACKAGES


def popular_name(word: str) -> bool:
    """A widely used package's name that is no English word: "flask", "fastapi", "numpy"."""
    return known_package(word) and not _english(word) and word.removesuffix("s") not in \
        CODE_NOUNS


def not_a_package(word: str, lead: str, known: dict[str, str] | set[str] | frozenset[str]
                  = frozenset()) -> bool:
    """True when `word` (the bare word an add would take, after the words `lead` that came
    before it) names no package: a counted code thing ("a mock", "a retry"), or a common word
    or a counted thing unless the project or the popular-names list knows it, and never when
    the person said "the package ..."."""
    if not re.fullmatch(r"[a-z]+", word) or explicit_package(lead):
        return False
    counted = bool(set(lead.split()) & _COUNTED)
    if counted and (word in CODE_NOUNS or word.removesuffix("s") in CODE_NOUNS):
        return True
    if known_package(word, known):
        return False
    return counted or _english(word)


def code_edit(word: str, text: str) -> bool:
    """"add a note to the README", "add a comment", "install the git hooks": what is added is a
    thing in code or docs (a code noun with an article, or anything added to a file or a part
    of the code). A bare "add note" is asked back instead: it may be a package."""
    stem = word.removesuffix("s")
    counted = re.search(rf"\b(?:a|an|another|some|more|the) (?:[a-z-]+ )?{re.escape(word)}\b",
                        text)
    return bool(counted) and (word in CODE_NOUNS or stem in CODE_NOUNS) or bool(
        CODE_PLACE.search(text))
