"""The app in a browser tab: ``serve`` runs it under textual-serve (the ``web`` extra), one app
process per tab, on this machine only unless ``--host`` says otherwise."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from pipeline_tui.cli.common import PROG, AddCommand, open_db, resolve_db, resolve_user, say, user_settings
from pipeline_tui.errors import UserError


def register(command: AddCommand) -> None:
    serve = command("serve", "open the app in a web browser tab (needs pipeline-tui[web])", cmd_serve)
    serve.add_argument(
        "--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1, this machine only)"
    )
    serve.add_argument("--port", type=port_number, default=8000, help="the port (default: 8000)")
    serve.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers reach it by, when a proxy stands in between (e.g. https://crm.example.com)",
    )


def port_number(text: str) -> int:
    if not text.isdecimal() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (1 to 65535)")
    return int(text)


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach ``host``."""
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def cmd_serve(args, now: datetime) -> int:
    user_settings()  # a bad config file is said here, not in every browser tab
    location = resolve_db(args)
    open_db(args, create=True)
    if args.pipeline:  # said once here, rather than in every tab
        from pipeline_tui.services.base import find_pipeline

        find_pipeline(args.pipeline)
    if "://" not in location:
        location = str(Path(location).expanduser().resolve())
    try:
        from textual_serve.server import Server
    except ImportError:
        raise UserError("serve needs textual-serve: pip install 'pipeline-tui[web]'") from None
    if args.public_url and urlsplit(args.public_url).scheme not in ("http", "https"):
        raise UserError(f"--public-url {args.public_url!r} must start with http:// or https://")
    if not is_loopback(args.host):
        say(
            f"{PROG}: warning: serving on {args.host}:{args.port}: anyone who can reach this address "
            "gets the app, and your pipeline with it, without a password",
            error=True,
        )
    import shlex

    server = _guarded(Server)(
        shlex.join(app_command(args, location)),
        host=args.host,
        port=args.port,
        title=PROG,
        public_url=args.public_url,
    )
    server.fixed_url = bool(args.public_url)
    try:
        server.serve()
    except OSError as exc:
        raise UserError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    return 0


def app_command(args, location: str) -> list[str]:
    """What each browser tab runs: this very program, on the same database, clock and user."""
    command = [sys.executable, "-m", "pipeline_tui", "--db", location, "--user", resolve_user(args)]
    if args.now:
        command += ["--now", args.now]
    if args.pipeline:
        command += ["--pipeline", args.pipeline]
    if args.mine:
        command.append("--mine")
    return command


def _guarded(Server: type) -> type:
    """textual-serve's server, answering only its own pages: a web page from elsewhere may not
    drive the app through the browser (its websocket must come from a page served here), nor
    reach a loopback server by a name of its own (DNS rebinding)."""
    from aiohttp import web

    class GuardedServer(Server):
        fixed_url = False

        def _check(self, request: web.Request) -> None:
            host = urlsplit(f"//{request.host}").hostname or ""
            if is_loopback(self.host) and not is_loopback(host):
                raise web.HTTPForbidden(text=f"{PROG} answers to this machine's own addresses only")
            origin = request.headers.get("Origin")
            allowed = {request.host, urlsplit(self.public_url).netloc}
            if origin is not None and urlsplit(origin).netloc not in allowed:
                raise web.HTTPForbidden(text=f"{PROG} does not answer pages from {origin}")

        async def handle_index(self, request: web.Request):
            self._check(request)
            if not self.fixed_url:  # the page's links lead back the way the browser came
                self.public_url = f"{request.scheme}://{request.host}"
            return await super().handle_index(request)

        async def handle_websocket(self, request: web.Request):
            self._check(request)
            return await super().handle_websocket(request)

        async def handle_download(self, request: web.Request):
            self._check(request)
            return await super().handle_download(request)

    return GuardedServer
