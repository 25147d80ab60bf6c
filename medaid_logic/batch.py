"""`medaid batch`: JSON Lines in, one record per input line out, in order.

Every input line gets exactly one record carrying its line number:
- a result: the case's result with `"line": N` first;
- an error: `{"line": N, "case_id": ID-or-null, "error": {"field", "message"}}` — bad JSON, a bad
  case, a line above the size limit, or (with `"kind": "engine_failure"`) a case the engine failed
  on; the rest of its chunk is solved all the same;
- a blank line: `{"line": N, "case_id": null, "skipped": "blank line"}`.

The output is always a clean prefix: records are written chunk by chunk to `OUT.partial` and
renamed to OUT at the end, or when the run is stopped (SIGTERM, SIGINT: workers ended, exit
128 + signal). `--resume` keeps the complete records of OUT.partial (or OUT) and continues after
the last line they cover. `-o` naming the input is refused (exit 2); an output that cannot be
written (a full disk) is a message and exit 1.

`--jobs N` is the number of workers: 0 evaluates in this process, 1 in one forked worker process
(workers.py, recycled), N ≥ 2 on a Dask LocalCluster of N workers (cluster.py: partitions, each
read, evaluated and written by a worker; the output contract above is the same). Input from
stdin, or an output that is a device, keeps N forked workers.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import sys
from collections import deque
from pathlib import Path

from . import limits
from .output import silence_stdout
from .records import Stopped, Usage, ignore_signals, line_item, line_record, read_lines, stop


class WriteFailed(Exception):
    """The output cannot be written (a full disk, a closed pipe): exit 1."""


def run_batch(args) -> int:
    try:
        if args.chunk < 1 or args.jobs < 0:
            raise Usage("--chunk is at least 1 and --jobs at least 0")
        if args.jobs >= 2 and not getattr(args, "cluster", None) and _files(args):
            args.cluster = f"local:{args.jobs}"  # more than one worker: a Dask LocalCluster
        if _partitioned(args):
            from .cluster import run_partitioned
            return run_partitioned(args)
        return _run(args)
    except Usage as exc:
        print(f"medaid batch: {exc}", file=sys.stderr)
        return 2


def _files(args) -> bool:
    """Input from a file, output to stdout or a file: what the partitioned path can take (it
    reads the input by offsets and writes the output through FILE.partial). Otherwise --jobs
    keeps its forked workers (workers.py)."""
    out = args.output
    if args.input == "-" or not (os.path.exists(args.input) or any(c in args.input for c in "*?[")):
        return False
    return out in (None, "-") or out.endswith("/") or not os.path.exists(out) or os.path.isfile(out) \
        or os.path.isdir(out)


def _partitioned(args) -> bool:
    """A cluster, Parquet, or several input files: the partitioned path (cluster.py)."""
    if getattr(args, "cluster", None) or getattr(args, "partition", None) or getattr(args, "output_format", None):
        return True
    paths = [args.input, args.output or ""]
    if (args.output or "").endswith("/"):
        return True
    return any(p.endswith(".parquet") for p in paths) or os.path.isdir(args.input) or any(c in args.input for c in "*?[")


def _run(args) -> int:
    from .engine import batch_engine
    src = _open_input(args.input)
    out = Output(args.output, args.input, resume=args.resume)
    old = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    stats = {"cases": 0, "errors": 0, "skipped": 0}
    try:
        engine, validated = batch_engine()  # no record is written before validated() passed
        owed: deque = deque()  # (line number, case_id) of each item given to the engine, in order
        total = _count_lines(args.input) if sys.stderr.isatty() and args.input != "-" else None

        def items():
            for n, raw in read_lines(src, limits.current().max_case_bytes):
                if n <= out.resume_after:
                    continue
                item = line_item(raw)
                owed.append((n, item.get("case_id") if isinstance(item, dict) else None))
                yield item

        results = engine.stream(items(), chunk=args.chunk, jobs=args.jobs)
        try:
            for res in results:
                if validated is not None:
                    validated()
                    validated = None
                n, case_id = owed.popleft()
                out.add(n, line_record(n, case_id, res, stats))
                if out.pending >= args.chunk:
                    out.flush()
                if total and sum(stats.values()) % 100 == 0:
                    print(f"\r{_progress(out.last_line, total)}, {stats['errors']} errors", end="",
                          file=sys.stderr, flush=True)
        finally:
            results.close()  # ends the workers now, whatever stopped the loop
        if validated is not None:  # an input with no line
            validated()
        out.finish()
        if args.resume and out.path:  # the parts of a partitioned run this one continued
            shutil.rmtree(out.path.with_name(out.path.name + ".parts"), ignore_errors=True)
    except Stopped as exc:
        ignore_signals()
        try:
            out.finish()
        except WriteFailed as failed:
            return _write_failed(out, failed)
        name = signal.Signals(exc.signum).name
        print(f"\nmedaid batch: stopped by {name} after line {out.last_line}; the output holds every record up to it"
              + (" (continue with --resume)" if out.path else ""), file=sys.stderr)
        return 128 + exc.signum
    except WriteFailed as exc:
        ignore_signals()
        return _write_failed(out, exc)
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        if src is not sys.stdin.buffer:
            src.close()
    if total:
        print(f"\r{_progress(out.last_line, total)}, {stats['errors']} errors", file=sys.stderr)
    print(f"medaid batch: {stats['cases']} cases, {stats['errors']} errors, {stats['skipped']} blank lines"
          + (f" (resumed after line {out.resume_after})" if out.resume_after else ""), file=sys.stderr)
    return 0


def _write_failed(out, exc: "WriteFailed") -> int:
    err = exc.args[0]
    print(f"\nmedaid batch: cannot write {out.name}: {getattr(err, 'strerror', None) or err}; "
          f"the output holds the records up to line {out.last_line}", file=sys.stderr)
    return 1


def _open_input(path: str):
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except OSError as exc:
        raise Usage(f"cannot open {path}: {exc.strerror}") from None


def _count_lines(path: str) -> int | None:
    try:
        with open(path, "rb") as f:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
    except OSError:
        return None


def _progress(done: int, total: int | None, width: int = 30) -> str:
    if not total:
        return f"{done} lines"
    filled = min(width, width * done // total)
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} lines"


class Output:
    """Where the records go: stdout or a device as they come; a file through FILE.partial,
    renamed to FILE when the run ends or stops, so FILE only ever holds whole records."""

    def __init__(self, path: str | None, input_path: str, resume: bool):
        self.buf: list[bytes] = []
        self.buf_line = 0        # the line of the last record buffered
        self.last_line = 0       # the line of the last record written
        self.resume_after = 0
        self.path = None
        if path in (None, "-"):
            if resume:
                raise Usage("--resume needs -o FILE")
            self.name, self.f = "stdout", sys.stdout.buffer
            return
        target = Path(path)
        if input_path != "-" and _same_file(target, Path(input_path)):
            raise Usage(f"-o {path} is the input file: the output would destroy it")
        if target.exists() and not target.is_file():  # a device (/dev/full, /dev/null) or a fifo
            if resume:
                raise Usage("--resume needs -o naming a regular file")
            self.name, self.f = path, self._open(target, "ab")
            return
        self.path, self.name = target, path
        self.partial = target.with_name(target.name + ".partial")
        if resume:
            self._resume()
        self.f = self._open(self.partial, "ab" if resume else "wb")
        self.good = self.f.tell()  # bytes known to end on a whole record

    @staticmethod
    def _open(p: Path, mode: str):
        try:
            return open(p, mode)
        except OSError as exc:
            raise Usage(f"cannot open {p}: {exc.strerror}") from None

    def _resume(self) -> None:
        """Keep the complete records of the interrupted run (OUT.partial, else OUT)."""
        found = self.partial if self.partial.exists() else self.path if self.path.exists() else None
        if found is None:
            return
        data = found.read_bytes()
        keep = data[:data.rfind(b"\n") + 1]
        if keep:
            try:
                self.resume_after = int(json.loads(keep[keep.rfind(b"\n", 0, len(keep) - 1) + 1:])["line"])
            except (ValueError, KeyError, TypeError):
                raise Usage(f"--resume: the last record of {found} has no line number") from None
        self.last_line = self.resume_after
        if found != self.partial:
            os.replace(found, self.partial)
        with open(self.partial, "r+b") as f:
            f.truncate(len(keep))

    @property
    def pending(self) -> int:
        return len(self.buf)

    def add(self, line: int, record: bytes) -> None:
        self.buf.append(record)
        self.buf_line = line

    def flush(self) -> None:
        """Write the buffered records as one piece; signals wait until it is written (or failed).
        A failed write is cut back to the last whole record (abandon) and raised as WriteFailed."""
        if not self.buf:
            return
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
        try:
            self.f.write(b"".join(self.buf))
            self.f.flush()
            self.buf.clear()
            self.last_line = self.buf_line
            if self.path:
                self.good = self.f.tell()
        except OSError as exc:
            self.abandon()
            raise WriteFailed(exc) from None
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def finish(self) -> None:
        """Everything buffered written, and FILE.partial renamed to FILE."""
        self.flush()
        try:
            self._close_and_rename()
        except OSError as exc:
            raise WriteFailed(exc) from None

    def abandon(self) -> None:
        """After a failed write: cut the file back to its last whole record and keep that."""
        self.buf.clear()
        if self.path:
            try:
                self.f.close()
            except OSError:
                pass
            try:
                with open(self.partial, "r+b") as f:
                    f.truncate(self.good)
                os.replace(self.partial, self.path)
            except OSError:
                pass
        elif self.f is sys.stdout.buffer:
            silence_stdout()
        else:
            try:
                self.f.close()
            except OSError:
                pass

    def _close_and_rename(self) -> None:
        if self.path:
            self.f.close()
            os.replace(self.partial, self.path)
        elif self.f is not sys.stdout.buffer:
            self.f.close()


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except OSError:
        return False
