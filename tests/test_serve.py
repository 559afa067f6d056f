"""``pipeline-tui serve``: the app in a browser tab. A real browser (Debian's chromium, driven by
Playwright) opens the page, sees the demo's board and presses 2 for the agenda; the server
answers only its own pages, on this machine only unless told otherwise."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import NOW

textual_serve = pytest.importorskip("textual_serve", reason="serve needs the web extra (textual-serve)")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PINNED = f"{NOW:%Y-%m-%d %H:%M}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, headers: dict | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


@contextmanager
def served(db: Path, *extra: str):
    """``pipeline-tui serve`` on a free loopback port, until the block ends."""
    port = _free_port()
    command = [sys.executable, "-m", "pipeline_tui", "--db", str(db), "--now", PINNED, "serve"]
    server = subprocess.Popen(
        [*command, "--port", str(port), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # the server and the apps it starts, stopped together below
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(url + "/")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, server.stdout.read().decode()
            assert time.monotonic() < deadline, "the server did not answer"
            time.sleep(0.2)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        server.stdout.close()


@pytest.fixture
def engine() -> str:
    """The server is the same on every engine: these tests run on SQLite only."""
    return "sqlite"


@pytest.fixture
def demo_file(db_path) -> Path:
    from pipeline_tui.io.demo import build_demo
    from pipeline_tui.services.importing import write_demo
    from pipeline_tui.store.db import open_database

    database = open_database(db_path)
    write_demo(build_demo(NOW, 60), NOW)
    database.close()
    return db_path


def test_only_its_own_pages_drive_the_app(demo_file):
    from aiohttp import ClientSession, WSServerHandshakeError

    with served(demo_file) as url:
        port = url.rsplit(":", 1)[1]
        status, page = _get(url + "/")
        assert status == 200 and f'data-session-websocket-url="ws://127.0.0.1:{port}/ws"' in page
        status, page = _get(f"http://localhost:{port}/")
        assert status == 200 and f"ws://localhost:{port}/ws" in page, "links lead back the way one came"
        # a name that resolves here only by a trick (DNS rebinding) is not this machine's
        assert _get(url + "/", {"Host": f"attacker.example:{port}"})[0] == 403

        async def websocket(origin: str) -> int:
            async with ClientSession() as session:
                try:
                    async with session.ws_connect(f"{url}/ws", headers={"Origin": origin}) as ws:
                        await ws.close()
                        return 101
                except WSServerHandshakeError as exc:
                    return exc.status

        import asyncio

        assert asyncio.run(websocket("https://attacker.example")) == 403, "another site's page"
        assert asyncio.run(websocket(url)) == 101, "its own page"


def test_a_host_other_than_loopback_is_warned_about(demo_file):
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))  # so that the server stops at once, having warned
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pipeline_tui",
                "--db",
                str(demo_file),
                "serve",
                "--host",
                "0.0.0.0",
                "--port",
                str(port),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    warning, refusal = result.stderr.splitlines()
    assert "anyone who can reach this address gets the app" in warning
    assert f"cannot listen on 0.0.0.0:{port}" in refusal and "Traceback" not in result.stderr


def test_without_the_web_extra_it_says_what_to_install(demo_file):
    code = (
        "import sys; sys.modules['textual_serve'] = None\n"
        "from pipeline_tui.cli import main\n"
        f"sys.exit(main(['--db', {str(demo_file)!r}, 'serve']))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == "pipeline-tui: serve needs textual-serve: pip install 'pipeline-tui[web]'"


def test_a_bad_port_or_pipeline_is_refused_before_serving(cli, demo_file):
    result = cli("serve", "--port", "70000")
    assert result.returncode == 2 and "not a port" in result.stderr
    result = cli("--pipeline", "Renewalz", "serve", "--port", str(_free_port()))
    assert result.returncode == 2 and "Renewalz" in result.stderr


# -- in a real browser --------------------------------------------------------------------------

# The page draws the terminal into a canvas (xterm.js); its text lives in the terminal object,
# which the page keeps to itself. Catch it as the page's script stores it.
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
    if (value && value.buffer) { window.__terminal = value; }
  },
});
"""
READ_SCREEN = """() => {
  const terminal = window.__terminal;
  if (!terminal) return "";
  const buffer = terminal.buffer.active, lines = [];
  for (let y = 0; y < terminal.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    lines.push(line ? line.translateToString(true) : "");
  }
  return lines.join("\\n");
}"""


def _chromium() -> str:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium") or ""):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.skip("no chromium (apt-get install chromium): the browser test needs a real browser")


def _screen_showing(page, words: list[str], seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while True:
        text = page.evaluate(READ_SCREEN)
        if all(word in text for word in words):
            return text
        assert time.monotonic() < deadline, f"never showed {words}:\n{text}"
        time.sleep(0.2)


def test_the_app_in_a_real_browser_shows_the_board_and_answers_keys(demo_file):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright drives the browser")
    executable = _chromium()
    with served(demo_file) as url, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            # nothing leaves the machine (the page asks for a web font)
            page.route(
                "**/*",
                lambda route: route.continue_() if route.request.url.startswith(url) else route.abort(),
            )
            page.add_init_script(CATCH_TERMINAL)
            page.goto(url + "/", wait_until="domcontentloaded")
            board = _screen_showing(page, ["Lead", "Qualified", "Appointment", "Trial", "Proposal", "? Keys"])
            assert "1 Board" in board.splitlines()[0]
            page.locator(".xterm-helper-textarea").focus()
            page.keyboard.press("2")
            agenda = _screen_showing(page, ["Overdue", "d Done"])
            assert "Overdue" in agenda.splitlines()[0] and "Overdue" not in board.splitlines()[0]
        finally:
            browser.close()
