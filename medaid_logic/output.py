"""Writing what the CLI prints: UTF-8 bytes whatever the locale, and a failed write (a full
disk, a closed pipe) reported as OutputFailed instead of a traceback at exit."""
from __future__ import annotations

import os
import sys


def utf8(text: str) -> bytes:
    """Output bytes: UTF-8 whatever the locale; text no UTF-8 can hold is escaped, never an error
    after a result was computed."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace")


class OutputFailed(Exception):
    """stdout or -o cannot be written (a full disk, a closed pipe): exit 1 with the reason."""


def emit(text: str) -> None:
    """Write the result to stdout; a failure of the output itself becomes OutputFailed."""
    try:
        sys.stdout.flush()
        sys.stdout.buffer.write(utf8(text))
        sys.stdout.buffer.flush()
    except OSError as exc:
        silence_stdout()
        raise OutputFailed(f"cannot write the output: {exc.strerror or exc}") from None


def silence_stdout() -> None:
    """After a failed write, the interpreter's own flush at exit must not fail again."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError):
        pass
