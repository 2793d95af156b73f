"""The one error of coordination: a change that cannot be made as asked."""

from __future__ import annotations

from consult.errors import DomainError


class CoordinationError(DomainError):
    """A coordination change cannot be made as asked; nothing was written."""
