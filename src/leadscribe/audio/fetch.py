"""Recordings given as an `audio_url`: downloaded over HTTP(S), with limits, into a temporary file.

Call platforms hand recordings over as links (often pre-signed, short-lived). The download is
streamed and stopped as soon as it passes the size limit (`Settings.max_file_mb`), so a wrong or
hostile link cannot fill the disk; a server that stops sending fails after
`Settings.download_timeout_s`, and one that keeps sending a trickle (a byte now and then, never
long enough apart to time out a read) fails once the whole download has taken
`Settings.download_deadline_s`, instead of holding the call forever. What arrives is decoded like any file.
"""
from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

from leadscribe.errors import LeadscribeError, LimitExceeded

MAX_REDIRECTS = 5


class DownloadError(LeadscribeError):
    code = "download_failed"


class BadUrl(LeadscribeError):
    code = "bad_url"


def is_url(source: object) -> bool:
    """Whether `source` names a resource by URL (any scheme) rather than a local path."""
    return isinstance(source, str) and re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", source) is not None


def file_name_of(url: str) -> str:
    """The recording's name from the URL's last path segment ("calls/2026/abc.mp3" -> "abc.mp3")."""
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    name = re.sub(r"[^\w.-]", "_", name).strip("._")
    return name or "audio"


def check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise BadUrl(f"only http and https URLs can be fetched (got '{parts.scheme}')")
    if not parts.hostname:
        raise BadUrl("the URL names no host")


def download(url: str, folder: Path, max_bytes: int, timeout_s: float, deadline_s: float = float("inf")) -> Path:
    """Stream `url` into a file in `folder` and return it; LeadscribeError with a one-line reason otherwise.

    `timeout_s` bounds each wait for data, `deadline_s` the whole download (checked as data arrives, so a
    trickle is stopped at most `timeout_s` after the deadline)."""
    import httpx

    check_url(url)  # before any network access
    target = Path(folder) / file_name_of(url)
    limit_mb = max_bytes / 1e6
    give_up_at = time.monotonic() + deadline_s
    try:
        with httpx.Client(timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0)), follow_redirects=True,
                          max_redirects=MAX_REDIRECTS) as client:
            with client.stream("GET", url) as response:
                if response.status_code != 200:
                    raise DownloadError(f"the server answered HTTP {response.status_code} "
                                        f"{response.reason_phrase}".rstrip())
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise LimitExceeded(f"the recording is {int(declared) / 1e6:.0f} MB, "
                                        f"over the {limit_mb:.0f} MB limit")
                received = 0
                with open(target, "wb") as handle:
                    # No chunk size: each network read is handed over as it comes, so the deadline is
                    # checked while a trickle arrives, not only once a full chunk has built up.
                    for chunk in response.iter_bytes():
                        received += len(chunk)
                        if received > max_bytes:
                            raise LimitExceeded(f"the download passed the {limit_mb:.0f} MB limit; stopped")
                        if time.monotonic() > give_up_at:
                            raise DownloadError(f"the download took longer than {deadline_s:g} s "
                                                f"({received / 1e6:.1f} MB received); stopped")
                        handle.write(chunk)
    except httpx.TooManyRedirects:
        raise DownloadError(f"more than {MAX_REDIRECTS} redirects") from None
    except httpx.TimeoutException:
        raise DownloadError(f"no answer within {timeout_s:g} s") from None
    except httpx.ConnectError as exc:
        raise DownloadError(f"cannot connect ({_reason(exc)})") from None
    except httpx.InvalidURL as exc:
        raise BadUrl(f"not a valid URL ({exc})") from None
    except httpx.HTTPError as exc:
        raise DownloadError(f"download failed ({type(exc).__name__}: {_reason(exc)})") from None
    if received == 0:
        raise DownloadError("the server sent an empty body")
    return target


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return text.split("] ", 1)[-1] if text else type(exc).__name__


def fetch(call, ctx) -> None:
    """Stage: download `ctx.audio_url` (when the call came as a URL) into `ctx.download_dir` for `decode`."""
    if ctx.audio_url is None:
        return
    settings = ctx.settings
    ctx.source = download(ctx.audio_url, ctx.download_dir, max_bytes=int(settings.max_file_mb * 1e6),
                          timeout_s=settings.download_timeout_s, deadline_s=settings.download_deadline_s)
