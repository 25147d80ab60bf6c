"""`medaid batch` over partitions: Parquet or JSON Lines, a file, a directory or a glob, on a Dask
cluster (`--cluster local[:N]` or `tcp://host:8786`) or in this process.

A partition is a slice of one input file (`--partition` lines of JSON Lines, or one Parquet row
group). Each is evaluated by a worker holding one warm engine (partition.py) and written whole
to OUT.parts/part-NNNNN.EXT, through a temporary file renamed when complete: a worker killed
mid-partition leaves no part, Dask runs the partition again elsewhere, and a partition run twice
writes the same bytes to the same name — every input's record ends up exactly once. `--resume`
keeps the parts already written. At the end the parts are joined, in order, into OUT (JSON Lines
or Parquet by OUT's suffix; `-o DIR/` keeps the parts as they are; without -o, stdout).
Records carry the line (row) number in their input file, and with several input files, `file`.
"""
from __future__ import annotations

import glob as globmod
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from . import limits
from .records import Stopped, Usage, ignore_signals, read_lines, stop
from .errors import CaseError
from .partition import Tally, partition_lines

PARTITION = 5000


@dataclass(frozen=True)
class Partition:
    index: int
    path: str
    fmt: str          # jsonl | parquet
    start: int        # byte offset (jsonl) or row group (parquet)
    first_line: int   # line (row) number of its first record in its file, from 1
    count: int
    file: str | None  # the input file's name, when there are several


def input_files(spec: str) -> list[Path]:
    p = Path(spec)
    if p.is_dir():
        files = sorted(f for f in p.iterdir() if f.suffix in (".jsonl", ".parquet") and f.is_file())
    elif any(ch in spec for ch in "*?["):
        files = sorted(Path(f) for f in globmod.glob(spec) if Path(f).is_file())
    else:
        files = [p]
    if not files:
        raise Usage(f"no input: {spec} names no .jsonl or .parquet file")
    for f in files:
        if not f.is_file():
            raise Usage(f"cannot open {f}: no such file")
    return files


def fmt_of(path: Path) -> str:
    return "parquet" if path.suffix == ".parquet" else "jsonl"


def plan(spec: str, size: int = PARTITION) -> list[Partition]:
    """The partitions of the input, in order (a JSON Lines file is scanned once for offsets)."""
    files = input_files(spec)
    parts: list[Partition] = []
    for f in files:
        name = f.name if len(files) > 1 else None
        if fmt_of(f) == "parquet":
            import pyarrow.parquet as pq
            from .parquet_io import CASE_SCHEMA
            meta = pq.ParquetFile(f)
            unknown = sorted(set(meta.schema_arrow.names) - set(CASE_SCHEMA.names))
            if unknown:
                raise Usage(f"{f}: column {unknown[0]!r} is not in the case format (columns: {', '.join(CASE_SCHEMA.names)})")
            row = 1
            for g in range(meta.num_row_groups):
                n = meta.metadata.row_group(g).num_rows
                parts.append(Partition(len(parts), str(f), "parquet", g, row, n, name))
                row += n
            continue
        with open(f, "rb") as src:
            line, start, count = 1, 0, 0
            while True:
                piece = src.readline(1 << 20)
                if not piece:
                    break
                while not piece.endswith(b"\n") and (more := src.readline(1 << 20)):
                    piece = more  # a long line: read past it in pieces
                count += 1
                if count == size:
                    parts.append(Partition(len(parts), str(f), "jsonl", start, line, count, name))
                    line, start, count = line + count, src.tell(), 0
            if count:
                parts.append(Partition(len(parts), str(f), "jsonl", start, line, count, name))
    return parts


def read_partition(part: Partition) -> list:
    """The partition's input records: raw lines (or their CaseError) or case dicts."""
    if part.fmt == "parquet":
        import pyarrow.parquet as pq
        from .parquet_io import row_case
        return [_case_or_error(row_case, r) for r in pq.ParquetFile(part.path).read_row_group(part.start).to_pylist()]
    with open(part.path, "rb") as src:
        src.seek(part.start)
        out = []
        for _, raw in read_lines(src, limits.current().max_case_bytes):
            out.append(raw)
            if len(out) == part.count:
                break
        return out


def _case_or_error(row_case, row: dict):
    """A row's case, or the CaseError of a bad JSON cell (that row's error record, no other's)."""
    try:
        return row_case(row)
    except CaseError as exc:
        return exc


def part_name(index: int, fmt: str) -> str:
    return f"part-{index:05d}.{fmt}"


def run_partition(part: Partition, out_dir: str, fmt: str, lim: "limits.Limits", jobs: int = 1) -> dict:
    """Evaluate one partition and write its part (temp file, then rename). Returns its tally.
    Runs on a Dask worker (or in this process): the engine is forked per partition (jobs=1),
    so the worker holding it stays the size it started."""
    limits._current = lim
    import multiprocessing
    if multiprocessing.current_process().daemon:
        jobs = 0  # a daemonic worker cannot fork (set distributed.worker.daemon: False)
    lines, tally = partition_lines(read_partition(part), part.first_line, jobs=jobs)
    if part.file:
        lines = [_with_file(line, part.file) for line in lines]
    target = Path(out_dir) / part_name(part.index, fmt)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    if fmt == "parquet":
        import pyarrow.parquet as pq
        from .parquet_io import results_table
        pq.write_table(results_table(json.loads(x) for x in lines), tmp)
    else:
        with open(tmp, "wb") as f:
            f.write(b"".join(lines))
            f.flush()
            os.fsync(f.fileno())
    stats = target.with_name(target.name + ".tally")
    stats_tmp = tmp.with_name(tmp.name + ".tally")
    stats_tmp.write_text(json.dumps(tally.as_json()))
    os.replace(stats_tmp, stats)   # the tally first: a part that exists always has its tally
    os.replace(tmp, target)
    return {"index": part.index, **tally.as_json()}


def _with_file(line: bytes, name: str) -> bytes:
    rec = json.loads(line)
    rec = {"line": rec.pop("line"), "file": name, **rec}
    return (json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8")


# ---- the driver ---------------------------------------------------------------------------

class Parts:
    """Where the parts go, and what becomes of them at the end."""

    def __init__(self, output: str | None, fmt: str | None, resume: bool):
        self.final: Path | None = None
        self.keep = False
        if output in (None, "-"):
            if resume:
                raise Usage("--resume needs -o FILE or -o DIR/")
            self.dir = Path(tempfile.mkdtemp(prefix="medaid-parts-"))
            self.fmt = "jsonl"
        elif output.endswith("/") or Path(output).is_dir():
            self.dir, self.keep = Path(output), True
            self.fmt = fmt or "jsonl"
        else:
            self.final = Path(output)
            self.fmt = fmt or ("parquet" if self.final.suffix == ".parquet" else "jsonl")
            self.dir = self.final.with_name(self.final.name + ".parts")
        if self.dir.exists() and not resume and not self.keep and output not in (None, "-"):
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        for stale in self.dir.glob(".part-*.tmp*"):  # a killed worker's unfinished part
            stale.unlink()

    def check_plan(self, spec: str, parts: list[Partition], resume: bool) -> None:
        manifest = self.dir / "_plan.json"
        text = json.dumps({"input": spec, "format": self.fmt, "partitions": [asdict(p) for p in parts]})
        if resume and manifest.exists() and manifest.read_text() != text:
            raise Usage(f"--resume: {self.dir} was written for another input or partitioning")
        if not resume:
            for old in self.dir.glob("part-*"):
                old.unlink()
        manifest.write_text(text)

    def done(self) -> dict[int, dict]:
        """The tallies of the parts already written (by index)."""
        out = {}
        for f in self.dir.glob(f"part-*.{self.fmt}"):
            t = f.with_name(f.name + ".tally")
            if t.exists():
                out[int(f.name[5:10])] = json.loads(t.read_text())
        return out

    def path(self, index: int) -> Path:
        return self.dir / part_name(index, self.fmt)


def _connect(spec: str):
    """A Dask client for `local[:N]` (a LocalCluster on loopback) or `tcp://host:port`."""
    import dask
    from distributed import Client, LocalCluster
    if spec == "local" or spec.startswith("local:"):
        n = spec.partition(":")[2]
        if n and not (n.isdigit() and int(n) > 0):
            raise Usage(f"--cluster local:N takes a positive N, not {n!r}")
        n_workers = int(n) if n else (os.cpu_count() or 1)
        import logging
        dask.config.set({"distributed.worker.daemon": False})  # a worker forks its engine per partition
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address="127.0.0.1:0",  # a free port: several runs may share a machine
                               silence_logs=logging.ERROR)
        return Client(cluster), cluster
    if spec.startswith("tcp://"):
        return Client(spec, timeout=30), None
    raise Usage(f"--cluster: local, local:N or tcp://host:port, not {spec!r}")


def _dashboard(client) -> str | None:
    try:
        if "dashboard" in client.scheduler_info().get("services", {}):
            return client.dashboard_link
    except Exception:
        pass
    return None


def evaluate_parts(todo: list[Partition], task, cluster: str | None, total: int, done_already: int,
                   on_result) -> None:
    """Run task(part) for each partition (on the cluster, or here), calling on_result(part, value)
    as each finishes, with a progress bar on a terminal."""
    progress = _Progress(total, done_already)
    try:
        if cluster is None:
            for part in todo:
                on_result(part, task(part))
                progress.advance(part.count)
            return
        from distributed import as_completed
        client, local = _connect(cluster)
        try:
            link = _dashboard(client) if sys.stderr.isatty() else None
            if link:
                print(f"medaid batch: Dask dashboard {link}", file=sys.stderr)
            futures = {client.submit(task, part, key=f"medaid-part-{part.index}-{uuid.uuid4().hex[:8]}",
                                     retries=2): part for part in todo}
            for fut in as_completed(futures):
                part = futures[fut]
                try:
                    value = fut.result()
                except Exception as exc:  # a worker that died too often, a disk full: the run stops here
                    raise PartitionFailed(part, exc) from exc
                on_result(part, value)
                progress.advance(part.count)
        finally:
            client.close()
            if local is not None:
                local.close()
    finally:
        progress.close()


class PartitionFailed(Exception):
    def __init__(self, part: Partition, exc: Exception):
        super().__init__(f"partition {part.index} ({part.path}, from line {part.first_line}) failed: "
                         f"{type(exc).__name__}: {exc}"[:1000])


class _Progress:
    """A bar with applicants/s and ETA on a terminal (rich); nothing elsewhere."""

    def __init__(self, total: int, done: int):
        self.bar = None
        if not sys.stderr.isatty():
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
        self.bar = Progress(TextColumn("medaid"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[rate]}/s"), TimeRemainingColumn(),
                            console=Console(stderr=True), transient=True)
        self.bar.start()
        self.task = self.bar.add_task("", total=total, completed=done, rate="—")
        self.t0, self.n = time.perf_counter(), 0

    def advance(self, n: int) -> None:
        if self.bar:
            self.n += n
            rate = self.n / max(time.perf_counter() - self.t0, 1e-9)
            self.bar.update(self.task, advance=n, rate=f"{rate:,.0f}")

    def close(self) -> None:
        if self.bar:
            self.bar.stop()


def run_partitioned(args) -> int:
    """`medaid batch` with --cluster, a Parquet input or output, a directory or a glob."""
    if args.input == "-":
        raise Usage("--cluster and Parquet read files: name the input file, directory or glob")
    t0 = time.perf_counter()
    parts = plan(args.input, args.partition or PARTITION)
    out = Parts(args.output, getattr(args, "output_format", None), args.resume)
    out.check_plan(args.input, parts, args.resume)
    done = out.done() if args.resume else {}
    tally = Tally()
    for t in done.values():
        tally.merge(t)
    todo = [p for p in parts if p.index not in done]
    lim = limits.current()
    jobs = 1 if args.jobs else 0
    from functools import partial
    task = partial(run_partition, out_dir=str(out.dir), fmt=out.fmt, lim=lim, jobs=jobs)
    total = sum(p.count for p in parts)
    emitted = [0]  # parts written to stdout, in order

    def on_result(part, value):
        tally.merge(value)
        done[part.index] = value
        if out.final is None and not out.keep:
            while emitted[0] < len(parts) and emitted[0] in done:
                _copy(out.path(emitted[0]), sys.stdout.buffer)
                emitted[0] += 1

    old = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        evaluate_parts(todo, task, args.cluster, total, sum(p.count for p in parts if p.index in done), on_result)
    except PartitionFailed as exc:
        print(f"medaid batch: {exc}; {len(done)} of {len(parts)} partitions written in {out.dir}"
              + (" (continue with --resume)" if out.final or out.keep else ""), file=sys.stderr)
        return 1
    except Stopped as exc:
        ignore_signals()
        print(f"\nmedaid batch: stopped by {signal.Signals(exc.signum).name}; {len(done)} of {len(parts)} "
              f"partitions written in {out.dir}" + (" (continue with --resume)" if out.final or out.keep else ""),
              file=sys.stderr)
        return 128 + exc.signum
    finally:
        for s, h in old.items():
            signal.signal(s, h)
    if out.final is not None:
        _join(out, len(parts))
    elif not out.keep:
        shutil.rmtree(out.dir, ignore_errors=True)
    _summary(tally, time.perf_counter() - t0, len(parts), len(parts) - len(todo))
    return 0


def _copy(path: Path, dst) -> None:
    with open(path, "rb") as f:
        shutil.copyfileobj(f, dst)
    dst.flush()


def _join(out: Parts, n: int) -> None:
    """The parts, in order, into OUT (through OUT.partial), and the parts removed."""
    partial = out.final.with_name(out.final.name + ".partial")
    if out.fmt == "parquet":
        import pyarrow.parquet as pq
        from .parquet_io import RESULT_SCHEMA
        with pq.ParquetWriter(partial, RESULT_SCHEMA) as w:
            for i in range(n):
                w.write_table(pq.read_table(out.path(i), schema=RESULT_SCHEMA))
    else:
        with open(partial, "wb") as dst:
            for i in range(n):
                _copy(out.path(i), dst)
    os.replace(partial, out.final)
    shutil.rmtree(out.dir, ignore_errors=True)


def _yuan(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d}"


def _summary(tally: Tally, seconds: float, parts: int, resumed: int) -> None:
    t = tally.as_json()
    rate = t["applicants"] / seconds if seconds > 0 else 0
    print(f"medaid batch: {t['applicants']} applicants, {t['errors']} errors, {t['skipped']} blank lines, "
          f"{parts} partitions" + (f" ({resumed} kept from the interrupted run)" if resumed else "")
          + f", {seconds:.1f} s ({rate:,.0f} applicants/s)", file=sys.stderr)
    print(f"  total aid {_yuan(sum(t['aid'].values()))} yuan; premium subsidy {_yuan(sum(t['premium'].values()))} yuan",
          file=sys.stderr)
    for j in sorted(set(t["aid"]) | set(t["premium"])):
        print(f"  {j:<8} aid {_yuan(t['aid'].get(j, 0)):>20}   premium {_yuan(t['premium'].get(j, 0)):>16}",
              file=sys.stderr)
