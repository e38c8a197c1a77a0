"""Table tests of provenance: whether the person typed a package's name, a URL or a path
(`agent.authority.Authority`), the pure half of the safety layer's target check."""

from __future__ import annotations

import pytest
from uvmgr.agent.authority import Authority


@pytest.mark.parametrize("request_text, name, project, named", [
    ("add httpx", "httpx", set(), True),
    ("add HTTPX", "httpx", set(), True),                      # case
    ("remove ruamel_yaml", "ruamel-yaml", set(), True),       # PEP 503 spelling
    ("add 'httpx>=0.27'", "httpx", set(), True),              # inside a requirement
    ("run pytest", "pytest", set(), True),                    # a common word, typed exactly
    ("add httpx", "evil-pkg", set(), False),
    ("upgrade everything", "click", set(), False),            # "everything" names nobody
    ("upgrade reqests", "requests", {"requests"}, True),       # a typo of a dependency
    ("add reqests", "requests", set(), False),                 # ... but not of a new package
    # the reader's own correction is provenance too (one rule, `match_package`): a transposed
    # name it reads as the dependency is confirmed with the person, never refused outright
    ("remove tqmd", "tqdm", {"tqdm"}, True),
    ("remove pulggy", "pluggy", {"pluggy"}, True),
    ("remove tqmd", "rich", {"tqdm", "rich"}, False),
    ("remove the", "tqdm", {"tqdm"}, False),                   # an English word is no typo
    ("upgrade a", "b", {"b"}, False),
])
def test_names_package(request_text, name, project, named):
    assert Authority(request_text).names_package(name, project=project) is named


def test_answers_and_the_policy_name_packages_too():
    assert Authority("upgrade", answers=("click please",)).names_package("click")
    assert Authority("autopilot", policy_names=("Six",)).names_package("six")
    assert not Authority("autopilot").names_package("six")


@pytest.mark.parametrize("request_text, literal, mentioned", [
    ("audit with --db ./advisories.zip", "./advisories.zip", True),
    ("use https://mirror.example/simple/ please", "https://mirror.example/simple", True),
    ("use https://mirror.example/simple", "https://mirror.example/simple/evil", False),
    ("build into dist", "/tmp/out", False),
    ("build into 'dist/'", "dist", True),                     # quotes and a trailing slash
    ("anything", "", False),
])
def test_mentions(request_text, literal, mentioned):
    assert Authority(request_text).mentions(literal) is mentioned
