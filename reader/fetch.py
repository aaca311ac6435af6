"""HTTP for Newsdesk: conditional GET, redirects, size and time limits, politeness.

One `Fetcher` is shared by every refresh worker thread. It never stores cookies,
follows redirects itself (so each target is checked and loops are caught), decodes
gzip/deflate in bounded steps (so a gzip bomb cannot blow up memory), and turns every
network failure into a `FetchError` whose message a user can read.
"""

from __future__ import annotations

import email.utils
import http
import http.cookiejar
import socket
import ssl
import threading
import time
import urllib.request
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from urllib.parse import urlsplit

import httpx

from reader import __version__
from reader.errors import (
    FetchError,
    FetchTimeout,
    Gone,
    HTTPStatusError,
    NewsdeskError,
    RateLimited,
    ResponseTooLarge,
    TooManyRedirects,
    UnsupportedURL,
)

USER_AGENT = f"Newsdesk/{__version__} (+https://github.com/newsdesk-reader/newsdesk)"
DEFAULT_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, "
    "text/html;q=0.8, */*;q=0.5"
)
DEFAULT_RETRY_AFTER = timedelta(minutes=5)
MAX_RETRY_AFTER = timedelta(days=1)

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_PERMANENT_STATUSES = frozenset({301, 308})
_DECODE_STEP = 64 * 1024  # largest piece one decompression step may produce


@dataclass(frozen=True)
class FetchLimits:
    """Per-request bounds; the defaults suit a desktop refresh of many sources.

    The deadline clock starts once the request holds its first per-host slot (waiting
    behind other requests to the same host does not count). Elapsed time is checked
    between body chunks, so the worst case is about `deadline` plus one `read_timeout`.
    """

    connect_timeout: float = 10.0
    read_timeout: float = 15.0
    deadline: float = 30.0  # overall wall-clock cap per request incl. redirects & body
    max_bytes: int = 20 * 1024**2  # cap on the DECODED body (gzip bombs!)
    max_redirects: int = 10
    per_host: int = 2  # concurrent requests to one host


@dataclass(frozen=True)
class FetchResult:
    """What one successful fetch produced (a 2xx body, or a 304)."""

    url: str  # final URL after redirects
    status: int  # 200, or 304 when not modified
    content: bytes  # b"" on 304
    content_type: str  # e.g. "application/rss+xml" (no parameters), "" if absent
    charset: str | None
    etag: str | None  # stored exactly as received
    last_modified: str | None
    permanent_redirect: str | None  # target URL when the chain began with 301/308
    not_modified: bool


def check_url(url: str) -> str:
    """Return `url` normalized (lower-case scheme/host, no default port, no fragment).

    Raises UnsupportedURL, with the reason, for anything but an absolute http(s) URL.
    """
    text = url.strip()
    shown = _shorten(text)  # a data: URL can be megabytes long; messages stay one line
    if not text:
        raise UnsupportedURL("empty address")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
        raise UnsupportedURL(f"address contains control characters: {shown!r}")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise UnsupportedURL(f"not a valid address: {shown} ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsupportedURL(_scheme_reason(shown, scheme))
    host = parts.hostname or ""
    if not host:
        raise UnsupportedURL(f"address has no host name: {shown}")
    if any(ch.isspace() or ch in "<>\"{}|\\^`" for ch in host):
        raise UnsupportedURL(f"invalid host name in address: {shown}")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != (443 if scheme == "https" else 80):
        netloc = f"{netloc}:{port}"
    if parts.username is not None:
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@{netloc}"
    path = parts.path or "/"
    query = f"?{parts.query}" if parts.query else ""
    try:
        # httpx applies IDNA to the host and percent-encodes what must be encoded.
        return str(httpx.URL(f"{scheme}://{netloc}{path}{query}"))
    except (httpx.InvalidURL, UnicodeError) as exc:
        raise UnsupportedURL(f"not a valid address: {shown} ({exc})") from None


def _shorten(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _scheme_reason(text: str, scheme: str) -> str:
    if not scheme:
        return f"not a web address (expected http:// or https://): {text}"
    if len(scheme) == 1:  # "C:\feeds\x.xml" parses with scheme "c"
        return f"a local file path is not a web address: {text}"
    return f"{scheme}: addresses are not supported, only http and https: {text}"


class _RefuseAllCookies(http.cookiejar.DefaultCookiePolicy):
    """Feeds need no session state; storing cookies would only let sites track readers."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        return False


class Fetcher:
    """A thread-safe HTTP client for feeds and pages; share one across worker threads."""

    def __init__(
        self,
        limits: FetchLimits | None = None,
        user_agent: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.limits = limits or FetchLimits()
        self.user_agent = user_agent or USER_AGENT
        # A Fetcher on the real network can be re-created in another process from its
        # limits and user agent; one with a test transport cannot.
        self.portable = transport is None
        self._client = httpx.Client(
            headers={
                "User-Agent": self.user_agent,
                "Accept-Encoding": "gzip, deflate",
            },
            cookies=http.cookiejar.CookieJar(policy=_RefuseAllCookies()),
            follow_redirects=False,
            limits=httpx.Limits(
                max_connections=128, max_keepalive_connections=32, keepalive_expiry=30.0
            ),
            transport=transport,
        )
        self._host_slots: dict[str, threading.BoundedSemaphore] = {}
        self._host_slots_lock = threading.Lock()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close pooled connections; the Fetcher cannot be used afterwards."""
        self._client.close()

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
        accept: str | None = None,
    ) -> FetchResult:
        """GET `url`, following redirects, conditionally when validators are given.

        Raises a FetchError subclass (or UnsupportedURL) with a readable message.
        """
        current = httpx.URL(check_url(url))
        limit = self.limits.max_bytes if max_bytes is None else max_bytes
        headers = {"Accept": accept or DEFAULT_ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        visited = {str(current)}
        permanent: str | None = None
        still_permanent = True  # only an unbroken run of 301/308 from the start counts
        deadline_at: float | None = None  # starts once the first request may go out
        for _hop in range(self.limits.max_redirects + 1):
            slot = self._slot_for(current)
            if deadline_at is None:
                slot.acquire()
                deadline_at = time.monotonic() + self.limits.deadline
            elif not slot.acquire(timeout=max(0.0, deadline_at - time.monotonic())):
                raise FetchTimeout(f"{_host(current)}: {self._deadline_message()}")
            try:
                with _readable_errors(current, self.limits):
                    outcome = self._one_request(current, headers, deadline_at, limit, etag,
                                                last_modified)
            finally:
                slot.release()
            if isinstance(outcome, FetchResult):
                if permanent is not None:
                    outcome = replace(outcome, permanent_redirect=permanent)
                return outcome
            status, target = outcome
            if still_permanent and status in _PERMANENT_STATUSES:
                permanent = str(target)
            else:
                still_permanent = False
            if str(target) in visited:
                raise TooManyRedirects(f"redirect loop: {target} was already visited")
            visited.add(str(target))
            current = target
        raise TooManyRedirects(f"more than {self.limits.max_redirects} redirects")

    def _deadline_message(self) -> str:
        return f"no complete response within {self.limits.deadline:g} s"

    def _slot_for(self, url: httpx.URL) -> threading.BoundedSemaphore:
        """The semaphore limiting requests to this host name (all its ports share it)."""
        key = url.host
        with self._host_slots_lock:
            slot = self._host_slots.get(key)
            if slot is None:
                slot = threading.BoundedSemaphore(max(1, self.limits.per_host))
                self._host_slots[key] = slot
            return slot

    def _one_request(
        self,
        url: httpx.URL,
        headers: dict[str, str],
        deadline_at: float,
        limit: int,
        sent_etag: str | None,
        sent_last_modified: str | None,
    ) -> FetchResult | tuple[int, httpx.URL]:
        """One hop: a FetchResult when done, or (status, target) for a redirect."""
        remaining = deadline_at - time.monotonic()
        if remaining <= 0:
            raise FetchTimeout(f"{_host(url)}: {self._deadline_message()}")
        timeout = httpx.Timeout(
            connect=min(self.limits.connect_timeout, remaining),
            read=min(self.limits.read_timeout, remaining),
            write=min(self.limits.read_timeout, remaining),
            pool=remaining,
        )
        request = self._client.build_request("GET", url, headers=headers, timeout=timeout)
        response = self._client.send(request, stream=True)
        try:
            status = response.status_code
            if status in _REDIRECT_STATUSES:
                return status, _redirect_target(url, response)
            if status == 304:
                return FetchResult(
                    url=str(url), status=304, content=b"", content_type="", charset=None,
                    etag=response.headers.get("ETag") or sent_etag,
                    last_modified=response.headers.get("Last-Modified") or sent_last_modified,
                    permanent_redirect=None, not_modified=True,
                )
            if not 200 <= status < 300:
                raise _status_error(response)
            content = _read_body(response, limit, deadline_at, self._deadline_message())
            content_type, charset = _split_content_type(response.headers.get("Content-Type", ""))
            return FetchResult(
                url=str(url), status=status, content=content, content_type=content_type,
                charset=charset, etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
                permanent_redirect=None, not_modified=False,
            )
        finally:
            response.close()


def _host(url: httpx.URL) -> str:
    return f"{url.host}:{url.port}" if url.port else url.host


def _redirect_target(url: httpx.URL, response: httpx.Response) -> httpx.URL:
    location = response.headers.get("Location", "").strip()
    if not location:
        raise HTTPStatusError(
            response.status_code,
            f"HTTP {response.status_code} {_phrase(response)} without a Location header",
        )
    try:
        absolute = str(url.join(location))
    except (httpx.InvalidURL, ValueError):
        absolute = location
    try:
        return httpx.URL(check_url(absolute))
    except UnsupportedURL as exc:
        raise UnsupportedURL(f"redirected to an unsupported address: {exc}") from None


def _phrase(response: httpx.Response) -> str:
    try:
        return http.HTTPStatus(response.status_code).phrase
    except ValueError:
        return response.reason_phrase or "error"


def _status_error(response: httpx.Response) -> HTTPStatusError:
    status = response.status_code
    reason = f"HTTP {status} {_phrase(response)}"
    if status == 410:
        return Gone(status, f"{reason}: the publisher removed this address")
    if status in (429, 503):
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        when = retry_after.strftime("%Y-%m-%d %H:%M:%S UTC")
        return RateLimited(status, f"{reason}: rate limited, retry after {when}", retry_after)
    return HTTPStatusError(status, reason)


def parse_retry_after(value: str | None, now: datetime | None = None) -> datetime:
    """When to retry, from a Retry-After value (seconds or HTTP date), capped at one day."""
    now = now or datetime.now(UTC)
    delay = DEFAULT_RETRY_AFTER
    text = (value or "").strip()
    if text.isdigit():
        delay = timedelta(seconds=min(int(text), int(MAX_RETRY_AFTER.total_seconds())))
    elif text:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            delay = max(timedelta(0), when - now)
    return now + min(delay, MAX_RETRY_AFTER)


def _split_content_type(value: str) -> tuple[str, str | None]:
    media_type, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, raw = param.partition("=")
        if name.strip().lower() == "charset":
            charset = raw.strip().strip("\"'").lower() or None
    return media_type.strip().lower(), charset


def _format_size(size: int) -> str:
    if size >= 1024**2:
        return f"{size / 1024**2:g} MB" if size % 1024**2 == 0 else f"{size / 1024**2:.1f} MB"
    if size >= 1024:
        return f"{size // 1024} KB"
    return f"{size} bytes"


def _read_body(response: httpx.Response, limit: int, deadline_at: float, late: str) -> bytes:
    """Read and decode the body, stopping at `limit` decoded bytes or at the deadline."""
    too_large = f"response larger than {_format_size(limit)}"
    encodings = [
        token.strip().lower()
        for token in response.headers.get("Content-Encoding", "").split(",")
        if token.strip() and token.strip().lower() != "identity"
    ]
    declared = response.headers.get("Content-Length", "")
    if not encodings and declared.isdigit() and int(declared) > limit:
        raise ResponseTooLarge(too_large)

    def raw_chunks() -> Iterator[bytes]:
        for chunk in response.iter_raw():
            if time.monotonic() > deadline_at:
                raise FetchTimeout(f"{_host(response.request.url)}: {late}")
            yield chunk

    body = bytearray()
    for piece in _decode(raw_chunks(), encodings):
        if len(body) + len(piece) > limit:
            raise ResponseTooLarge(too_large)
        body += piece
        if time.monotonic() > deadline_at:
            raise FetchTimeout(f"{_host(response.request.url)}: {late}")
    return bytes(body)


def _decode(chunks: Iterable[bytes], encodings: list[str]) -> Iterator[bytes]:
    """Undo the content codings (applied in order, so undone in reverse), lazily."""
    stream: Iterable[bytes] = chunks
    for encoding in reversed(encodings):
        if encoding not in ("gzip", "x-gzip", "deflate"):
            raise FetchError(f"the server used a content encoding Newsdesk cannot read: {encoding}")
        stream = _inflate(stream, gzip=encoding != "deflate")
    return iter(stream)


def _inflate(chunks: Iterable[bytes], *, gzip: bool) -> Iterator[bytes]:
    """Decompress in steps of at most _DECODE_STEP bytes, so output never piles up."""
    wbits = zlib.MAX_WBITS | 16 if gzip else zlib.MAX_WBITS
    head = b""  # "deflate" may be raw deflate without the zlib header: sniff 2 bytes
    decompressor: zlib._Decompress | None = None
    finished = False  # a complete gzip member or deflate stream has been read
    for chunk in chunks:
        data = chunk
        if decompressor is None:
            head += data
            if len(head) < 2:
                continue
            if not gzip and (head[0] & 0x0F != 8 or (head[0] << 8 | head[1]) % 31):
                wbits = -zlib.MAX_WBITS
            decompressor, data = zlib.decompressobj(wbits), head
        while data:
            try:
                yield from _drain(decompressor, data)
            except zlib.error:
                if finished:
                    return  # junk after a complete body, as some servers append
                raise FetchError("the response body is corrupt (bad compressed data)") from None
            if not decompressor.eof:
                break
            finished = True
            if not gzip:
                return
            data = decompressor.unused_data  # gzip allows several members in a row
            decompressor = zlib.decompressobj(wbits)
    if decompressor is None and head:
        raise FetchError("the response body is corrupt (bad compressed data)")


def _drain(decompressor: zlib._Decompress, data: bytes) -> Iterator[bytes]:
    """Feed `data`, yielding bounded pieces until it is consumed or the stream ends."""
    while True:
        out = decompressor.decompress(data, _DECODE_STEP)
        if out:
            yield out
        data = decompressor.unconsumed_tail
        # A full step may leave output inside zlib even with no input left: ask again.
        if decompressor.eof or (not data and len(out) < _DECODE_STEP):
            return


@contextmanager
def _readable_errors(url: httpx.URL, limits: FetchLimits) -> Iterator[None]:
    """Translate httpx/socket exceptions into FetchErrors with a user-readable reason."""
    try:
        yield
    except httpx.HTTPError as exc:
        raise _translate(exc, _host(url), limits) from exc


def _translate(exc: httpx.HTTPError, host: str, limits: FetchLimits) -> NewsdeskError:
    if isinstance(exc, httpx.ConnectTimeout):
        return FetchTimeout(f"{host}: no connection within {limits.connect_timeout:g} s")
    if isinstance(exc, httpx.PoolTimeout):
        return FetchTimeout(f"{host}: timed out waiting for a free connection")
    if isinstance(exc, httpx.TimeoutException):
        return FetchTimeout(f"{host}: the server did not answer within {limits.read_timeout:g} s")
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return UnsupportedURL(f"{host}: unsupported address")
    cause = _root_cause(exc)
    if isinstance(cause, socket.gaierror):
        return FetchError(f"{host}: server not found (the host name could not be resolved)")
    if isinstance(cause, ConnectionRefusedError):
        return FetchError(f"{host}: connection refused")
    if isinstance(cause, ssl.SSLCertVerificationError):
        reason = cause.verify_message or "verification failed"
        return FetchError(f"{host}: the server's TLS certificate is not valid ({reason})")
    if isinstance(cause, ssl.SSLError):
        return FetchError(f"{host}: a secure connection could not be set up")
    if isinstance(exc, httpx.RemoteProtocolError):
        return FetchError(f"{host}: the server closed the connection or sent a broken response")
    if isinstance(exc, httpx.ConnectError):
        detail = f" ({cause.strerror})" if isinstance(cause, OSError) and cause.strerror else ""
        return FetchError(f"{host}: could not connect{detail}")
    if isinstance(exc, (httpx.ReadError, httpx.WriteError)):
        return FetchError(f"{host}: the connection was interrupted")
    return FetchError(f"{host}: network error ({type(exc).__name__})")


def _root_cause(exc: BaseException) -> BaseException:
    seen: set[int] = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        nxt = exc.__cause__ or exc.__context__
        if nxt is None:
            break
        exc = nxt
    return exc
