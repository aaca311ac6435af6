"""A local HTTP server for tests and benchmarks: static routes, dynamic handlers, hostile servers.

Runs a ThreadingHTTPServer on 127.0.0.1 (ephemeral port) in a daemon thread. Static
routes answer conditional GETs by themselves (ETag from the body, Last-Modified from the
moment the route was set). `hostile(name)` installs ready-made bad servers (hanging,
trickling, huge bodies, gzip bombs, redirect loops, error statuses). `stop()` releases
every handler that is still waiting, so no thread or socket outlives the test.

    def test_something(local_server: LocalServer) -> None:
        local_server.route("/feed.xml", FEED, content_type="application/rss+xml")
        url = local_server.url("/feed.xml")
"""

from __future__ import annotations

import email.utils
import functools
import hashlib
import mimetypes
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import pytest

MB = 1024**2
HUGE_BODY_SIZE = 100 * MB
GZIP_BOMB_SIZE = 1024 * MB
HOSTILE_BEHAVIOURS = (
    "hang",  # accepts the request, never answers (until the server stops)
    "stall",  # sends headers and a little body, then nothing more
    "trickle",  # 200 and one byte a second, forever
    "huge",  # 100 MB streamed, no Content-Length
    "huge-declared",  # 100 MB with an honest Content-Length
    "gzip-bomb",  # ~1 MB of gzip that expands to 1 GB
    "redirect-loop",  # A -> B -> A
    "redirect-endless",  # A?n=1 -> A?n=2 -> ... all different URLs
    "redirect-to-file",  # Location: file:///etc/passwd
    "gone",  # 410
    "rate-limited",  # 429 with Retry-After: 120
    "unavailable",  # 503 with Retry-After: 120
    "server-error",  # 500
    "not-found",  # 404
    "reset",  # closes the connection without any response
    "set-cookie",  # 200 that tries to set a cookie
)


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it. `headers` is case-insensitive."""

    method: str
    path: str  # path plus query string, as sent
    headers: httpx.Headers
    received_at: float  # time.monotonic()

    @property
    def path_only(self) -> str:
        return urlsplit(self.path).path

    @property
    def query(self) -> str:
        return urlsplit(self.path).query


Request = RecordedRequest


@dataclass
class Response:
    """What a handler answers. A non-bytes iterable `body` is streamed, then the socket closes."""

    status: int = 200
    body: bytes | str | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = "text/html"


Handler = Callable[[Request], Response]


@functools.cache
def gzip_bomb(size: int = GZIP_BOMB_SIZE) -> bytes:
    """A single valid gzip stream of `size` zero bytes (a multiple of 1 MB), built once.

    Zeros are streamed through zlib one 1 MB block at a time; a full flush after each
    block resets the compressor, so every block after the first compresses to the same
    bytes and only needs computing once. The trailer carries the true CRC and length.
    """
    if size <= 0 or size % MB:
        raise ValueError("gzip bomb size must be a positive multiple of 1 MB")
    block = bytes(MB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    final_block = compressor.flush(zlib.Z_FINISH)[:-8]  # drop the trailer for 2 blocks
    crc = 0
    for _ in range(size // MB):
        crc = zlib.crc32(block, crc)
    trailer = struct.pack("<II", crc, size & 0xFFFFFFFF)
    return first + repeated * (size // MB - 1) + final_block + trailer


def _etag_for(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:20] + '"'


def _not_modified(request: Request, etag: str, last_modified: str) -> bool:
    """RFC 9110 rules, simplified: If-None-Match wins; otherwise If-Modified-Since."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        wanted = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in wanted or etag.removeprefix("W/") in wanted
    if_modified_since = request.headers.get("If-Modified-Since")
    if if_modified_since:
        try:
            since = email.utils.parsedate_to_datetime(if_modified_since)
            modified = email.utils.parsedate_to_datetime(last_modified)
        except (TypeError, ValueError):
            return False
        return modified <= since
    return False


def static_handler(
    body: bytes | str,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    content_type: str | None = "text/html",
) -> Handler:
    """A handler that always answers `body`, and 304 to a matching conditional GET."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    fixed = dict(headers or {})
    lowered = {name.lower(): value for name, value in fixed.items()}
    etag = lowered.get("etag", _etag_for(data))
    last_modified = lowered.get("last-modified", email.utils.formatdate(usegmt=True))
    if status == 200:  # validators only make sense for a real representation
        if "etag" not in lowered:
            fixed["ETag"] = etag
        if "last-modified" not in lowered:
            fixed["Last-Modified"] = last_modified

    def answer(request: Request) -> Response:
        if status == 200 and _not_modified(request, etag, last_modified):
            return Response(304, b"", {"ETag": etag, "Last-Modified": last_modified}, None)
        return Response(status, data, dict(fixed), content_type)

    return answer


class LocalServer:
    """The test server; use as a context manager or call start()/stop()."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.errors: list[BaseException] = []  # exceptions raised by dynamic handlers
        self.stopping = threading.Event()  # set on stop(): long-running handlers must return
        self._routes: dict[str, Handler] = {}
        self._directories: list[tuple[str, Path]] = []
        self._lock = threading.Lock()
        self._in_flight = 0
        self.peak_concurrency = 0  # most requests handled at once since the last reset
        self._connections: set[socket.socket] = set()
        self._handler_threads: list[threading.Thread] = []
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> None:
        if self._httpd is not None:
            return
        self.stopping.clear()
        self._httpd = _Server(("127.0.0.1", 0), _RequestHandler, self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"LocalServer:{self.port}", daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        httpd, thread = self._httpd, self._thread
        if httpd is None or thread is None:
            return
        self.stopping.set()
        httpd.shutdown()
        with self._lock:
            connections = list(self._connections)
            handler_threads = list(self._handler_threads)
        for connection in connections:
            try:  # wakes handlers blocked on this socket; their own close follows
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for handler_thread in handler_threads:
            handler_thread.join(timeout=5)
        httpd.server_close()
        thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses ---------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the server is not running; call start() first")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + ("" if path.startswith("/") else "/") + path

    # -- routes ------------------------------------------------------------------------
    def route(
        self,
        path: str,
        body: bytes | str = b"",
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        content_type: str = "text/html",
    ) -> str:
        """Serve `body` at `path` (exact match; with a query string, that query only)."""
        handler = static_handler(body, status=status, headers=headers, content_type=content_type)
        return self.route_handler(path, handler)

    def route_handler(self, path: str, handler: Handler) -> str:
        """Answer requests for `path` by calling `handler` (on the server's threads)."""
        with self._lock:
            self._routes[path] = handler
        return self.url(path)

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        """Answer `path` with a redirect to `location` (absolute or relative)."""
        return self.route_handler(path, lambda _: Response(status, b"", {"Location": location}))

    def serve_directory(self, prefix: str, directory: Path) -> None:
        """Serve the files below `directory` at `prefix/...` (with conditional GET)."""
        with self._lock:
            self._directories.append((prefix.rstrip("/") + "/", directory.resolve()))

    def hostile(self, name: str, path: str | None = None) -> str:
        """Install one of HOSTILE_BEHAVIOURS at `path` (default /hostile/<name>); return its URL."""
        if name not in HOSTILE_BEHAVIOURS:
            raise ValueError(f"unknown hostile behaviour {name!r}; one of {HOSTILE_BEHAVIOURS}")
        path = path or f"/hostile/{name}"
        if name == "redirect-loop":
            self.redirect(path + "-b", path)
            return self.redirect(path, path + "-b")
        return self.route_handler(path, functools.partial(_HOSTILE[name], self))

    def requests_for(self, path: str) -> list[RecordedRequest]:
        """Requests whose path (ignoring the query string) is `path`."""
        with self._lock:
            return [r for r in self.requests if r.path_only == path]

    def reset_stats(self) -> None:
        with self._lock:
            self.requests.clear()
            self.peak_concurrency = self._in_flight

    # -- used by the request handler ---------------------------------------------------
    def _find_handler(self, path: str) -> Handler | None:
        with self._lock:
            handler = self._routes.get(path) or self._routes.get(urlsplit(path).path)
            directories = sorted(self._directories, key=lambda d: len(d[0]), reverse=True)
        if handler is not None:
            return handler
        plain = urlsplit(path).path
        for prefix, directory in directories:
            if plain.startswith(prefix):
                target = (directory / unquote(plain[len(prefix):])).resolve()
                if target.is_file() and target.is_relative_to(directory):
                    return _file_handler(target)
        return None

    def _enter(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)
            self._in_flight += 1
            self.peak_concurrency = max(self.peak_concurrency, self._in_flight)

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _track(self, connection: socket.socket, thread: threading.Thread | None) -> None:
        with self._lock:
            self._connections.add(connection)
            if thread is not None:
                self._handler_threads = [t for t in self._handler_threads if t.is_alive()]
                self._handler_threads.append(thread)

    def _untrack(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.discard(connection)


def _file_handler(target: Path) -> Handler:
    content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    if target.suffix in (".xml", ".rss", ".atom"):
        content_type = "application/xml"
    return static_handler(target.read_bytes(), content_type=content_type)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], handler: Any, owner: LocalServer) -> None:
        self.owner = owner
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread, args=(request, client_address), daemon=True
        )
        self.owner._track(request, thread)
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        self.owner._untrack(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up mid-response are normal here; handler errors are recorded


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so connection pooling is exercised
    timeout = 15  # idle keep-alive connections end by themselves
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, *, send_body: bool) -> None:
        owner = self.server.owner
        request = RecordedRequest(
            self.command, self.path, httpx.Headers(list(self.headers.items())), time.monotonic()
        )
        owner._enter(request)
        try:
            handler = owner._find_handler(self.path)
            if handler is None:
                response = Response(404, b"not found", {}, "text/plain")
            else:
                try:
                    response = handler(request)
                except _ResetConnection:
                    self.close_connection = True
                    return
                except Exception as exc:  # a broken test handler: answer 500, keep the error
                    owner.errors.append(exc)
                    response = Response(500, f"handler failed: {exc!r}", {}, "text/plain")
            self._send(response, send_body)
        except OSError:
            self.close_connection = True  # the client went away; nothing to answer
        finally:
            owner._leave()

    def _send(self, response: Response, send_body: bool) -> None:
        body = response.body.encode("utf-8") if isinstance(response.body, str) else response.body
        self.send_response(response.status)
        lowered = {name.lower() for name in response.headers}
        if response.content_type and "content-type" not in lowered:
            self.send_header("Content-Type", response.content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if not isinstance(body, bytes):  # streamed: the end of the body is the close
            self.send_header("Connection", "close")
            self.close_connection = True
        elif response.status != 304 and "content-length" not in lowered:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not send_body or response.status == 304:
            return
        if isinstance(body, bytes):
            self.wfile.write(body)
            return
        for chunk in body:
            if self.server.owner.stopping.is_set():
                break
            self.wfile.write(chunk)


class _ResetConnection(Exception):
    """Raised by a handler to drop the connection without answering."""


# -- hostile behaviours: each takes (server, request) ------------------------------------
def _hang(server: LocalServer, request: Request) -> Response:
    server.stopping.wait()
    raise _ResetConnection


def _stall_body(server: LocalServer) -> Iterator[bytes]:
    yield b"<?xml version='1.0'?><rss><channel>"
    server.stopping.wait()


def _trickle_body(server: LocalServer) -> Iterator[bytes]:
    while not server.stopping.is_set():
        yield b"x"
        server.stopping.wait(1.0)


def _zeros(server: LocalServer, size: int) -> Iterator[bytes]:
    chunk = bytes(64 * 1024)
    for _ in range(size // len(chunk)):
        if server.stopping.is_set():
            return
        yield chunk


def _redirect_endless(server: LocalServer, request: Request) -> Response:
    hop = int(request.query[2:]) if request.query.startswith("n=") else 0
    return Response(302, b"", {"Location": f"{request.path_only}?n={hop + 1}"})


def _reset(server: LocalServer, request: Request) -> Response:
    raise _ResetConnection


_HOSTILE: dict[str, Callable[[LocalServer, Request], Response]] = {
    "hang": _hang,
    "stall": lambda s, r: Response(200, _stall_body(s), {}, "application/rss+xml"),
    "trickle": lambda s, r: Response(200, _trickle_body(s), {}, "application/rss+xml"),
    "huge": lambda s, r: Response(200, _zeros(s, HUGE_BODY_SIZE), {}, "application/xml"),
    "huge-declared": lambda s, r: Response(
        200, _zeros(s, HUGE_BODY_SIZE), {"Content-Length": str(HUGE_BODY_SIZE)}, "application/xml"
    ),
    "gzip-bomb": lambda s, r: Response(
        200, gzip_bomb(), {"Content-Encoding": "gzip"}, "application/rss+xml"
    ),
    "redirect-endless": _redirect_endless,
    "redirect-to-file": lambda s, r: Response(301, b"", {"Location": "file:///etc/passwd"}),
    "gone": lambda s, r: Response(410, b"gone", {}, "text/plain"),
    "rate-limited": lambda s, r: Response(429, b"slow down", {"Retry-After": "120"}, "text/plain"),
    "unavailable": lambda s, r: Response(503, b"busy", {"Retry-After": "120"}, "text/plain"),
    "server-error": lambda s, r: Response(500, b"oops", {}, "text/plain"),
    "not-found": lambda s, r: Response(404, b"no such page", {}, "text/plain"),
    "reset": _reset,
    "set-cookie": lambda s, r: Response(
        200, b"<rss/>", {"Set-Cookie": "tracker=abc123; Path=/; Max-Age=3600"}, "application/xml"
    ),
}


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    """A running LocalServer, stopped (and every waiting handler released) after the test."""
    with LocalServer() as server:
        yield server
