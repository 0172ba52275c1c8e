"""The SCORM API session (1.2 and 2004) as a pure state machine.

A Session answers the eight API calls the way an LMS must: not initialized -> running ->
terminated, with each version's error for a call in the wrong state, and GetValue/SetValue judged
by the data-model table (datamodel.py) over an in-memory dict of values in datamodel's state
format. The caller seeds that dict (learner id and name, credit, mode, entry, stored data) before
Initialize. Tests drive it as content would (`session.call("SetValue", name, value)`); the server
replays a commit's SetValue list through `replay` to validate it. No Flask, no database: storing
is the caller's `on_commit`.
"""

from collections.abc import Callable, Iterable

from courses.scorm import datamodel

NOT_INITIALIZED, RUNNING, TERMINATED = "not initialized", "running", "terminated"

# The API object's function names -> Session methods; 1.2 prefixes "LMS" and says Finish.
API = {
    "2004": {
        "Initialize": "initialize",
        "Terminate": "terminate",
        "GetValue": "get_value",
        "SetValue": "set_value",
        "Commit": "commit",
        "GetLastError": "get_last_error",
        "GetErrorString": "get_error_string",
        "GetDiagnostic": "get_diagnostic",
    }
}
API["1.2"] = {
    "LMSFinish" if name == "Terminate" else f"LMS{name}": method
    for name, method in API["2004"].items()
}

Changes = list[tuple[str, str]]  # SetValue calls accepted since the last commit, in order


class Session:
    """One SCO's API session. `values` is copied; `on_commit(changes)` stores a Commit's (and
    Terminate's) accepted SetValue calls and returns True, or False when it could not."""

    def __init__(
        self,
        version: str,
        values: dict | None = None,
        on_commit: Callable[[Changes], bool] | None = None,
    ):
        if version not in datamodel.VERSIONS:
            raise ValueError(f"SCORM version {version!r} is not one of {datamodel.VERSIONS}")
        self.version = version
        self.values = dict(values or {})
        self.status = NOT_INITIALIZED
        self.changes: Changes = []
        self.on_commit = on_commit
        self.last_error = 0
        self.diagnostic = ""

    def call(self, function: str, *args: object) -> str:
        """Call the API by its name in this version ("LMSGetValue", "GetValue", ...)."""
        method = API[self.version].get(function)
        if method is None:
            raise AttributeError(f"the SCORM {self.version} API has no {function}")
        return getattr(self, method)(*args)

    def _succeed(self, result: str = "true") -> str:
        self.last_error, self.diagnostic = 0, ""
        return result

    def _fail(self, error: int, call: str, detail: str = "") -> str:
        self.last_error = error
        text = datamodel.error_string(self.version, error)
        self.diagnostic = f"{call}: {text}" + (f" ({detail})" if detail else "")
        return "false"

    def _refuse(self, reason: str, call: str) -> str:
        return self._fail(datamodel.code(self.version, reason), call)

    def _misplaced(self, call: str, parameter: object) -> str | None:
        """The reason a call with a "" parameter may not be made now, if any."""
        if self.status == NOT_INITIALIZED:
            return f"{call}_before_init"
        if self.status == TERMINATED:
            return f"{call}_after_end"
        return None if parameter == "" else "argument"

    def initialize(self, parameter: object = "") -> str:
        reason = {RUNNING: "init_twice", TERMINATED: "init_after_end"}.get(self.status)
        if reason is None and parameter != "":
            reason = "argument"
        if reason:
            return self._refuse(reason, f"Initialize({parameter!r})")
        self.status = RUNNING
        return self._succeed()

    def terminate(self, parameter: object = "") -> str:
        reason = self._misplaced("end", parameter)
        if reason is None and not self._store():
            reason = "end_failed"
        if reason:
            return self._refuse(reason, f"Terminate({parameter!r})")
        self.status = TERMINATED
        return self._succeed()

    def commit(self, parameter: object = "") -> str:
        reason = self._misplaced("commit", parameter)
        if reason is None and not self._store():
            reason = "commit_failed"
        if reason:
            return self._refuse(reason, f"Commit({parameter!r})")
        return self._succeed()

    def _store(self) -> bool:
        if self.on_commit and self.changes and not self.on_commit(list(self.changes)):
            return False
        self.changes.clear()
        return True

    def get_value(self, name: object) -> str:
        reason = self._misplaced("get", "")
        if reason:
            self._refuse(reason, f"GetValue({name!r})")
            return ""
        value, error = datamodel.check_get(self.version, name, self.values)
        if error:
            self._fail(error, f"GetValue({name!r})", self._explain(name))
            return ""
        return self._succeed(str(value))

    def set_value(self, name: object, value: object) -> str:
        reason = self._misplaced("set", "")
        if reason:
            return self._refuse(reason, _set_call(name, value))
        error = datamodel.apply_set(self.version, name, value, self.values)
        if error:
            return self._fail(error, _set_call(name, value), self._explain(name))
        self.changes.append((name, value))
        return self._succeed()

    def _explain(self, name: object) -> str:
        return datamodel.describe(self.version, name) if isinstance(name, str) else ""

    def get_last_error(self) -> str:
        return str(self.last_error)

    def get_error_string(self, error: object = "") -> str:
        return datamodel.error_string(self.version, error)

    def get_diagnostic(self, error: object = "") -> str:
        """Details of the last error for "" or its code; the standard text for another code."""
        if error in ("", str(self.last_error)):
            return self.diagnostic or datamodel.error_string(self.version, self.last_error)
        return datamodel.error_string(self.version, error)


def _set_call(name: object, value: object) -> str:
    shown = repr(value)
    if len(shown) > 60:
        shown = f"{shown[:50]}... ({len(str(value))} characters)"
    return f"SetValue({name!r}, {shown})"


def replay(
    version: str, values: dict, changes: Iterable[tuple[str, object]]
) -> tuple[dict, list[tuple[str, object, int]]]:
    """Validate a commit: run its SetValue calls in order through a running session over the
    stored `values`. Returns the values after the accepted calls and each refused call with its
    error code; `values` itself is left as it was."""
    session = Session(version, values)
    session.initialize()
    refused = [
        (name, value, session.last_error)
        for name, value in changes
        if session.set_value(name, value) == "false"
    ]
    return session.values, refused
