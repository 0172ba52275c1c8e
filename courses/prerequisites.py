"""SCORM 1.2 prerequisites (`adlcp:prerequisites type="aicc_script"`): whether an item may be
launched yet, from the other items' lesson status.

The AICC script: an item's identifier is true when that item is passed or completed;
`item=status` and `item<>status` compare its status (passed, completed, failed, incomplete,
browsed, not attempted, or their first letters); `&` and, `|` or, `~` not, parentheses;
`n*{a,b,c}` is true when at least n of the set are true. A script the parser cannot read
blocks nothing: the learner is never locked out by a typo in a manifest (the import notes
show the manifest as it is).
"""

import re

STATUSES = {"p": "passed", "c": "completed", "f": "failed", "i": "incomplete", "b": "browsed",
            "n": "not attempted"}
_TOKEN = re.compile(r"\s*(<>|\d+\*|[&|~=(){},]|[^\s&|~=(){},<>]+)")


class _Unreadable(ValueError):
    pass


def satisfied(script: str | None, status_of: dict[str, str]) -> bool:
    """Whether `script` holds, given each item's lesson status (missing: not attempted)."""
    if not script or not script.strip():
        return True
    try:
        parser = _Parser(_tokens(script), status_of)
        result = parser.expression()
        if parser.peek() is not None:
            raise _Unreadable(script)
        return result
    except _Unreadable:
        return True


def _tokens(script: str) -> list[str]:
    tokens, position = [], 0
    while position < len(script):
        found = _TOKEN.match(script, position)
        if not found:
            if script[position:].strip():
                raise _Unreadable(script)
            break
        tokens.append(found.group(1))
        position = found.end()
    return tokens


class _Parser:
    """expression := term ('|' term)*; term := factor ('&' factor)*;
    factor := '~' factor | '(' expression ')' | n* '{' ids '}' | id [('=' | '<>') status]"""

    def __init__(self, tokens: list[str], status_of: dict[str, str]):
        self.tokens, self.at, self.status_of = tokens, 0, status_of

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise _Unreadable(expected or "a token")
        self.at += 1
        return token

    def expression(self) -> bool:
        result = self.term()
        while self.peek() == "|":
            self.take()
            result = self.term() or result
        return result

    def term(self) -> bool:
        result = self.factor()
        while self.peek() == "&":
            self.take()
            result = self.factor() and result
        return result

    def factor(self) -> bool:
        token = self.take()
        if token == "~":
            return not self.factor()
        if token == "(":
            result = self.expression()
            self.take(")")
            return result
        if token.endswith("*"):
            return self._at_least(int(token[:-1]))
        if token in "&|=(){},":
            raise _Unreadable(token)
        return self._compared(token)

    def _at_least(self, count: int) -> bool:
        self.take("{")
        members = [self._done(self.take())]
        while self.peek() == ",":
            self.take()
            members.append(self._done(self.take()))
        self.take("}")
        return sum(members) >= count

    def _compared(self, identifier: str) -> bool:
        if self.peek() in ("=", "<>"):
            negate = self.take() == "<>"
            wanted = self.take().lower()
            wanted = STATUSES.get(wanted, wanted)
            if wanted not in STATUSES.values():
                raise _Unreadable(wanted)
            equal = self._status(identifier) == wanted
            return not equal if negate else equal
        return self._done(identifier)

    def _done(self, identifier: str) -> bool:
        return self._status(identifier) in ("passed", "completed")

    def _status(self, identifier: str) -> str:
        return self.status_of.get(identifier) or "not attempted"
