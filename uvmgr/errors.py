"""Error types shared by every layer, and the exit codes the CLI maps them to.

Each layer raises its own subclass; only the front end turns them into a
one-line message, a hint and an exit code.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1  # the operation ran and failed: tests failed, vulnerabilities found or left
EXIT_USAGE = 2  # usage or input error: bad arguments, not a uv project, malformed file
EXIT_REFUSED = 3  # refused: the change needed approval that was not given
EXIT_ROLLED_BACK = 4  # a change was made, failed verification, and was restored
EXIT_RECOVERY_INCOMPLETE = 5  # a rollback or recovery could not finish (disk full, read-only)
EXIT_NOT_AUDITED = 6  # the audit could not be done (service unreachable, uv audit failed): unknown
EXIT_INTERRUPTED = 130  # Ctrl+C (SIGINT): a change in flight was rolled back
EXIT_TERMINATED = 143  # SIGTERM: the same, 128 + 15 as shells report it
EXIT_PIPE = 141  # the output's reader went away (`| head`): 128 + SIGPIPE, quietly, as shells do


class UvmgrError(Exception):
    """Base for every error uvmgr reports to a person."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, hint: str | None = None, *, details: str | None = None,
                 explanation: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details
        # A tool's own explanation (uv's error and its causes), multi-line and shown as is.
        self.explanation = explanation

    def to_dict(self) -> dict:
        return {
            "error": type(self).__name__,
            "message": self.message,
            "hint": self.hint,
            "details": self.details,
            "explanation": self.explanation,
            "exit_code": self.exit_code,
        }


class UsageError(UvmgrError):
    """Bad arguments: an invalid specifier, an unknown group, a bad flag combination."""


class ProjectError(UvmgrError):
    """The project cannot be used: no pyproject.toml, malformed TOML, missing or stale uv.lock."""


class LockMissing(ProjectError):
    """uv.lock does not exist yet."""


class UnsafeStatePath(ProjectError):
    """Something in `.uvmgr/` is a symbolic link (or not what uvmgr made): it is never followed."""


class PackageNotFound(UvmgrError):
    """A named package is not a dependency of the project or does not exist on the index."""


class UvNotFound(UvmgrError):
    """The uv binary is missing or too old."""


class LockNeedsNewerUv(UvNotFound):
    """uv.lock was written by a newer uv, in a lock schema this uv cannot read."""


class PythonNotFound(UvmgrError):
    """uv cannot find (or may not download) the Python the project asks for."""


class IndexAuthFailed(UvmgrError):
    """A package index asked for credentials that were missing or refused (401, 403): the
    person sets or fixes them (exit 2); nothing was changed."""


class UntrustedIndex(UvmgrError):
    """The repository declares a package index that would receive the person's credentials (by
    its name) at a host the person has not trusted: uv is not run. Exit 3, refused: nothing is
    wrong with the input as such; a person must decide whether to trust that host."""

    exit_code = EXIT_REFUSED


class UntrustedUvSetting(UvmgrError):
    """The repository sets a uv setting that would weaken what protects the person (certificate
    checks for a host) and that cannot be undone from the environment: uv is not run. Exit 3."""

    exit_code = EXIT_REFUSED


class ProjectBusy(UvmgrError):
    """Another uvmgr process holds the project's lock."""

    exit_code = EXIT_FAILED


class OperationFailed(UvmgrError):
    """A uv call or a verification step failed; nothing was changed."""

    exit_code = EXIT_FAILED


class SourceUnreachable(OperationFailed):
    """A package index or a git host in the project's sources could not be reached."""


class ResolutionConflict(OperationFailed):
    """uv could not find a resolution for the requested change; nothing was changed."""


class TestsDidNotFinish(OperationFailed):
    """The test run was stopped before it finished (killed by a signal, or at the timeout): no
    verdict, so a change waiting on it is rolled back."""


class InsufficientSpace(OperationFailed):
    """Not enough free space for a change's journal and files; nothing was changed."""


class ServiceUnavailable(OperationFailed):
    """A network service (the OSV API, a model endpoint) could not be reached."""


class CouldNotAudit(OperationFailed):
    """The audit could not be done at all (uv audit failed, the advisories could not be read):
    nothing is known about vulnerabilities, which is not the same as "vulnerable" (exit 1)."""

    exit_code = EXIT_NOT_AUDITED


class AdvisoryServiceUnavailable(CouldNotAudit, ServiceUnavailable):
    """The OSV service could not be reached, so the audit could not be done."""


class Cancelled(UvmgrError):
    """The person cancelled the run; a change in flight was rolled back."""

    exit_code = EXIT_INTERRUPTED


class RolledBack(UvmgrError):
    """A change was applied, failed verification, and both files were restored byte for byte."""

    exit_code = EXIT_ROLLED_BACK

    def __init__(self, message: str, hint: str | None = None, *, details: str | None = None,
                 result: object | None = None):
        super().__init__(message, hint, details=details)
        self.result = result


class RecoveryIncomplete(UvmgrError):
    """A rollback or recovery could not write the files back (disk full, no permission, a
    read-only file system). The journal is kept; the message says what is left and the hint
    the command that completes it."""

    exit_code = EXIT_RECOVERY_INCOMPLETE
