"""`in_parallel`: independent read-only queries at once, results in order, errors raised on
the caller's thread once every query has finished, the caller's context (its span) kept."""

from __future__ import annotations

import contextvars
import threading
import time

import pytest
from uvmgr.tools.resolve import in_parallel

CURRENT = contextvars.ContextVar("current", default="none")


def test_results_come_in_order_from_calls_that_overlap():
    both_started = threading.Barrier(2, timeout=10)

    def slow():
        both_started.wait()
        time.sleep(0.05)
        return "slow"

    def fast():
        both_started.wait()  # would time out if the calls ran one after the other
        return "fast"

    assert in_parallel(slow, fast) == ["slow", "fast"]


def test_the_callers_context_reaches_each_call():
    CURRENT.set("span-1")
    assert in_parallel(CURRENT.get, CURRENT.get) == ["span-1", "span-1"]


def test_an_error_is_raised_after_every_call_has_finished():
    finished = threading.Event()

    def fails():
        raise LookupError("no such package")

    def slower():
        time.sleep(0.1)
        finished.set()
        return 1

    with pytest.raises(LookupError, match="no such package"):
        in_parallel(fails, slower)
    assert finished.is_set()
