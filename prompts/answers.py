"""The offline planner's answers, as a function of the reading and the observations: what it
did for each step, what it did not do and why, the ask-back menu, the "not a dependency"
answer, and the answers for other languages and out-of-scope requests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from uvmgr.prompts.intents import CHAT_NEXT_STEPS, INTENT_DESCRIPTIONS, NEXT_STEPS, OFFLINE_REFUSAL

if TYPE_CHECKING:
    from uvmgr.agent.intents import Reading

HEADER = "(offline planner: no model is configured, so requests are matched to known tasks)"
FOREIGN = ("The offline planner reads English only, and this request looks like another "
           "language, so nothing was changed. Ask again in English (e.g. \"upgrade click\"), "
           "or configure a model (--model, UVMGR_MODEL or [tool.uvmgr] model): a model can "
           "read it.")
MENU = ("Here is what I can do in this project; say which, naming the packages:\n"
        "  - \"what's outdated?\" / \"upgrade safely\" / \"upgrade NAME\"\n"
        "  - \"are we vulnerable?\" / \"fix the vulnerabilities\"\n"
        "  - \"add NAME\" / \"remove NAME\" / \"relock\"\n"
        "  - \"run the tests\" / \"lint\" / \"build a wheel\" / \"how do I ...?\"")
NOTHING_CHANGED = "Nothing was changed."
# After an error or a refusal no change is suggested: the observation above says what went
# wrong, and its hint how to fix it.
AFTER_FAILURE = ("Nothing more was done after the error above: fix what it says (its hint says "
                 "how), then ask again.")
_FAILED = ("ERROR", "INTERNAL ERROR", "ROLLED BACK")
FrontEnd = Literal["cli", "chat"]


def _not_dependencies(reading: Reading) -> list[str]:
    lines = []
    for name, guess in reading.unknown:
        mean = f" (did you mean {guess}?)" if guess else ""
        lines.append(f"{name} is not a dependency of this project{mean}. `uvmgr deps list` "
                     "shows the dependencies; to add it, ask \"add " + name + "\".")
    return lines


def _task(step) -> str:
    if step.pack is not None:  # a pack's tool: its thought says what it does
        return (step.pack.thought or f"run {step.pack.tool}").rstrip(".")
    return INTENT_DESCRIPTIONS.get(step.intent, step.intent)


def ask_back(reading: Reading) -> list[str]:
    if reading.unknown:
        return [*_not_dependencies(reading), NOTHING_CHANGED]
    why = reading.ambiguous or "the request"
    return [f"I can't tell what to do here ({why}), and the offline planner does not guess.",
            MENU, NOTHING_CHANGED]


def answer_for(reading: Reading, observations: list[str], front_end: FrontEnd = "cli") -> str:
    """The final answer for one request; its "Next:" advice fits the front end that shows it
    (commands and flags on the command line, requests in words in the chat)."""
    next_steps = CHAT_NEXT_STEPS if front_end == "chat" else NEXT_STEPS
    lines = [HEADER]
    if reading.foreign:
        lines.append(FOREIGN)
    elif reading.status == "ask":
        lines += ask_back(reading)
    elif reading.status == "refuse" or not reading.steps:
        lines.append(OFFLINE_REFUSAL)
        lines += [f"Not done: {s}." for s in reading.skipped]
    else:
        tasks = [_task(s) for s in reading.steps]
        lines.append(f"Task: {'; then '.join(tasks)}.")
        if reading.typos:
            never = "" if front_end == "chat" else ", never approved by --yes"
            lines.append(f"(Read as {', '.join(reading.typos)}: a corrected name is always "
                         f"confirmed with you{never}.)")
        lines += ["", *observations] if observations else ["", "No tool ran."]
        if len(observations) < len(reading.steps) and observations:
            lines.append(f"Not done: {len(reading.steps) - len(observations)} later step(s), "
                         "because an earlier step was refused, declined or failed.")
        lines += [f"Not done: {s}." for s in reading.skipped]
        refused = any(o.startswith(("REFUSED", "DECLINED")) for o in observations)
        failed = any(o.startswith(_FAILED) for o in observations)
        last = reading.steps[-1].intent
        # the person said no in the dialog: no advice to run it "in a terminal" again
        declined = refused and not any(o.startswith("REFUSED") for o in observations) and all(
            o.startswith("DECLINED by the person") for o in observations
            if o.startswith("DECLINED"))
        tail = AFTER_FAILURE if failed else (
            next_steps["declined"] if declined else
            next_steps["refused"] if refused else next_steps.get(last))
        if last == "audit" and observations and observations[-1].startswith("No known"):
            tail = None
        if tail:
            lines += ["", f"Next: {tail}"]
    return "\n".join(lines)
