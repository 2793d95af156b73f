"""Domain errors that carry a message meant for the person in front of the screen.

Domain modules do not import Flask, so they cannot translate. They raise a
`DomainError` whose message is an English msgid marked with `N_` (extracted by
Babel) plus named parameters; the view translates it with `gettext` in the
person's language at display time.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a message for extraction without translating it yet."""
    return message


class DomainError(Exception):
    """A domain rule stopped the action; `message` is an untranslated msgid."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params

    def __str__(self) -> str:
        return self.message % self.params if self.params else self.message
