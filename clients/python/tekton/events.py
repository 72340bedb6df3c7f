"""Live events over Tekton's raw WebSocket channels, with a minimal RFC 6455 client on asyncio streams.

:meth:`TektonClient.subscribe_to_heartbeats` and :meth:`TektonClient.subscribe_to_state_changes` return a
:class:`Subscription`: it reconnects when the connection drops (Tekton restarting, a network failure, being
dropped as a slow consumer) and resubscribes with ``since_sequence`` set to the last event it delivered, so
no retained event is lost or delivered twice.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import os
import random
import ssl
import struct
import urllib.parse
from typing import TYPE_CHECKING, Any, Callable, Mapping

from ._http import to_error
from .errors import TektonApiError, TektonConnectionError

if TYPE_CHECKING:
    from .client import TektonClient

__all__ = ["Subscription", "WebSocket", "WebSocketClosed"]

logger = logging.getLogger("tekton.events")

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_MAX_MESSAGE = 1 << 20

OP_CONTINUATION, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


class WebSocketClosed(TektonConnectionError):
    """The WebSocket was closed; ``code`` and ``reason`` are the peer's close frame (``None`` without one)."""

    def __init__(self, message: str, code: int | None = None, reason: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason


def _mask(data: bytes, key: bytes) -> bytes:
    if not data:
        return data
    length = len(data)
    repeated = (key * (length // 4 + 1))[:length]
    return (int.from_bytes(data, "big") ^ int.from_bytes(repeated, "big")).to_bytes(length, "big")


class WebSocket:
    """A client WebSocket (RFC 6455): masked frames, fragmented messages, ping/pong and the close handshake."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._write_lock = asyncio.Lock()
        self._close_sent = False
        self.close_code: int | None = None
        self.close_reason = ""

    @classmethod
    async def connect(
        cls, url: str, headers: Mapping[str, str] | None = None, timeout: float = 30.0
    ) -> "WebSocket":
        """Opens ``ws://`` or ``wss://`` ``url``. Raises :class:`TektonApiError` when the server answers the
        upgrade with an error (401/1008 for bad credentials), :class:`TektonConnectionError` otherwise."""
        parts = urllib.parse.urlsplit(url)
        secure = parts.scheme == "wss"
        host = parts.hostname or "localhost"
        port = parts.port or (443 if secure else 80)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(host, port, ssl=ssl.create_default_context() if secure else None, limit=_MAX_MESSAGE),
                timeout)
        except (OSError, asyncio.TimeoutError) as error:
            raise TektonConnectionError(f"Cannot open the event socket {url}: {error!r}") from error
        key = base64.b64encode(os.urandom(16)).decode("ascii")
        netloc = parts.netloc.rpartition("@")[2]
        lines = [
            f"GET {target} HTTP/1.1",
            f"Host: {netloc}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
        ]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        try:
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            await writer.drain()
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
            status_line, *header_lines = head.decode("latin-1").split("\r\n")
            answer_headers: dict[str, str] = {}
            for line in header_lines:
                if ":" in line:
                    name, _, value = line.partition(":")
                    answer_headers[name.strip().lower()] = value.strip()
            status = int(status_line.split(" ", 2)[1])
            if status != 101:
                body = await asyncio.wait_for(_read_body(reader, answer_headers), timeout)
                writer.close()
                raise to_error(status, _Headers(answer_headers), body, f"upgrade refused: {status_line}")
            expected = base64.b64encode(hashlib.sha1((key + _GUID).encode("ascii")).digest()).decode("ascii")
            if answer_headers.get("sec-websocket-accept") != expected:
                writer.close()
                raise TektonConnectionError(f"{url} answered the upgrade with a wrong Sec-WebSocket-Accept")
        except TektonApiError:
            raise
        except TektonConnectionError:
            raise
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, IndexError) as error:
            writer.close()
            raise TektonConnectionError(f"The WebSocket handshake with {url} failed: {error!r}") from error
        return cls(reader, writer)

    async def _send_frame(self, opcode: int, payload: bytes) -> None:
        header = bytearray([0x80 | opcode])
        length = len(payload)
        if length < 126:
            header.append(0x80 | length)
        elif length < 65536:
            header.append(0x80 | 126)
            header += struct.pack(">H", length)
        else:
            header.append(0x80 | 127)
            header += struct.pack(">Q", length)
        key = os.urandom(4)
        async with self._write_lock:
            self._writer.write(bytes(header) + key + _mask(payload, key))
            await self._writer.drain()

    async def send(self, text: str) -> None:
        """Sends one text message."""
        if self._close_sent:
            raise WebSocketClosed("The WebSocket is closing.", self.close_code, self.close_reason)
        try:
            await self._send_frame(OP_TEXT, text.encode("utf-8"))
        except OSError as error:
            raise WebSocketClosed(f"Sending on the WebSocket failed: {error!r}") from error

    async def receive(self, idle_timeout: float | None = None) -> str:
        """The next text message. Answers pings; raises :class:`WebSocketClosed` when the connection ends
        (after answering a close frame) or nothing at all arrives for ``idle_timeout`` seconds."""
        parts: list[bytes] = []
        size = 0
        while True:
            try:
                opcode, fin, payload = await asyncio.wait_for(self._read_frame(), idle_timeout)
            except asyncio.TimeoutError as error:
                raise WebSocketClosed(f"Nothing received for {idle_timeout:g} s.") from error
            except (asyncio.IncompleteReadError, OSError) as error:
                raise WebSocketClosed(f"The connection ended: {error!r}") from error
            if opcode == OP_PING:
                try:
                    await self._send_frame(OP_PONG, payload)
                except OSError as error:
                    raise WebSocketClosed(f"The connection ended: {error!r}") from error
                continue
            if opcode == OP_PONG:
                continue
            if opcode == OP_CLOSE:
                self.close_code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None
                self.close_reason = payload[2:].decode("utf-8", errors="replace")
                if not self._close_sent:
                    try:
                        await self._send_close(self.close_code or 1000, "")
                    except OSError:
                        pass
                raise WebSocketClosed(f"Tekton closed the WebSocket ({self.close_code} {self.close_reason})".strip(),
                                      self.close_code, self.close_reason)
            if opcode in (OP_TEXT, OP_BINARY, OP_CONTINUATION):
                parts.append(payload)
                size += len(payload)
                if size > _MAX_MESSAGE:
                    await self.close(1009, "message too big")
                    raise WebSocketClosed(f"A message is larger than {_MAX_MESSAGE} bytes.", 1009)
                if fin:
                    return b"".join(parts).decode("utf-8")
                continue
            await self.close(1002, "protocol error")
            raise WebSocketClosed(f"Unknown WebSocket opcode {opcode}.", 1002)

    async def _read_frame(self) -> tuple[int, bool, bytes]:
        first, second = await self._reader.readexactly(2)
        fin = bool(first & 0x80)
        opcode = first & 0x0F
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack(">H", await self._reader.readexactly(2))
        elif length == 127:
            (length,) = struct.unpack(">Q", await self._reader.readexactly(8))
        if length > _MAX_MESSAGE:
            raise WebSocketClosed(f"A frame is larger than {_MAX_MESSAGE} bytes.", 1009)
        key = await self._reader.readexactly(4) if second & 0x80 else None
        payload = await self._reader.readexactly(length) if length else b""
        if key is not None:
            payload = _mask(payload, key)
        return opcode, fin, payload

    async def _send_close(self, code: int, reason: str) -> None:
        self._close_sent = True
        await self._send_frame(OP_CLOSE, struct.pack(">H", code) + reason.encode("utf-8")[:123])

    async def close(self, code: int = 1000, reason: str = "", timeout: float = 2.0) -> None:
        """Sends a close frame, waits briefly for the peer's, and closes the connection."""
        try:
            if not self._close_sent:
                await asyncio.wait_for(self._send_close(code, reason), timeout)
                # Wait for the peer's close frame (or the end of the stream), dropping anything before it.
                async def drain() -> None:
                    while True:
                        opcode, _, _ = await self._read_frame()
                        if opcode == OP_CLOSE:
                            return
                await asyncio.wait_for(drain(), timeout)
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, WebSocketClosed):
            pass
        finally:
            self.abort()

    def abort(self) -> None:
        """Closes the connection without a close handshake."""
        try:
            self._writer.close()
        except (OSError, RuntimeError):
            pass


async def _read_body(reader: asyncio.StreamReader, headers: Mapping[str, str]) -> bytes:
    """The body of a refused upgrade: by Content-Length, or chunked."""
    try:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            chunks = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    return b"".join(chunks)
                chunks.append(await reader.readexactly(size))
                await reader.readexactly(2)
                if sum(map(len, chunks)) > _MAX_MESSAGE:
                    return b"".join(chunks)
        length = int(headers.get("content-length", "0") or 0)
        return await reader.readexactly(min(length, _MAX_MESSAGE)) if length else b""
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, OSError):
        return b""


class _Headers(dict):
    """Lower-case header names, read case-insensitively."""

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(name.lower(), default)


class Subscription:
    """A live subscription to one of Tekton's event channels.

    ``last_sequence`` is the sequence of the last event delivered (or the one it resumes after; ``None``
    before any), ``reconnects`` how often the connection was re-established, ``connected`` whether it is
    connected and subscribed now. ``await unsubscribe()`` ends it.
    """

    def __init__(
        self,
        client: "TektonClient",
        channel: str,
        make_message: Callable[[int | None], dict[str, Any]],
        kinds: set[str],
        callback: Callable[[dict[str, Any]], Any],
        since_sequence: int | None = None,
        *,
        on_resync_required: Callable[[dict[str, Any]], Any] | None = None,
        on_disconnected: Callable[[BaseException | None], Any] | None = None,
        on_reconnected: Callable[[], Any] | None = None,
        on_error: Callable[[BaseException], Any] | None = None,
        max_reconnect_delay: float = 5.0,
        idle_timeout: float = 60.0,
        connect_timeout: float | None = None,
    ) -> None:
        base = urllib.parse.urlsplit(client.base_url)
        scheme = "wss" if base.scheme == "https" else "ws"
        self.url = urllib.parse.urlunsplit((scheme, base.netloc, base.path.rstrip("/") + f"/ws/tekton/{channel}", "", ""))
        self.channel = channel
        self._client = client
        self._make_message = make_message
        self._kinds = kinds
        self._callback = callback
        self._on_resync_required = on_resync_required
        self._on_disconnected = on_disconnected
        self._on_reconnected = on_reconnected
        self._on_error = on_error
        self.max_reconnect_delay = max_reconnect_delay
        self.idle_timeout = idle_timeout
        self.connect_timeout = connect_timeout if connect_timeout is not None else client.timeout
        self.last_sequence: int | None = since_sequence
        self.reconnects = 0
        self.connected = False
        self._stopping = False
        self._subscribed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._task: asyncio.Task[None] | None = None

    @classmethod
    async def start(
        cls,
        client: "TektonClient",
        channel: str,
        make_message: Callable[[int | None], dict[str, Any]],
        kinds: set[str],
        callback: Callable[[dict[str, Any]], Any],
        since_sequence: int | None = None,
        **options: Any,
    ) -> "Subscription":
        subscription = cls(client, channel, make_message, kinds, callback, since_sequence, **options)
        subscription._task = asyncio.get_running_loop().create_task(subscription._run(), name=f"tekton-events-{channel}")
        try:
            await asyncio.shield(subscription._subscribed)
        except BaseException:
            await subscription.unsubscribe()
            raise
        return subscription

    async def unsubscribe(self) -> None:
        """Stops the subscription and closes its socket. Safe to call more than once."""
        self._stopping = True
        self._client._forget(self)
        task = self._task
        if task is not None and not task.done() and task is not asyncio.current_task():
            task.cancel()
            # Before Python 3.12, asyncio.wait_for loses a cancellation that arrives as the read it waits for
            # completes. The receive loop also ends once _stopping is set, and the task is cancelled again until it
            # has ended, so an unsubscribe never waits on a subscription that goes on answering pings.
            while not task.done():
                done, _ = await asyncio.wait({task}, timeout=1.0)
                if not done:
                    task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if not self._subscribed.done():
            self._subscribed.cancel()

    close = unsubscribe

    async def __aenter__(self) -> "Subscription":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.unsubscribe()

    def __repr__(self) -> str:
        return f"Subscription({self.url!r}, last_sequence={self.last_sequence}, connected={self.connected})"

    async def _call(self, handler: Callable[..., Any] | None, *args: Any) -> None:
        if handler is None:
            return
        try:
            result = handler(*args)
            if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
                await result
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001
            logger.exception("a subscription handler failed")

    async def _run(self) -> None:
        failures = 0

        def subscribed() -> None:
            nonlocal failures
            failures = 0

        while not self._stopping:
            lost: BaseException | None = None
            try:
                await self._connect_and_receive(subscribed)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - reconnects
                lost = error
            finally:
                self.connected = False
            if not self._subscribed.done():
                # The first connection failed: the caller of subscribe_to_... gets the error.
                self._subscribed.set_exception(lost or WebSocketClosed("Tekton closed the event socket before confirming the subscription."))
                return
            if self._stopping:
                return
            logger.info("event socket %s lost (%s); reconnecting", self.url, lost)
            await self._call(self._on_disconnected, lost)
            failures += 1
            ceiling = min(self.max_reconnect_delay, 0.1 * 2 ** (min(failures, 16) - 1))
            await asyncio.sleep(ceiling / 2 + random.random() * ceiling / 2)

    async def _connect_and_receive(self, on_subscribed: Callable[[], None]) -> None:
        headers = {"User-Agent": "tekton-python"}
        if self._client.api_key:
            headers["Authorization"] = "Bearer " + self._client.api_key
        socket = await WebSocket.connect(self.url, headers, self.connect_timeout)
        try:
            await socket.send(json.dumps(self._make_message(self.last_sequence)))
            while not self._stopping:
                message = json.loads(await socket.receive(self.idle_timeout))
                if self._stopping:
                    break
                if not isinstance(message, dict):
                    continue
                kind = message.get("event")
                if kind == "subscribed":
                    latest = message.get("latest_sequence")
                    # Without a sequence to resume from, live events start after latest_sequence: remember it,
                    # so a reconnection before the first event still resumes without a gap.
                    if self.last_sequence is None and isinstance(latest, int):
                        self.last_sequence = latest
                    self.connected = True
                    on_subscribed()
                    if not self._subscribed.done():
                        self._subscribed.set_result(None)
                    else:
                        self.reconnects += 1
                        await self._call(self._on_reconnected)
                elif kind == "error":
                    code = message.get("code") if isinstance(message.get("code"), int) else 1000
                    error = TektonApiError(400, code, message.get("message") or "Tekton refused the subscription.", message)
                    if not self._subscribed.done():
                        self._stopping = True
                        raise error
                    logger.warning("event socket error: %s", error)
                    await self._call(self._on_error, error)
                elif kind == "resync_required":
                    await self._call(self._on_resync_required, message)
                elif isinstance(message.get("sequence"), int):
                    sequence = message["sequence"]
                    if self.last_sequence is not None and sequence <= self.last_sequence:
                        continue
                    self.last_sequence = sequence
                    if kind in self._kinds:
                        try:
                            result = self._callback(message)
                            if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
                                await result
                        except asyncio.CancelledError:
                            raise
                        except Exception as error:  # noqa: BLE001 - the subscription goes on
                            if self._on_error is None:
                                logger.exception("an event callback failed")
                            await self._call(self._on_error, error)
        finally:
            if self._stopping:
                await socket.close(1000, "unsubscribed")
            else:
                socket.abort()
