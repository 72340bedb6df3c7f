"""HTTP transport: urllib.request on a thread, retries with full jitter, problem+json errors."""

from __future__ import annotations

import asyncio
import contextvars
import email.utils
import http.client
import json
import logging
import random
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, TypeVar

from .errors import TektonApiError, TektonConnectionError, TektonTimeoutError

__all__ = ["RetryPolicy", "Response", "Transport", "run_in_thread", "segment"]

logger = logging.getLogger("tekton.client")

T = TypeVar("T")

#: Statuses that may be retried (with the exceptions in :func:`is_transient`).
TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})


@dataclass
class RetryPolicy:
    """Retries with full jitter, as the .NET SDK does.

    Retry ``n`` (1 for the first retry) waits a random time up to ``min(max_delay, base_delay * 2**(n-1))``
    seconds, or the server's ``Retry-After`` when it gives one no longer than ``max_retry_after`` (a longer
    one ends the retries). Only calls that are safe to repeat are retried, and only after a connection
    failure, a timeout, or a 429, 502, 503 or 504 that does not carry a definite answer (503 with code 1010:
    no model is available; 504 with code 1006: a stop timed out).
    """

    #: Attempts in all, the first included (1 turns retries off).
    max_attempts: int = 4
    #: The first back-off ceiling, in seconds.
    base_delay: float = 0.2
    #: The largest back-off ceiling, in seconds.
    max_delay: float = 5.0
    #: The longest ``Retry-After`` honoured, in seconds.
    max_retry_after: float = 10.0

    def delay_before(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1 for the first retry)."""
        if retry_after is not None and retry_after <= self.max_retry_after:
            return max(0.0, retry_after)
        ceiling = min(self.max_delay, self.base_delay * (2 ** (retry - 1)))
        return random.random() * ceiling

    @classmethod
    def of(cls, retries: "int | RetryPolicy | None") -> "RetryPolicy":
        """``retries`` as a policy: an int is the number of retries after the first attempt."""
        if retries is None:
            return cls()
        if isinstance(retries, RetryPolicy):
            return retries
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise ValueError("retries must be a RetryPolicy or a number of retries >= 0")
        return cls(max_attempts=retries + 1)


def is_transient(error: TektonApiError) -> bool:
    """Whether an error answer may be retried: 429, 502, 503 (not 1010) and 504 (not 1006)."""
    if error.status == 503:
        return error.code != 1010
    if error.status == 504:
        return error.code != 1006
    return error.status in (429, 502)


@dataclass
class Response:
    """One successful answer."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON; ``None`` when it is empty."""
        if not self.body:
            return None
        return json.loads(self.body.decode("utf-8"))

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


async def run_in_thread(function: Callable[..., T], *args: Any) -> T:
    """Runs ``function(*args)`` on a new daemon thread and awaits its result.

    Like :func:`asyncio.to_thread` (the context is copied), but on a daemon thread of its own: a request
    whose awaiting task was cancelled (a long poll, a waited start) finishes in the background and never
    holds the interpreter open at exit, and long polls never exhaust a shared pool.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()
    context = contextvars.copy_context()

    def settle(ok: bool, value: Any) -> None:
        if future.done():
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)

    def run() -> None:
        try:
            value, ok = context.run(function, *args), True
        except BaseException as exception:  # noqa: BLE001 - handed to the awaiting task
            value, ok = exception, False
        try:
            loop.call_soon_threadsafe(settle, ok, value)
        except RuntimeError:
            pass  # the loop is closed: nobody waits any more

    threading.Thread(target=run, name="tekton-http", daemon=True).start()
    return await future


def segment(value: Any) -> str:
    """A path segment, percent-encoded (``/`` too)."""
    return urllib.parse.quote(str(value), safe="")


def query(parameters: Iterable[tuple[str, Any]]) -> str:
    """``?a=1&b=2`` of the parameters that are not ``None``; booleans as ``true``/``false``."""
    given = []
    for name, value in parameters:
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        given.append((name, str(value)))
    return "?" + urllib.parse.urlencode(given) if given else ""


def parse_retry_after(value: str | None) -> float | None:
    """Seconds of a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def to_error(status: int, headers: Mapping[str, str], body: bytes, reason: str = "") -> TektonApiError:
    """The :class:`TektonApiError` of an error answer."""
    text = body.decode("utf-8", errors="replace") if body else ""
    problem: dict[str, Any] | None = None
    if text:
        try:
            parsed = json.loads(text)
            if isinstance(parsed, dict):
                problem = parsed
        except ValueError:
            pass
    code = 1000
    detail = None
    if problem is not None:
        raw = problem.get("code")
        if isinstance(raw, int) and not isinstance(raw, bool):
            code = raw
        detail = problem.get("detail") if isinstance(problem.get("detail"), str) else None
        if detail is None and isinstance(problem.get("title"), str):
            detail = problem["title"]
    message = f"Tekton answered {status} (code {code}): {detail or text or reason}"
    return TektonApiError(status, code, message, problem, parse_retry_after(headers.get("Retry-After")))


_NO_BODY = object()


class Transport:
    """Sends requests to one Tekton; thread-safe and loop-agnostic (it holds no connection)."""

    def __init__(self, base_url: str, api_key: str | None, timeout: float, retry: RetryPolicy, user_agent: str) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"base_url must be an absolute http(s) URL, not {base_url!r}")
        self.base_url = base_url.rstrip("/") + "/"
        self.api_key = api_key
        self.timeout = timeout
        self.retry = retry
        self.user_agent = user_agent
        self._opener = urllib.request.build_opener()

    def url(self, path: str) -> str:
        return self.base_url + path.lstrip("/")

    async def request(
        self,
        method: str,
        path: str,
        body: Any = _NO_BODY,
        *,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
        extra_time: float = 0.0,
        accept: str = "application/json",
    ) -> Response:
        """Sends a request, retrying it when it is idempotent and the failure is transient.

        Returns a 2xx answer or raises :class:`TektonApiError`, :class:`TektonConnectionError` or
        :class:`TektonTimeoutError`.
        """
        data = None if body is _NO_BODY else json.dumps(body, separators=(",", ":")).encode("utf-8")
        all_headers = {"Accept": accept, "User-Agent": self.user_agent}
        if data is not None:
            all_headers["Content-Type"] = "application/json"
        if self.api_key:
            all_headers["Authorization"] = "Bearer " + self.api_key
        if headers:
            all_headers.update(headers)
        url = self.url(path)
        timeout = self.timeout + extra_time
        attempts = max(1, self.retry.max_attempts) if idempotent else 1
        attempt = 0
        while True:
            attempt += 1
            retry_after = None
            try:
                status, answer_headers, answer = await run_in_thread(
                    self._send_once, method, url, data, all_headers, timeout)
            except TektonConnectionError as failure:
                if attempt >= attempts:
                    raise
                logger.debug("%s %s failed (%s); retry %d of %d", method, url, failure, attempt, attempts - 1)
            else:
                if 200 <= status < 300:
                    return Response(status, answer_headers, answer)
                error = to_error(status, answer_headers, answer)
                if attempt >= attempts or not is_transient(error):
                    raise error
                if error.retry_after is not None and error.retry_after > self.retry.max_retry_after:
                    raise error
                retry_after = error.retry_after
                logger.debug("%s %s answered %d (code %d); retry %d of %d", method, url, status, error.code, attempt, attempts - 1)
            await asyncio.sleep(self.retry.delay_before(attempt, retry_after))

    def _send_once(
        self, method: str, url: str, data: bytes | None, headers: Mapping[str, str], timeout: float
    ) -> tuple[int, Mapping[str, str], bytes]:
        """One attempt, blocking. Returns any HTTP answer; raises only when there is none."""
        # A POST without a body still says Content-Length: 0.
        if data is None and method in ("POST", "PUT", "PATCH"):
            data = b""
        request = urllib.request.Request(url, data=data, method=method, headers=dict(headers))
        try:
            with self._opener.open(request, timeout=timeout) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            try:
                body = error.read()
            except (OSError, http.client.HTTPException):
                body = b""
            finally:
                error.close()
            return error.code, error.headers, body
        except urllib.error.URLError as error:
            reason = error.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise TektonTimeoutError(f"Tekton did not answer {method} {url} within {timeout:g} s.") from error
            raise TektonConnectionError(f"Cannot reach Tekton at {url}: {reason}") from error
        except (socket.timeout, TimeoutError) as error:
            raise TektonTimeoutError(f"Tekton did not answer {method} {url} within {timeout:g} s.") from error
        except (OSError, http.client.HTTPException) as error:
            raise TektonConnectionError(f"Lost the connection to Tekton during {method} {url}: {error!r}") from error
