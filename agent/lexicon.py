"""The words the request reader knows: intent verbs with their synonyms, slang, abbreviations
and common misspellings; question openers; level, scope, exclusion and negation words; the
other languages it recognises. Plain data, compiled once at import (no I/O)."""

from __future__ import annotations

# Numbers said in words, for versions spoken aloud ("two point five", "zero point twenty-six").
NUMBER_WORDS: dict[str, int] = {w: i for i, w in enumerate([
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen"])} | {"oh": 0, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
                    "seventy": 70, "eighty": 80, "ninety": 90}

# The head verb of a command, by the intent it usually carries; the object decides the rest
# ("patch the CVEs" is fix, "refresh the lock file" is lock, "refresh my deps" is upgrade).
HEAD_VERBS: dict[str, str] = {
    **dict.fromkeys([
        "upgrade", "upgrad", "upgarde", "upgade", "upgrde", "uprade", "ugprade", "update",
        "upd", "upg", "updt",
        "updte", "udpate", "updaet", "upate", "updat", "bump", "bumb", "freshen", "refresh",
        "modernise", "modernize", "raise", "lift", "nudge", "uplift", "advance", "roll", "bring",
        "level",
    ], "upgrade"),
    **dict.fromkeys([
        "remove", "remvoe", "rmeove", "remov", "yeet", "uninstall", "unistall", "drop", "delete",
        "erase", "expunge", "evict", "excise", "reomve", "remoev", "rmove", "delte",
        "uninstal",
        "ditch", "rip", "strip", "kill", "nuke", "purge", "yank", "axe", "scrap", "eliminate",
        "toss", "lose", "deinstall", "dump", "chuck", "rm", "cut", "unadd", "trash", "discard",
    ], "remove"),
    **dict.fromkeys([
        "add", "ad", "addd", "install", "instal", "isntall", "include", "introduce", "grab",
        "require", "instll", "adde",
        "depend", "slap",
    ], "add"),
    **dict.fromkeys([
        "fix", "fixup", "remediate", "resolve", "address", "mitigate", "repair", "patch", "solve",
        "squash", "close", "harden", "secure", "clear",
    ], "fix"),
    **dict.fromkeys(["pin", "freeze", "revert"], "add"),  # a pin needs a version, else it asks
    **dict.fromkeys([
        "lock", "relock", "re-lock", "regenerate", "regen", "recreate", "re-resolve",
        "re-generate", "regenrate",
    ], "lock"),
    **dict.fromkeys(["audit", "scan"], "audit"),
    **dict.fromkeys(["lint", "typecheck", "type-check"], "check"),
    # verbs that change code or leave the project: read so the step is refused, never guessed
    **dict.fromkeys(["format", "reformat", "autoformat", "prettify", "beautify", "publish",
                     "deploy", "upload", "release", "tag", "commit", "push", "refactor",
                     "rename", "email", "tweet", "notify", "ping", "compress", "zip",
                     "archive", "rewrite", "reimplement", "restructure",
                     "reorganise", "reorganize", "annotate", "write"], "out_of_scope"),
    **dict.fromkeys(["test", "retest", "rerun"], "test"),
    **dict.fromkeys(["build", "compile", "package", "rebuild"], "build"),
    **dict.fromkeys(["list", "show", "display", "print", "enumerate"], "list"),
    **dict.fromkeys(["explain", "describe", "search", "document"], "docs"),
    **dict.fromkeys([
        "check", "verify", "validate", "run", "execute", "inspect", "review", "look", "find",
        "see", "confirm", "ensure", "make", "do", "get", "pull", "put", "take", "throw", "start",
        "stop", "set", "move", "sort", "clean", "tidy", "apply", "go", "report",
    ], "generic"),
}
# Misspelt verbs: read, but a request that needs them is never approved by --yes.
MISSPELT_VERBS = frozenset([
    "upgrad", "upgarde", "upgade", "upgrde", "uprade", "ugprade", "updte", "udpate", "updaet",
    "upate", "updat", "bumb", "remvoe", "rmeove", "remov", "ad", "addd", "instal", "isntall",
    "unistall", "regenrate", "reomve", "remoev", "rmove", "delte", "uninstal", "instll", "adde",
])
# Multi-word verbs, read before the single-word table.
PHRASAL_VERBS: tuple[tuple[str, str], ...] = (
    ((r"get rid of|rip out|take out|throw out|strip out|cut out|yank out|pull out|kick out|"
      r"stop depending on|stop using|do away with|clear out|phase out|back out|"
      r"give (?P<obj>.{1,30}) the (?:boot|axe|chop|heave-ho)|show (?P<obj2>.{1,30}) the door"),
     "remove"),
    ((r"pull in|bring in|pull down|throw in|put in|hook up|plug in|start using|depend on|"
      r"add in|get me|grab me|toss in|slot in|wire in|bolt on"), "add"),
    ((r"bring up to date|bring (?P<obj>.{1,40}) up to date|catch up|level up|roll forward|"
      r"move up|move forward|go (up|to the latest|to latest)|get (the )?latest|"
      r"pull (the )?latest|freshen up|spruce up|top up|keep (?P<obj2>.{1,30}) current|"
      r"make (?P<obj3>.{1,30}) current|(?:make|get) (?P<obj4>.{1,30}) up to date"), "upgrade"),
    (r"look up|read up on|search for|look for docs|tell me about", "docs"),
    (r"format(ting)? check|check (the )?format\w*", "check"),
    (r"type[- ]check|check types", "check"),
    (r"sort out|clean up|deal with|take care of|patch up|close up|shore up|button up", "fix"),
)
# Object words that decide an ambiguous verb ("patch the CVEs" is fix; "refresh the lock
# file" is lock; "refresh my dependencies" is upgrade).
SECURITY = (r"vulnerabilit\w*|vulnerable|cves|cve-\S+|security|advisor(y|ies)|exploits?|"
            r"ghsa\S*|pysec\S*|audit findings|holes?|insecure|exposures?|log4shell|heartbleed|"
            r"zero-?day|0day|"
            r"known issues|osv")
LOCK_OBJECT = r"lock file|lock|locks|locked versions|lockfile|resolution"
TEST_WORDS = (r"tests?|test suite|unit tests|pytest|(the |whole |entire |full )+suite|testsuite|"
              r"specs|test run|"
              r"tests? pass\w*|green|nothing (is |got )?broken|nothing breaks|(everything|it|"
              r"things|all) still works?|(everything|things|all) works|smoke test")
BUILD_WORDS = (r"build|builds|built|buildable|wheel|wheels|sdist|dist|distribution|package it|"
               r"packaging|packaged|be packaged")
CHECK_WORDS = (r"lint\w*|ruff|mypy|is the code|code clean|clean code|type ?check\w*|types|typing|"
               r"formatt?\w*|style|code quality|"
               r"quality|pyright|flake8|static analysis")
LIST_WORDS = (r"list|show|pinned|footprint|dependency|declared|pyproject|dev group|groups?|in the (dev|docs|test) "
              r"group|what version|which version|print|display|enumerate|see|tree|what (do|does) "
              r"(we|the project|it) "
              r"depend on|depend on|installed|locked versions|direct dependencies")
OUTDATED_WORDS = (r"outdated|out of date|out-of-date|behind|stale|old|older|oldest|newer|freshness|"
                  r"rotting|rotten|rot|moldy|mouldy|gone off|version drift|drift|drifted|"
                  r"shipped (anything|something)( new)?|released (anything|something)( new)?|"
                  r"new (versions?|releases?)|updates? available|available updates?|"
                  r"upgrades? available|available upgrades?|latest|lagging|up to date|"
                  r"up-to-date|current|obsolete|ancient|dated|fresh|releases?|updates|upgrades")

QUESTION_OPENERS = (r"what|which|whats|how|why|where|when|who|whose|is|are|am|do|does|did|"
                    r"has|have|had|any|anything|should|shall|would|could|can|may|might|must|"
                    r"will|was|were|wonder|wondering|curious|tell me|know")
# "can you X" asks for X to be done; "can I / should we / is it ok to X" asks about doing it.
POLITE = (r"(is there )?(any|a) chance (that )?(you|u) (could|can|would|might)( please)?|"
          r"(can|could|would|will|wo|might) you( please)?( go ahead and)?|"
          r"(i|we) (want|would like|wish) that (you|u)|"
          r"(i|we) (would like|want|wanna|need|have) to|(i|we) (would like|want) you to|"
          r"go ahead and|let us|time to|you (should|can|could|may)|i need you to|"
          r"make sure (to|you)|be so kind as to|mind|help me|help us")
HOWTO = (r"(what is the |the )?difference between\b|(tell|show) (me|us) how\b|how (do|can|should|would|could|to|does)\b|how is\b|"
         r"what is the [a-z]+est (way|command)\b|"
         r"what is the ((best|right|proper|recommended|preferred|correct|easiest|simplest|"
         r"standard|idiomatic|usual|normal|official) )?(way|command|difference)\b|what command\b|which command\b|is there a way\b|"
         r"is there any way\b|what is the syntax\b|explain\b|what does .* (mean|do)\b|"
         r"what (is|are) (a|an) |"
         r"what (is|are) (a |an )?(uv|pep|dependency groups?|extras?|workspaces?|"
         r"lock ?files?)\b|docs?\b|documentation\b|guide\b|tutorial\b")
DELIBERATE = (r"should (we|i|you)|shall (we|i)|is (it )?possible|is it (ok|okay|safe|wise|fine|a good idea|"
              r"smart|alright|possible)|would it (be|make sense)|do (we|you) (think|recommend)|"
              r"worth|can (we|i)|could (we|i)|may (we|i)|am i allowed|are we allowed|"
              r"what if|what would happen|would .* break|do we (need|want|really)|is .* needed|"
              r"was rejected|were rejected|was declined|thinking (about|of)|considering|"
              r"wonder(ing)? (if|whether)|might|maybe")

LEVEL_WORDS = {
    "patch": r"patch|patches|patch-level|patch level|patchlevel|x\.y\.z|bug ?fix(es)?|bugfix-only|"
             r"point releases?|micro|hotfix(es)?|z-level|security-only|tiny",
    "minor": r"minor|minors|minor-level|feature releases?|compatible|non-breaking|nonbreaking|"
             r"semver-safe|safe",
    "major": r"major|majors|breaking|major versions?|major releases?|all the way|"
             r"across majors|new majors?|next major",
}
NEGATORS = (r"no|not|without|avoid|avoiding|never|skip|skipping|except|excluding|nothing|unless|"
            r"non|exclude|but no|minus|hold off on|stay (below|under|within|off)|cap|"
            r"keep (it|things|them|everything) (to|at|within|below|under)|stay clear of")

SCOPE_ALL = (r"all|everything|every|each|the whole|the lot|whole lot|entire|across the board|"
             r"wholesale|stuff|things|the rest|everything else|the others|the remaining|"
             r"dependencies|packages|libraries|libs|modules|requirements")
EXCLUDE = (r"except( for)?|excluding|exclude|but not|other than|apart from|aside from|save for|"
           r"besides|with the exception of|minus|skip|skipping|not|leave|leaving|"
           r"(do not|never|don't) (touch|upgrade|update|bump|change|include)|without touching|keep|keeping|"
           r"hold back|holding back|hold|freeze|ignore|ignoring|but")
AMBIGUOUS_TARGETS = (r"it|that|this|that one|this one|the one|them|those|these|whichever|"
                     r"whatever|the thing|the package from earlier|the one from earlier|"
                     r"the same|the other one|what we talked about|the broken one|the failing one|"
                     r"the one that|the package we discussed|as before|like last time")

OUT_OF_SCOPE = (r"(publish|upload|push|release|deploy)\w* .{0,30}\bpypi|"
                r"publish(ing)? (it|this|the|to|on|a|our|my)|write (unit |some |more )?tests|"
                r"open (an|a new) (issue|ticket|pr)|\d+ ?[+*/] ?\d+|\d+ - \d+|dev server|start the server|"
                r"run the (app|server)|book|meeting|coverage to \d|increase (the )?(test )?coverage|"
                r"spin up|postgres|mysql|redis server|previous instructions|system prompt|"
                r"after every upgrade|(fix|repair) (the|my|our|failing|broken) (unit )?tests|"
                r"make the tests pass|stubs|backport|write (the )?docs|write docs for|tokens?|api keys?|"
                r"credentials|(remove|delete) (the )?(failing|broken|flaky) tests|(best|web) .{0,20}framework|quantum|pyinstaller|binary|src layout|layout|pypirc|"
                r"contents of|curl|wget|auto-?fix|auto-?format|schedule|cron|every (monday|"
                r"day|week|night)|laptop|recommend (a|me)|jira|ticket|vendor|upload|pastebin|gist|renovate|dependabot|"
                r"pre-commit|send (the|an|this|it|our)|e-?mail|@[a-z0-9-]+\.[a-z]|sign (the|a|our) "
                r"(wheel|package|release|build)|gpg|github release|gitlab|"
                r"(disable|turn off|switch off) (the )?(confirmation|prompts?|safety)|release (it|this|the project|a new version|v?\d)|"
                r"(cut|tag|make|do|create|ship|draft) (a |an |the )?(new )?(v?\d[\w.]*|"
                r"release(?! artifacts| files| build)|tag)|tag (it|this|a|the|v?\d)|dockerfile|docker|kubernetes|k8s|helm|"
                r"deploy\w*|git (push|commit|tag|rebase|merge)|commit|"
                r"pull request|merge request|\bpr\b|github actions?|ci (config|pipeline|workflow)|"
                r"workflow|weather|joke|poem|story|email|e-mail|slack|tweet|recipe|"
                r"translate|rename|refactor|rewrite (the|my|our|it|this|in)(?! lock)|"
                r"write (a|me|an|some|the) (?!lock)|generate (a|an) |"
                r"environment variables|env vars|secrets?|password|ssh|delete (all|my|the) "
                r"files|rm -rf|format (my|the) (disk|drive)|bitcoin|stock|flight|hotel|"
                r"version number|project version|bump the version|changelog entry|license|"
                r"licence|readme badge|docstrings?|comments|migrate to (poetry|pip|conda|pdm)|"
                r"switch to (poetry|pip|conda|pdm)|"
                r"virtualenv|venv|conda|poetry|pipenv|pdm|hatch|setup\.py|makefile|"
                r"entry[- ]points?|console[- ]scripts?|install python|python \d|python version|"
                r"(delete|remove|rm|wipe|clean|clear|purge|prune) (the |my |our |all |every )?"
                r"[\w.-]* ?"
                r"(folder|directory|dir|files?|cache|branch|repo)\b|push (my|our|the|to|it)|"
                r"pre-commit hook|homework|essay|meaning of life|capital of|play|music|"
                # the project's own metadata and source files, people, other tools
                r"(change|set|bump|raise|lower|update|edit) (the )?requires-python|"
                r"(bump|set|change|increment|raise|update) (our|my|its|the project(?:'?s| s)?|"
                r"the package(?:'?s| s)?) (own )?version\b(?! of)|type (hints|annotations)|"
                r"(configure|set up|setup) (my|the|our) (editor|ide|shell|terminal|git|machine)|"
                r"vscode|vs code|pycharm|editor|"
                r"(update|edit|change|write|fix|improve) (the |our |my )?(readme|docs|"
                r"documentation|changelog|contributing)\b|"
                r"version of (our|my|this|the) (own )?(package|project|app|library|lib)\b|"
                r"(fix|edit|change|modify|update|patch|write|add \S+ to) [^.;]{0,40}?"
                r"\b[\w/-]+\.(py|cfg|ini|txt|json|yml|yaml|js|ts)\b|"
                r"who (maintains|wrote|owns|created|made|develops)|set up (tox|nox|ci|"
                r"a pipeline)|what time is it|what day is it|what is the date|how are you|"
                r"who are you|what is your name|(raise|bump|set|change|increase) (our |the )?"
                r"(minimum |min |lowest )?(supported )?python\b|(close|triage|label|assign) (the |"
                r"all )?(\w+ )?(issues|tickets|prs|pull requests)\b")
# requires-python questions are how-tos (docs), not out of scope

# Plain English words that are never read as a package name unless the project has that
# dependency (then only in object position); keeps "add logging for our app" from adding
# "logging"... and "upgrade the stuff" from asking about a package called "stuff".
ENGLISH = frozenset([
    "a", "an", "the", "to", "and", "then", "also", "plus", "add", "install", "include", "using", "use",
    "in", "into", "of", "on", "for", "from", "as", "my", "our", "your", "project", "projects",
    "dependency", "dependencies", "package", "packages", "library", "libraries", "lib", "libs",
    "module", "modules", "requirement", "requirements", "with", "it", "its", "it's", "that",
    "this", "these", "those", "them", "they", "their", "what", "which", "who", "how", "why",
    "when", "where", "there", "here", "me", "you", "we", "us", "i", "be", "is", "are", "was",
    "were", "been", "being", "am", "do", "does", "did", "done", "have", "has", "had", "get",
    "got", "let", "made", "up", "down", "out", "over", "under", "again", "more", "most", "other",
    "same", "such", "no", "nor", "too", "very", "will", "would", "should", "could", "can", "may",
    "might", "must", "shall", "now", "than", "once", "at", "by", "about", "against", "between",
    "through", "during", "before", "after", "above", "below", "off", "only", "all", "any", "some",
    "each", "every", "both", "few", "many", "much", "everything", "anything", "something",
    "nothing", "everyone", "one", "ones", "thing", "things", "stuff", "bits", "lot", "whole",
    "rest", "else", "others", "remaining", "everything's", "if", "or", "but", "not", "so",
    "because", "since", "while", "until", "unless", "though", "although", "whether", "either",
    "neither", "yet", "still", "just", "already", "ever", "never", "always", "sometimes",
    "please", "thanks", "hey", "hi", "ok", "okay", "yeah", "yes", "nope", "sure", "maybe",
    "perhaps", "probably", "really", "actually", "basically", "literally", "kinda", "sorta",
    "like", "want", "need", "wanna", "gonna", "gotta", "let's", "lets", "go", "going", "gone",
    "make", "makes", "making", "take", "takes", "taking", "put", "bring", "keep", "keeping",
    "leave", "leaving", "stay", "hold", "pull", "push", "new", "old", "newer", "older", "newest",
    "oldest", "latest", "recent", "current", "fresh", "stale", "safe", "safely", "carefully",
    "properly", "version", "versions", "release", "releases", "update", "updates", "upgrade",
    "upgrades", "bump", "bumps", "change", "changes", "changed", "level", "levels", "patch",
    "patches", "minor", "major", "breaking", "compatible", "non-breaking", "fix", "fixes",
    "fixed", "issue", "issues", "problem", "problems", "bug", "bugs", "error", "errors", "thing",
    "test", "tests", "testing", "suite", "code", "app", "apps", "application", "repo",
    "repository", "tool", "tools", "our", "ours", "mine", "yours", "whatever", "whichever",
    "someone", "somebody", "anybody", "time", "times", "today", "tomorrow", "yesterday", "week",
    "day", "moment", "later", "earlier", "first", "second", "last", "next", "way", "ways", "step",
    "steps", "good", "bad", "fine", "nice", "great", "better", "best", "worse", "worst", "quick",
    "slow", "big", "small", "little", "bit", "lot", "lots", "same", "different", "mind", "help",
    "sort", "clean", "tidy", "run", "check", "see", "show", "list", "look", "tell", "know",
    "think", "guess", "hope", "here", "there", "where", "everywhere", "somewhere", "elsewhere",
    "too", "even", "ever", "back", "forward", "along", "around", "pin", "pinned", "pinning",
    "exact", "exactly", "least", "most", "below", "above", "under", "over", "than", "version",
    "v", "ver", "number", "dev", "development", "group", "groups", "extra", "extras", "optional",
    "docs", "documentation", "logs", "logging", "log", "console", "output", "http", "https",
    "web", "api", "client", "server", "database", "db", "cli", "command", "commands", "line",
    "lines", "files", "file", "folder", "directory", "data", "json", "yaml", "toml", "csv",
    "config", "settings", "setting", "env", "environment", "support", "feature", "features",
    "plugin", "plugins", "backend", "frontend", "utility", "utilities", "helpers", "helper",
    "formatting", "parsing", "parser", "dates", "date", "time", "timezone", "colors", "colour",
    "colors", "color", "progress", "bars", "bar", "max", "min", "maximum", "minimum", "tops",
    "quoted-text", "text", "create", "created", "creating", "longer", "without", "within",
    "whole", "part", "parts", "ones", "kind", "sort", "type", "types", "sure", "instead",
    "rather", "also", "else", "failing", "broken", "working", "missing", "unused", "used",
    "needed", "required", "wrong", "right", "left", "still", "anymore", "any", "alone", "aside",
    "intact", "untouched", "as-is", "something", "anyone", "everybody", "nobody", "nowhere",
    "yet", "already", "whole", "entire", "pretty", "quite", "rather", "call", "wild", "sec",
    "possible", "impossible", "pypi", "github", "gitlab", "upstream",
    "minute", "asap", "directly", "slack", "discord", "twitter", "reddit", "chat", "standup",
    "mastodon", "colleague", "coworker", "manager", "boss", "lead", "cto", "main", "runtime",
    "production", "prod", "non-dev", "direct", "lol", "real", "true", "false", "true?", "mentioned",
])

# An explicit request to read the docs: "search the docs", "check the docs", "look at its
# changelog".
DOCS_VERBS = r"(search|check|look (at|in)|read|see|consult)"

# A request that tries to widen its own authority ("approve it all yourself", "don't ask me"):
# refused whole, whatever else it asks.
SELF_APPROVE = (r"approve (it|them|everything|all|anything)|(do not|never|stop|without) "
                r"ask(ing)?( (me|us|for (approval|confirmation|permission)))?(?! (me|us) )|"
                r"auto-?approve|no (questions|"
                r"confirmation) (asked|needed)|(i|we) (hereby )?(authori[sz]e|allow|permit) you|"
                r"you (have|are given|got) (my |our )?permission|pre-?approved?|no need to "
                r"(ask|confirm)|"
                # an instruction aimed at the assistant itself, not a request
                r"ignore (all |any |the )?(previous|prior|above|earlier|your) (instructions|rules|"
                r"prompts?)|disregard (the |your |all )?(previous |prior )?(instructions|rules)|"
                r"you are now|pretend (to be|you are)|developer mode")

# Misspellings the reader reads silently (rewritten above); --yes never approves a request
# that needed one.
MISSPELT_WORDS = frozenset([
    "dependecies", "dependancies", "dependences", "depenencies", "dependcies", "evrything",
    "everyting", "everthing", "evertyhing", "everythign", "vulnerabilites", "vulnerabilties",
    "vulnerabilitys", "vulnerabilty",
])
# "drop tqdm ... actually, just drop tqdm": a self-correction the reader does not untangle.
SELF_CORRECTION = r"actually|scratch that|on second thought|wait,? no|i mean|or rather|no wait"

# Handing the decision back ("your call", "maybe"): the reader asks rather than decides.
DEFERRED = (r"your call|up to you|or not|maybe|perhaps|if you think|whatever you think|"
            r"you decide|you choose|dunno|not sure|your choice|you pick|either (one|is fine)|"
            r"possibly|probably|potentially|might as well|if you want|if you like|optionally|"
            r"whichever you (like|prefer|want)")

# Out of scope even when a dependency is named ("vendor requests into the repo").
STRONG_OUT_OF_SCOPE = (r"^(please |can you |could you )?(vendor|curl|wget|dockerfile|docker|"
                       r"deploy\w*|publish\w*|upload\w*|pastebin|jira|e-?mail|scripts?)|"
                       r"^who (maintains|wrote|owns|created|made|develops)|^auto-?fix|"
                       r"(?:in|across|throughout) (?:the|our|my) (?:code|codebase|source code)|"
                       r"^(drop|remove|add|end) support for|"
                       r"^(configure|set up|setup) (my|the|our) (editor|ide|shell|terminal|git)|"
                       r"^(add|set|configure|change|use) (an |the |a |our )?(private |extra |"
                       r"custom )?index( url)?\b")
