"""Files a tool sends to a vendor: read only where the operator allowed it, never special files,
and only after the person has said yes (the tool is destructive, so it asks, naming each file and
its size, before anything is read).

- Over HTTP (a team server) a tool takes no local paths at all: a caller's "path" would name a
  file on the server's machine, which is not theirs to send. Content comes as base64, size-capped.
- Over stdio a path is read only inside AGENDA_MCP_ATTACHMENTS_DIR, after resolving symlinks and
  `..`; unset, paths are refused with a line saying how to allow them. Hidden files, and anything
  that is not a regular file (devices, sockets, FIFOs, /proc and /sys) never.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import anyio
from mcp.server.mcpserver.exceptions import ToolError

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENTS_ENV = "AGENDA_MCP_ATTACHMENTS_DIR"
_SYSTEM_TREES = ("/proc", "/sys", "/dev", "/run")


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class FilePolicy:
    folder: Path | None
    """The resolved AGENDA_MCP_ATTACHMENTS_DIR, or None: no local file is read."""
    local_files: bool = True
    """False over HTTP: paths are not even accepted."""

    @classmethod
    def from_settings(cls, folder: str | None, *, transport: str) -> FilePolicy:
        resolved = Path(folder).expanduser().resolve() if folder else None
        return cls(resolved, local_files=transport != "http")

    def locate(self, given: str) -> tuple[Path, int]:
        """The file a path names, and its size, checked but not read (for the consent question)."""
        if not self.local_files:
            raise ToolError(
                "This agenda-mcp serves a team over HTTP, so it reads no files on its machine; "
                "send the file's bytes as content_base64 instead."
            )
        if self.folder is None:
            raise ToolError(
                f"Reading local files is off: the operator can allow it by setting {ATTACHMENTS_ENV} to a folder "
                "(files are then read only inside it); or send the bytes as content_base64."
            )
        try:
            path = (self.folder / given).resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            raise ToolError(f"No file {_shown(given)} in the attachments folder ({ATTACHMENTS_ENV}).") from None
        if not path.is_relative_to(self.folder) or str(path).startswith(_SYSTEM_TREES):
            raise ToolError(f"{_shown(given)} is outside the attachments folder ({ATTACHMENTS_ENV}); it is not read.")
        if any(part.startswith(".") for part in path.relative_to(self.folder).parts):
            raise ToolError(f"{_shown(given)} is a hidden file or in a hidden folder; it is not read.")
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ToolError(f"{_shown(given)} is not a regular file; only ordinary files are sent.")
        if info.st_size > MAX_ATTACHMENT_BYTES:
            raise ToolError(f"{path.name} is larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB; it is not sent.")
        return path, info.st_size

    async def read(self, given: str, filename: str | None, content_type: str | None) -> Upload:
        path, _ = self.locate(given)
        # Read at most one byte past the cap: a file may grow, and some report no size at all.
        content = await anyio.to_thread.run_sync(_read_capped, path)
        name = filename or path.name
        return Upload(name, content, content_type or _guess(name))


def decoded(content_base64: str, filename: str, content_type: str | None) -> Upload:
    if len(content_base64) > MAX_ATTACHMENT_BYTES * 4 // 3 + 4:
        raise ToolError(f"{_shown(filename)} is larger than {MAX_ATTACHMENT_BYTES // 2**20} MB; it is not sent.")
    try:
        content = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ToolError(f"content_base64 of {_shown(filename)} is not valid base64.") from None
    if len(content) > MAX_ATTACHMENT_BYTES:  # the length check above allows base64's rounding
        raise ToolError(f"{_shown(filename)} is larger than {MAX_ATTACHMENT_BYTES // 2**20} MB; it is not sent.")
    return Upload(filename, content, content_type or _guess(filename))


def base64_size(content_base64: str) -> int:
    """The decoded size of base64 text, without decoding it."""
    text = content_base64.strip()
    return max(0, len(text) * 3 // 4 - text[-2:].count("="))


def _read_capped(path: Path) -> bytes:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped after the check
            raise ToolError(f"{path.name} is not a regular file; only ordinary files are sent.")
        with os.fdopen(fd, "rb", closefd=False) as file:
            content = file.read(MAX_ATTACHMENT_BYTES + 1)
    finally:
        os.close(fd)
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise ToolError(f"{path.name} is larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB; it is not sent.")
    return content


def _guess(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _shown(text: str) -> str:
    return repr(text if len(text) <= 120 else text[:119] + "…")
