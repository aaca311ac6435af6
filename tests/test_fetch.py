"""reader.fetch against the local test server: validators, redirects, errors, limits, politeness."""

from __future__ import annotations

import gzip
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from reader import __version__
from reader.errors import (
    FetchError,
    FetchTimeout,
    Gone,
    HTTPStatusError,
    RateLimited,
    ResponseTooLarge,
    TooManyRedirects,
    UnsupportedURL,
)
from reader.fetch import Fetcher, FetchLimits, _translate, check_url, parse_retry_after
from tests.support.httpserver import LocalServer, Request, Response, gzip_bomb

# The `local_server` fixture comes from tests/conftest.py (tests.support.httpserver).

FIXTURES = Path(__file__).resolve().parents[1] / ".." / "shared" / "fixtures"
RSS = b"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title></channel></rss>"
FAST = FetchLimits(connect_timeout=1.0, read_timeout=1.0, deadline=5.0)


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FAST) as f:
        yield f


def raises_readably(exc_type: type[Exception], call: Callable[[], object]) -> str:
    """Run `call`, expect `exc_type`, and check the message is prose, not a repr."""
    with pytest.raises(exc_type) as info:
        call()
    message = str(info.value)
    assert message
    for leak in ("Traceback", "Errno", "httpx", "httpcore", "Error(", "<class"):
        assert leak not in message, message
    return message


# -- plain and conditional GET --------------------------------------------------------------


def test_plain_get_returns_body_type_and_validators(
    local_server: LocalServer, fetcher: Fetcher
) -> None:
    url = local_server.route(
        "/feed.xml", RSS, content_type='application/rss+xml; charset="ISO-8859-1"'
    )
    result = fetcher.fetch(url)
    assert result.status == 200 and not result.not_modified
    assert result.content == RSS
    assert result.url == url
    assert result.content_type == "application/rss+xml"
    assert result.charset == "iso-8859-1"
    assert result.etag and result.etag.startswith('"')
    assert result.last_modified and result.last_modified.endswith("GMT")
    assert result.permanent_redirect is None
    sent = local_server.requests[-1].headers
    assert sent["User-Agent"] == (
        f"Newsdesk/{__version__} (+https://github.com/newsdesk-reader/newsdesk)"
    )
    assert sent["Accept-Encoding"] == "gzip, deflate"
    assert "application/rss+xml" in sent["Accept"]
    assert "If-None-Match" not in sent and "Cookie" not in sent


def test_conditional_get_sends_stored_validators_and_reports_304(
    local_server: LocalServer, fetcher: Fetcher
) -> None:
    url = local_server.route("/feed.xml", RSS, content_type="application/rss+xml")
    first = fetcher.fetch(url)
    again = fetcher.fetch(url, etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and again.status == 304 and again.content == b""
    assert (again.etag, again.last_modified) == (first.etag, first.last_modified)
    sent = local_server.requests[-1].headers
    assert sent["If-None-Match"] == first.etag
    assert sent["If-Modified-Since"] == first.last_modified


def test_validator_sent_exactly_as_stored_and_last_modified_alone_works(
    local_server: LocalServer, fetcher: Fetcher
) -> None:
    odd_etag = 'W/"v1;gzip"'
    url = local_server.route("/odd", RSS, headers={"ETag": odd_etag})
    assert fetcher.fetch(url).etag == odd_etag
    assert fetcher.fetch(url, etag=odd_etag).not_modified
    assert local_server.requests[-1].headers["If-None-Match"] == odd_etag
    later = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    assert fetcher.fetch(url, last_modified=later).not_modified


def test_changed_content_comes_back_with_new_validators(
    local_server: LocalServer, fetcher: Fetcher
) -> None:
    url = local_server.route("/feed.xml", RSS)
    first = fetcher.fetch(url)
    local_server.route("/feed.xml", RSS + b"<!-- edited -->")
    second = fetcher.fetch(url, etag=first.etag)
    assert not second.not_modified
    assert second.content.endswith(b"edited -->") and second.etag != first.etag


def test_gzip_and_both_deflate_flavours_are_decoded(
    local_server: LocalServer, fetcher: Fetcher
) -> None:
    body = RSS * 500
    raw_deflate = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    bodies = {
        "gzip": gzip.compress(body),
        "deflate": zlib.compress(body),
        "raw": raw_deflate.compress(body) + raw_deflate.flush(),
    }
    for name, encoded in bodies.items():
        coding = "gzip" if name == "gzip" else "deflate"
        url = local_server.route(f"/{name}", encoded, headers={"Content-Encoding": coding})
        assert fetcher.fetch(url).content == body, name


def test_unrequested_encoding_is_a_readable_error(
    local_server: LocalServer, fetcher: Fetcher
) -> None:
    url = local_server.route("/br", b"\x0b\x02\x80hi\x03", headers={"Content-Encoding": "br"})
    assert "cannot read: br" in raises_readably(FetchError, lambda: fetcher.fetch(url))


def test_corrupt_gzip_is_a_readable_error(local_server: LocalServer, fetcher: Fetcher) -> None:
    url = local_server.route("/bad", b"\x1f\x8b\x08\x00garbage" * 10,
                             headers={"Content-Encoding": "gzip"})
    assert "corrupt" in raises_readably(FetchError, lambda: fetcher.fetch(url))


# -- addresses and redirects -----------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    ["file:///etc/passwd", "javascript:alert(1)", "data:text/html,hi", "/home/me/feed.xml",
     "C:\\feeds\\x.xml", "feed.example.com/rss", "http://", "https:///path", "", "ftp://x/y",
     "http://exa mple.com/", "http://host:99999/"],
)
def test_check_url_refuses_what_is_not_http(bad: str) -> None:
    raises_readably(UnsupportedURL, lambda: check_url(bad))


def test_refusal_message_stays_short_for_huge_addresses() -> None:
    message = raises_readably(UnsupportedURL, lambda: check_url("data:text/plain," + "A" * 10**6))
    assert len(message) < 200 and message.startswith("data: addresses are not supported")


def test_check_url_normalizes() -> None:
    assert check_url("  HTTP://Example.COM:80/a b?x=1#frag ") == "http://example.com/a%20b?x=1"
    assert check_url("https://Example.com:443") == "https://example.com/"
    assert check_url("https://example.com:8443/x") == "https://example.com:8443/x"
    assert check_url("https://bücher.de/feed") == "https://xn--bcher-kva.de/feed"


def test_fetch_refuses_unsupported_url_without_network(fetcher: Fetcher) -> None:
    raises_readably(UnsupportedURL, lambda: fetcher.fetch("file:///etc/passwd"))


def test_relative_redirect_is_followed(local_server: LocalServer, fetcher: Fetcher) -> None:
    final = local_server.route("/feeds/new.xml", RSS)
    start = local_server.redirect("/old/feed", "../feeds/new.xml", status=302)
    result = fetcher.fetch(start)
    assert result.url == final and result.content == RSS
    assert result.permanent_redirect is None


@pytest.mark.parametrize("status", [301, 308])
def test_permanent_first_hop_is_reported(
    local_server: LocalServer, fetcher: Fetcher, status: int
) -> None:
    final = local_server.route("/new", RSS)
    start = local_server.redirect("/old", "/new", status=status)
    result = fetcher.fetch(start)
    assert result.url == final and result.permanent_redirect == final


def test_only_the_leading_permanent_hops_count(local_server: LocalServer, fetcher: Fetcher) -> None:
    local_server.route("/today", RSS)
    local_server.redirect("/moved", "/today", status=302)  # temporary: not where to stay
    start = local_server.redirect("/old", "/moved", status=301)
    result = fetcher.fetch(start)
    assert result.url == local_server.url("/today")
    assert result.permanent_redirect == local_server.url("/moved")
    assert fetcher.fetch(local_server.redirect("/tmp", "/old")).permanent_redirect is None


def test_redirect_loop_is_caught(local_server: LocalServer, fetcher: Fetcher) -> None:
    url = local_server.hostile("redirect-loop")
    assert "loop" in raises_readably(TooManyRedirects, lambda: fetcher.fetch(url))
    assert len(local_server.requests) == 2


def test_redirect_chains_are_capped_at_max_redirects(
    local_server: LocalServer, fetcher: Fetcher
) -> None:
    def chain_of(length: int) -> Callable[[Request], Response]:
        def hop(request: Request) -> Response:
            n = int(request.query[2:]) if request.query else 0
            if n >= length:
                return Response(200, RSS)
            return Response(302, b"", {"Location": f"?n={n + 1}"})

        return hop

    ten = local_server.route_handler("/ten", chain_of(10))
    assert fetcher.fetch(ten).url == ten + "?n=10"
    eleven = local_server.route_handler("/eleven", chain_of(11))
    assert "more than 10" in raises_readably(TooManyRedirects, lambda: fetcher.fetch(eleven))
    endless = local_server.hostile("redirect-endless")
    raises_readably(TooManyRedirects, lambda: fetcher.fetch(endless))
    assert len(local_server.requests_for("/hostile/redirect-endless")) == 11


def test_redirect_to_file_url_is_refused(local_server: LocalServer, fetcher: Fetcher) -> None:
    url = local_server.hostile("redirect-to-file")
    message = raises_readably(UnsupportedURL, lambda: fetcher.fetch(url))
    assert "redirect" in message and "file:" in message


# -- error statuses -------------------------------------------------------------------------


def test_error_statuses_have_readable_messages(
    local_server: LocalServer, fetcher: Fetcher
) -> None:
    missing = local_server.hostile("not-found")
    assert raises_readably(HTTPStatusError, lambda: fetcher.fetch(missing)) == "HTTP 404 Not Found"
    broken = local_server.hostile("server-error")
    with pytest.raises(HTTPStatusError) as info:
        fetcher.fetch(broken)
    assert info.value.status == 500 and str(info.value) == "HTTP 500 Internal Server Error"
    gone = local_server.hostile("gone")
    with pytest.raises(Gone) as gone_info:
        fetcher.fetch(gone)
    assert gone_info.value.status == 410 and "410 Gone" in str(gone_info.value)


@pytest.mark.parametrize("name,status", [("rate-limited", 429), ("unavailable", 503)])
def test_rate_limits_carry_retry_after(
    local_server: LocalServer, fetcher: Fetcher, name: str, status: int
) -> None:
    url = local_server.hostile(name)
    before = datetime.now(UTC)
    with pytest.raises(RateLimited) as info:
        fetcher.fetch(url)
    assert info.value.status == status
    wait = info.value.retry_after - before
    assert timedelta(seconds=119) <= wait <= timedelta(seconds=125)
    assert "rate limited" in str(info.value) and "retry after" in str(info.value)


def test_retry_after_forms() -> None:
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("90", now) == now + timedelta(seconds=90)
    assert parse_retry_after(None, now) == now + timedelta(minutes=5)
    assert parse_retry_after("soon-ish", now) == now + timedelta(minutes=5)
    assert parse_retry_after("99999999", now) == now + timedelta(days=1)
    assert parse_retry_after("Sun, 01 Mar 2026 12:30:00 GMT", now) == now + timedelta(minutes=30)
    assert parse_retry_after("Sun, 01 Mar 2026 11:00:00 GMT", now) == now
    assert parse_retry_after("Fri, 01 Jan 2100 00:00:00 GMT", now) == now + timedelta(days=1)
    assert parse_retry_after("-5", now) == now + timedelta(minutes=5)


# -- network failures and timeouts ----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_connection_refused_is_readable(fetcher: Fetcher) -> None:
    url = f"http://127.0.0.1:{free_port()}/feed"
    assert "connection refused" in raises_readably(FetchError, lambda: fetcher.fetch(url))


def test_dns_failure_is_readable() -> None:
    gai = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    try:
        try:
            raise gai
        except socket.gaierror as inner:
            raise httpx.ConnectError(str(inner)) from inner
    except httpx.ConnectError as exc:
        error = _translate(exc, "news.invalid", FAST)
    assert isinstance(error, FetchError)
    assert str(error) == "news.invalid: server not found (the host name could not be resolved)"


def test_connection_dropped_without_answer_is_readable(
    local_server: LocalServer, fetcher: Fetcher
) -> None:
    url = local_server.hostile("reset")
    assert "closed the connection" in raises_readably(FetchError, lambda: fetcher.fetch(url))


def test_server_that_never_answers_times_out(local_server: LocalServer) -> None:
    url = local_server.hostile("hang")
    with Fetcher(FetchLimits(read_timeout=0.5, deadline=5)) as fetcher:
        started = time.monotonic()
        message = raises_readably(FetchTimeout, lambda: fetcher.fetch(url))
    assert time.monotonic() - started < 2
    assert "did not answer within 0.5 s" in message


def test_body_that_stalls_times_out(local_server: LocalServer) -> None:
    url = local_server.hostile("stall")
    with Fetcher(FetchLimits(read_timeout=0.5, deadline=5)) as fetcher:
        started = time.monotonic()
        raises_readably(FetchTimeout, lambda: fetcher.fetch(url))
    assert time.monotonic() - started < 2


def test_connect_timeout(fetcher: Fetcher) -> None:
    # A listening socket whose backlog is full: the kernel drops further SYNs.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        fillers = []
        try:
            for _ in range(3):
                filler = socket.socket()
                filler.setblocking(False)
                filler.connect_ex(("127.0.0.1", port))
                fillers.append(filler)
            with Fetcher(FetchLimits(connect_timeout=0.5, read_timeout=0.5)) as fetcher:
                started = time.monotonic()
                raises_readably(FetchTimeout, lambda: fetcher.fetch(f"http://127.0.0.1:{port}/"))
            assert time.monotonic() - started < 2
        finally:
            for filler in fillers:
                filler.close()


def test_trickling_server_hits_the_overall_deadline(local_server: LocalServer) -> None:
    url = local_server.hostile("trickle")
    with Fetcher(FetchLimits(read_timeout=5, deadline=1.5)) as fetcher:
        started = time.monotonic()
        message = raises_readably(FetchTimeout, lambda: fetcher.fetch(url))
    elapsed = time.monotonic() - started
    assert 1.4 <= elapsed < 3.0
    assert "within 1.5 s" in message


# -- size limits and memory -----------------------------------------------------------------


def peak_traced_bytes(call: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        call()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_huge_streamed_body_is_cut_off_with_small_memory(
    local_server: LocalServer, fetcher: Fetcher
) -> None:
    url = local_server.hostile("huge")  # 100 MB, no Content-Length

    def fetch() -> None:
        assert raises_readably(ResponseTooLarge, lambda: fetcher.fetch(url)) == (
            "response larger than 20 MB"
        )

    assert peak_traced_bytes(fetch) < 45 * 1024**2  # the 20 MB cap plus slack, not 100 MB


def test_declared_huge_body_is_refused_before_reading(
    local_server: LocalServer, fetcher: Fetcher
) -> None:
    url = local_server.hostile("huge-declared")
    started = time.monotonic()
    with pytest.raises(ResponseTooLarge):
        fetcher.fetch(url, max_bytes=1024**2)
    assert time.monotonic() - started < 1


def test_gzip_bomb_is_cut_off_with_small_memory(
    local_server: LocalServer, fetcher: Fetcher
) -> None:
    url = local_server.hostile("gzip-bomb")  # ~1 MB on the wire, 1 GB decoded

    def fetch() -> None:
        with pytest.raises(ResponseTooLarge, match="response larger than 20 MB"):
            fetcher.fetch(url)

    assert peak_traced_bytes(fetch) < 45 * 1024**2


def test_per_call_size_cap(local_server: LocalServer, fetcher: Fetcher) -> None:
    url = local_server.route("/big", b"x" * 5000)
    assert len(fetcher.fetch(url, max_bytes=5000).content) == 5000
    with pytest.raises(ResponseTooLarge, match="larger than 4 KB"):
        fetcher.fetch(url, max_bytes=4096)


def test_gzip_bomb_helper_is_a_valid_stream() -> None:
    bomb = gzip_bomb(8 * 1024**2)
    assert len(bomb) < 20_000
    assert gzip.decompress(bomb) == bytes(8 * 1024**2)  # also checks the CRC and length


# -- politeness and threads -----------------------------------------------------------------


def slow_handler(delay: float) -> Callable[[Request], Response]:
    def answer(request: Request) -> Response:
        time.sleep(delay)
        return Response(200, RSS)

    return answer


def fetch_all(fetcher: Fetcher, urls: list[str]) -> list[bytes]:
    results: list[bytes] = [b""] * len(urls)
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            results[index] = fetcher.fetch(urls[index]).content
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(urls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert not errors, errors
    return results


def test_per_host_limit_is_honoured(local_server: LocalServer) -> None:
    local_server.route_handler("/slow", slow_handler(0.2))
    urls = [local_server.url(f"/slow?i={i}") for i in range(8)]
    with Fetcher(FetchLimits(per_host=2)) as fetcher:
        assert fetch_all(fetcher, urls) == [RSS] * 8
    assert local_server.peak_concurrency == 2


def test_other_hosts_are_not_held_back(local_server: LocalServer) -> None:
    local_server.route_handler("/slow", slow_handler(0.3))
    urls = [
        local_server.url("/slow?a"),
        local_server.url("/slow?b").replace("127.0.0.1", "localhost"),
    ]
    with Fetcher(FetchLimits(per_host=1)) as fetcher:
        fetch_all(fetcher, urls)
    assert local_server.peak_concurrency == 2


def test_one_fetcher_serves_many_threads(local_server: LocalServer) -> None:
    for i in range(20):
        local_server.route(f"/feed{i}", f"<rss>{i}</rss>")
    urls = [local_server.url(f"/feed{i % 20}") for i in range(60)]
    with Fetcher(FetchLimits(per_host=6)) as fetcher:
        results = fetch_all(fetcher, urls)
    assert results == [f"<rss>{i % 20}</rss>".encode() for i in range(60)]


def test_cookies_are_neither_stored_nor_sent(local_server: LocalServer, fetcher: Fetcher) -> None:
    url = local_server.hostile("set-cookie")
    fetcher.fetch(url)
    fetcher.fetch(url)
    assert len(local_server.requests) == 2
    assert all("Cookie" not in request.headers for request in local_server.requests)


def test_custom_user_agent_and_accept(local_server: LocalServer) -> None:
    url = local_server.route("/page", "<html></html>")
    with Fetcher(user_agent="Probe/1") as fetcher:
        fetcher.fetch(url, accept="text/html")
    sent = local_server.requests[-1].headers
    assert sent["User-Agent"] == "Probe/1" and sent["Accept"] == "text/html"


# -- the test server itself (others rely on it) ---------------------------------------------


def test_server_serves_fixture_directory_with_validators(
    local_server: LocalServer, fetcher: Fetcher
) -> None:
    local_server.serve_directory("/seed", FIXTURES / "liveblogs" / "seed")
    url = local_server.url("/seed/expected.json")
    first = fetcher.fetch(url)
    expected = (FIXTURES / "liveblogs" / "seed" / "expected.json").read_bytes()
    assert first.content == expected and first.content_type == "application/json"
    assert fetcher.fetch(url, etag=first.etag).not_modified
    with pytest.raises(HTTPStatusError) as info:
        fetcher.fetch(local_server.url("/seed/%2E%2E/%2E%2E/topics/seed-threads.json"))
    assert info.value.status == 404


def test_server_stop_releases_waiting_handlers() -> None:
    server = LocalServer()
    server.start()
    hang, trickle = server.hostile("hang"), server.hostile("trickle")
    outcomes: dict[str, object] = {}

    def call(url: str) -> None:
        try:
            with Fetcher(FetchLimits(read_timeout=30, deadline=30)) as fetcher:
                outcomes[url] = fetcher.fetch(url).content
        except FetchError as exc:
            outcomes[url] = exc

    clients = [threading.Thread(target=call, args=(u,)) for u in (hang, trickle)]
    for client in clients:
        client.start()
    deadline = time.monotonic() + 5
    while len(server.requests) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    started = time.monotonic()
    server.stop()
    for client in clients:
        client.join(timeout=5)
    assert time.monotonic() - started < 2 and not any(c.is_alive() for c in clients)
    assert isinstance(outcomes[hang], FetchError)  # dropped without an answer
    assert isinstance(outcomes[trickle], bytes)  # a close-delimited body simply ends
