"""Recordings given as an audio_url: a real HTTP server on loopback serves good and bad answers."""
from __future__ import annotations

import json
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from leadscribe.audio.fetch import BadUrl, DownloadError, download
from leadscribe.config import Settings
from leadscribe.errors import LimitExceeded
from leadscribe.pipeline import enrich
from tests.test_cli import run_cli

RECORDING = Path(__file__).parent / "data" / "LDC93S1_pcms16le_1_8000.wav"


class Recordings(BaseHTTPRequestHandler):
    """One route per kind of answer a call platform's link may give."""

    def do_GET(self):  # noqa: N802 - the name http.server calls
        route = self.path.split("?")[0]
        if route == "/calls/LDC93S1.wav":
            self._send(200, RECORDING.read_bytes())
        elif route == "/moved.wav":
            self._redirect("/calls/LDC93S1.wav")
        elif route == "/loop.wav":
            self._redirect("/loop.wav")
        elif route == "/huge.wav":  # declares 10 GB
            self.send_response(200)
            self.send_header("Content-Length", str(10 ** 10))
            self.end_headers()
        elif route == "/endless.wav":  # no length: sends until the client hangs up
            self.send_response(200)
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b"\0" * 65536)
            except OSError:
                return
        elif route == "/slow.wav":
            time.sleep(3)
            self._send(200, RECORDING.read_bytes())
        elif route == "/trickle.wav":  # a byte every 0.2 s: never idle long enough to time out a read
            body = RECORDING.read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                for byte in body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                return
        elif route == "/empty.wav":
            self._send(200, b"")
        else:
            self._send(404, b"no such recording")

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recordings)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def downloads_left() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("leadscribe-download-*")}


def test_a_recording_given_by_url_is_followed_through_a_redirect_transcribed_and_its_copy_removed(server):
    before = downloads_left()
    url = f"{server}/moved.wav"
    call = enrich(url, Settings(model="tiny.en"))
    assert call.status == "done", call.error
    assert call.file.source == url and call.file.filename == "moved.wav"
    assert call.file.size_bytes == RECORDING.stat().st_size
    assert "greasy" in call.transcription.full_transcript.lower()
    assert call.metadata.timings["fetch"] > 0
    assert downloads_left() == before


@pytest.mark.parametrize("route, error, words", [
    ("/nothing-here.wav", DownloadError, "HTTP 404"),
    ("/huge.wav", LimitExceeded, "10000 MB, over the 1 MB limit"),
    ("/endless.wav", LimitExceeded, "passed the 1 MB limit"),
    ("/slow.wav", DownloadError, "no answer within 1 s"),
    ("/loop.wav", DownloadError, "redirects"),
    ("/empty.wav", DownloadError, "empty body"),
])
def test_bad_answers_fail_with_a_reason_and_within_limits(server, tmp_path, route, error, words):
    started = time.perf_counter()
    with pytest.raises(error) as raised:
        download(f"{server}{route}", tmp_path, max_bytes=1_000_000, timeout_s=1.0)
    assert words in raised.value.message
    assert time.perf_counter() - started < 10
    assert sum(p.stat().st_size for p in tmp_path.iterdir()) <= 1_000_000 + 65536  # stopped at the limit


def test_a_trickling_download_is_stopped_at_its_deadline(server, tmp_path):
    started = time.perf_counter()
    with pytest.raises(DownloadError) as raised:
        download(f"{server}/trickle.wav", tmp_path, max_bytes=1_000_000, timeout_s=1.0, deadline_s=1.5)
    elapsed = time.perf_counter() - started
    assert "the download took longer than 1.5 s" in raised.value.message
    assert 1.5 <= elapsed < 1.5 + 1.0 + 2.0  # deadline, at most one read timeout, slack for a busy machine


def test_the_download_deadline_comes_from_the_settings(server):
    call = enrich(f"{server}/trickle.wav", Settings(model="tiny.en", download_deadline_s=1.0))
    assert (call.status, call.error_code) == ("error", "download_failed")
    assert "took longer than 1 s" in call.error


@pytest.mark.parametrize("url, error, words", [
    ("ftp://127.0.0.1/call.wav", BadUrl, "only http and https"),
    ("https:///call.wav", BadUrl, "names no host"),
    ("http://127.0.0.1:9/call.wav", DownloadError, "cannot connect"),
])
def test_urls_that_cannot_be_fetched_are_refused_clearly(tmp_path, url, error, words):
    with pytest.raises(error) as raised:
        download(url, tmp_path, max_bytes=1_000_000, timeout_s=2.0)
    assert words in raised.value.message


def test_a_bad_url_ends_the_call_with_its_error_code_and_leaves_no_download(server):
    before = downloads_left()
    call = enrich(f"{server}/huge.wav", Settings(model="tiny.en", max_file_mb=5))
    assert (call.status, call.error_code) == ("error", "limit_exceeded")
    assert "over the 5 MB limit" in call.error
    assert list(call.metadata.timings) == ["fetch"]
    assert downloads_left() == before


def test_the_cli_takes_urls_beside_files(server, tmp_path):
    good, bad = f"{server}/calls/LDC93S1.wav", f"{server}/gone.wav"
    result = run_cli("enrich", good, bad, "--out", str(tmp_path / "results"), "--quiet")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {bad}: the server answered HTTP 404 Not Found"]
    written = json.loads((tmp_path / "results" / "LDC93S1.json").read_text())
    assert written["status"] == "done" and written["file"]["source"] == good
