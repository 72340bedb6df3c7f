"""The exceptions the SDK raises."""

from __future__ import annotations

from typing import Any, Mapping

__all__ = ["TektonError", "TektonApiError", "TektonConnectionError", "TektonTimeoutError"]


class TektonError(Exception):
    """Base class of every error the SDK raises on purpose."""


class TektonApiError(TektonError):
    """Tekton answered with an error: an RFC 9457 ``application/problem+json`` document.

    ``status`` is the HTTP status, ``code`` the Tekton error code of the reference (1000 general,
    1001 component not found, ... 1012 invalid state transition; 1000 when the answer carried none),
    ``problem`` the whole problem document as a dict (``None`` when the body was not JSON), and
    ``retry_after`` the seconds of a ``Retry-After`` header, if any.
    """

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        problem: Mapping[str, Any] | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.problem = dict(problem) if problem is not None else None
        self.retry_after = retry_after

    @property
    def title(self) -> str | None:
        """The problem's ``title``."""
        return self._member("title")

    @property
    def detail(self) -> str | None:
        """The problem's ``detail``."""
        return self._member("detail")

    @property
    def errors(self) -> dict[str, list[str]]:
        """Validation errors (``errors``): each field with its messages; ``{}`` when there are none."""
        value = self._member("errors")
        return dict(value) if isinstance(value, Mapping) else {}

    def get(self, name: str, default: Any = None) -> Any:
        """A member of the problem document, such as ``cycle`` or ``running_dependents``."""
        value = self._member(name)
        return default if value is None else value

    def _member(self, name: str) -> Any:
        return self.problem.get(name) if isinstance(self.problem, dict) else None

    def __repr__(self) -> str:
        return f"TektonApiError(status={self.status}, code={self.code}, message={str(self)!r})"


class TektonConnectionError(TektonError, ConnectionError):
    """Tekton could not be reached (refused, reset, name not resolved...), after the retries allowed."""


class TektonTimeoutError(TektonConnectionError, TimeoutError):
    """Tekton did not answer within the client's timeout, after the retries allowed."""
