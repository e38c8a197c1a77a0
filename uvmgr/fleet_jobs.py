"""The jobs `uvmgr fleet run` can run in a clone, named once (the command line lists them
before anything else is imported). `policy check` comes with the policy gate: an older uvmgr
lacks it, and `fleet run` says so per clone."""

AUTOPILOT = "autopilot"
POLICY_CHECK = "policy-check"
# the job -> the uvmgr arguments it runs in each clone
COMMANDS: dict[str, tuple[str, ...]] = {
    AUTOPILOT: ("autopilot", "--json"),
    POLICY_CHECK: ("policy", "check", "--json"),
}
DEFAULT_TIMEOUT = 1800.0  # seconds, per clone
