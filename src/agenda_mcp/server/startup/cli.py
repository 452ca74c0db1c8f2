"""The `agenda-mcp` command: serve over stdio (default) or streamable HTTP, or run the demo."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

import anyio

from agenda_mcp import __version__
from agenda_mcp.server.startup.config import ConfigError, HttpSettings, Settings, parse_toolsets
from agenda_mcp.server.startup.logs import configure_logging
from agenda_mcp.server.startup.registry import check_toolsets


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line a person can act on, not a usage dump.
        self.exit(2, f"agenda-mcp: {message} (see agenda-mcp --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="agenda-mcp",
        description="MCP server for OnlineAfspraken.nl, Planaday, Locaboo and ServicePlanner.",
        epilog="Vendors are enabled by their credentials in the environment (see README), or all at once "
        "with --sandbox. Commands: `agenda-mcp demo` runs a scripted workflow against the sandbox.",
    )
    parser.add_argument("--version", action="version", version=f"agenda-mcp {__version__}")
    parser.add_argument("command", nargs="?", choices=["serve", "demo"], default="serve", help=argparse.SUPPRESS)
    parser.add_argument(
        "--sandbox", action="store_true", default=None, help="serve every vendor against its built-in simulator"
    )
    parser.add_argument("--read-only", action="store_true", default=None, help="register no tool that changes data")
    parser.add_argument("--toolsets", help="comma list of vendors to enable, e.g. planaday,locaboo")
    parser.add_argument("--transport", choices=["stdio", "http"], default="stdio", help="default: stdio")
    parser.add_argument("--host", default="127.0.0.1", help="HTTP bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="HTTP port (default 8000)")
    parser.add_argument(
        "--stateless", action="store_true", default=None, help="HTTP without sessions, for replicas behind a balancer"
    )
    parser.add_argument("--log-level", type=str.upper, choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env(
            sandbox=args.sandbox or (True if args.command == "demo" else None),
            read_only=args.read_only,
            toolsets=parse_toolsets(args.toolsets) if args.toolsets else None,
            log_level=args.log_level,
        )
        check_toolsets(settings.toolsets, "--toolsets" if args.toolsets else "AGENDA_MCP_TOOLSETS")
    except ConfigError as exc:
        sys.exit(f"agenda-mcp: {exc}")
    configure_logging("WARNING" if args.command == "demo" and not args.log_level else settings.log_level)

    if args.command == "demo":
        from agenda_mcp.server.startup.demo import DemoFailed, run_demo

        try:
            anyio.run(run_demo, settings)
        except DemoFailed as exc:
            sys.exit(f"agenda-mcp demo failed: {exc}")
        return

    # Replicas share their duplicate guard through Redis: serving without it would let a booking
    # repeated on another replica through, so an unreachable Redis stops the start.
    from agenda_mcp.server.team.shared_state import check_reachable

    try:
        unreachable = anyio.run(check_reachable, settings.env)
    except ConfigError as exc:
        sys.exit(f"agenda-mcp: {exc}")
    if unreachable:
        sys.exit(f"agenda-mcp: {unreachable}")

    from agenda_mcp.server.startup import heap

    heap.own_process()
    if args.transport == "http":
        try:
            http = HttpSettings.from_env(host=args.host, port=args.port, stateless=args.stateless)
        except ConfigError as exc:
            sys.exit(f"agenda-mcp: {exc}")
        from agenda_mcp.server.transport import web

        try:
            app = web.create_app(settings, http)
        except ConfigError as exc:
            sys.exit(f"agenda-mcp: {exc}")
        web.serve(app, settings, http)
        return

    from agenda_mcp.server.startup.app import build_agenda

    try:
        agenda = build_agenda(settings)
    except ConfigError as exc:
        sys.exit(f"agenda-mcp: {exc}")
    from agenda_mcp.server.transport.stdio import serve_stdio

    anyio.run(serve_stdio, agenda.server)  # the SDK's stdio, with unreadable lines answered


if __name__ == "__main__":
    main()
