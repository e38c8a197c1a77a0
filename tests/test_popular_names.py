"""The popular-names list new names are checked against: whole PEP 503 names only."""

import re

from uvmgr.tools.popular_names import TOP_NAMES


def test_every_popular_name_is_a_whole_normalised_name():
    # the list is wrapped in its source; a name cut at a hyphen must be joined back
    assert len(TOP_NAMES) == 2000
    bad = [n for n in TOP_NAMES if not re.fullmatch(r"[a-z0-9]+(?:[.-][a-z0-9]+)*", n)]
    assert bad == []
    assert {"agent-client-protocol", "youtube-transcript-api"} <= TOP_NAMES
