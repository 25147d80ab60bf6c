"""`medaid batch` over partitions: Parquet or JSON Lines, a file, a directory or a glob, on a Dask
cluster (`--cluster local[:N]`, `--jobs N` for N ≥ 2, or `tcp://host:8786`) or in this process.

A partition is a slice of one input file (`--partition` lines of JSON Lines, default one solver
chunk, or one Parquet row group). The driver plans, schedules and joins; each worker holds one
warm engine, reads its partition itself, evaluates it in children forked from itself (one per
slice of at most RECYCLE chunks: the child's growth ends with it, and it writes its own lines)
and puts it whole in OUT.parts/part-NNNNN.EXT, through a temporary file renamed when complete:
a worker killed mid-partition leaves no part, Dask runs the partition again elsewhere, and a partition run
twice writes the same bytes to the same name — every input's record ends up exactly once.
JSON Lines parts are appended in order to OUT.partial (or stdout) as soon as their
predecessors are, and OUT.partial becomes OUT at the end or when the run stops; `--resume`
keeps what was joined and the parts written after it. Parquet OUT is joined at the end;
`-o DIR/` keeps the parts as they are. Records carry the line (row) number in their input
file, and with several input files, `file`.
"""
from __future__ import annotations

import gc
import glob as globmod
import hashlib
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
from .resources import asp_dir, kb_dir

PARTITION = limits.CHUNK  # lines per partition by default: one solver chunk (`--chunk`'s default)


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


# ---- on a worker ----------------------------------------------------------------------------

_engines: dict = {}  # this worker's one warm engine, by the digest of the KB and programs it holds


def sources_digest() -> str:
    """What an engine is made of: the KB's Turtle files and the ASP programs (names and bytes)."""
    h = hashlib.sha256()
    for root, pattern in ((kb_dir(), "*.ttl"), (asp_dir(), "*.lp")):
        for f in sorted(root.rglob(pattern)):
            h.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def worker_engine(digest: str | None):
    """This process's engine. With the driver's digest (a cluster worker), the KB is not validated
    again — the driver validated these very files — and a worker holding other files refuses."""
    from .engine import Engine, default_engine
    from .kb import load_kb
    if digest is None:
        return default_engine()
    if digest not in _engines:
        mine = sources_digest()
        if mine != digest:
            raise RuntimeError(f"this worker's KB and programs ({mine[:12]}) are not the driver's ({digest[:12]}): "
                               "install the same medaid-logic (and MEDAID_KB) on every machine")
        _engines[digest] = Engine(load_kb(validate=False))
        gc.freeze()  # it lives as long as this process: no collection need traverse it (or copy
        # the pages the fork server shares with this process)
    return _engines[digest]


def run_partition(part: Partition, out_dir: str, fmt: str, lim: "limits.Limits", chunk: int = limits.CHUNK,
                  digest: str | None = None) -> dict:
    """Evaluate one partition and write its part (temp file, then rename). Returns its tally.
    Runs on a worker (or in this process) holding one warm engine: the worker reads the partition
    itself and evaluates it in children forked from itself, one per slice (no record crosses a
    process, and the worker never grows). A JSON Lines slice is written by the child that computed
    it (forked_part); a Parquet part is built here from the lines (forked_lines)."""
    limits._current = lim
    records, engine = read_partition(part), worker_engine(digest)
    target = Path(out_dir) / part_name(part.index, fmt)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    if fmt == "parquet":
        import pyarrow.parquet as pq
        from .parquet_io import results_table
        lines, tally = forked_lines(records, part.first_line, engine, chunk, file=part.file)
        pq.write_table(results_table(json.loads(x) for x in lines), tmp)
    else:
        tally = forked_part(records, part.first_line, engine, chunk, tmp, part.file)
    stats = target.with_name(target.name + ".tally")
    stats_tmp = tmp.with_name(tmp.name + ".tally")
    stats_tmp.write_text(json.dumps(tally.as_json()))
    os.replace(stats_tmp, stats)   # the tally first: a part that exists always has its tally
    os.replace(tmp, target)
    return {"index": part.index, **tally.as_json()}


def forked_lines(records: list, first_line: int, engine, chunk: int = limits.CHUNK,
                 reform: dict | None = None, file: str | None = None) -> tuple[list[bytes], Tally]:
    """partition_lines of the records, each slice of at most RECYCLE chunks evaluated in a child
    (_in_children). A slice whose child dies is solved again chunk by chunk and then case by case
    (Engine.stream), so the case that kills the solver alone gets an error."""
    from .workers import WorkerDied
    lines: list[bytes] = []
    tally = Tally()
    lim = limits.current()  # the run's, sent with each slice: the kept server may be a former run's
    slices = ((piece, first, reform, chunk, lim, file) for piece, first in _slices(records, first_line, chunk))
    for (piece, first, *_), got in _in_children(_slice_lines, slices, engine):
        if isinstance(got, WorkerDied):
            got = partition_lines(piece, first, jobs=1, reform=reform, chunk=chunk, engine=engine, file=file)
        lines.extend(got[0])
        tally.merge(got[1])
    return lines, tally


def forked_part(records: list, first_line: int, engine, chunk: int, path: Path, file: str | None) -> Tally:
    """The records' JSON Lines written to path (fsynced: the caller renames it into place), each
    slice by the child that computed it (_in_children). A partition's lines (about 18 KB each,
    9 MB for 500) are then copied once, into the page cache, where sending them to this process
    cost four copies more, a worker's whole CPU beside the children's. A slice whose child dies
    is solved again here as in forked_lines, and written by this process."""
    from .workers import WorkerDied
    tally = Tally()
    lim = limits.current()
    pieces = list(_slices(records, first_line, chunk))
    names = [path] if len(pieces) <= 1 else [Path(f"{path}.{k}") for k in range(len(pieces))]
    if not records:
        _write_lines(path, [])
    slices = ((cases, first, chunk, lim, to, file) for (cases, first), to in zip(pieces, names))
    for (cases, first, _, _, to, _), got in _in_children(_slice_part, slices, engine):
        if isinstance(got, WorkerDied):
            lines, got = partition_lines(cases, first, jobs=1, chunk=chunk, engine=engine, file=file)
            _write_lines(to, lines)
        tally.merge(got)
    if names != [path]:
        with open(path, "wb") as out:
            for name in names:
                with open(name, "rb") as f:
                    shutil.copyfileobj(f, out)
                name.unlink()
            out.flush()
            os.fsync(out.fileno())
    return tally


def _slices(records: list, first_line: int, chunk: int):
    """(records, first line) of each slice: RECYCLE chunks, one unless --partition is above the chunk."""
    from .engine import RECYCLE
    step = max(1, RECYCLE * chunk)
    return ((records[at:at + step], first_line + at) for at in range(0, len(records), step))


_slice_engine = None


def _in_children(fn, slices, engine):
    """(slice, fn(slice)) for each slice, in order, each computed in a child forked from this
    process's fork server for the engine (its engine warm, its interned symbols given back when
    the child ends: grounding slows as they grow; the server kept for the next partition, so
    that this process, busy between partitions, forks once); WorkerDied where the child died."""
    from .workers import ordered_map
    global _slice_engine
    engine.before_fork()
    _slice_engine = engine  # what the server is forked with, if it is made now
    return ordered_map(fn, slices, jobs=1, recycle=1, keep=engine)


def _slice_lines(task: tuple) -> tuple[list[bytes], Tally]:
    """One slice in a forked child: the records' lines and tally, with the engine _in_children set."""
    piece, first, reform, chunk, limits._current, file = task
    return partition_lines(piece, first, 0, reform, chunk, _slice_engine, file)


def _slice_part(task: tuple) -> Tally:
    """One slice in a forked child: its JSON Lines written to the file named, its tally returned."""
    cases, first, chunk, limits._current, path, file = task
    lines, tally = partition_lines(cases, first, 0, None, chunk, _slice_engine, file)
    _write_lines(path, lines)
    return tally


def _write_lines(path: Path, lines: list[bytes]) -> None:
    with open(path, "wb") as f:
        f.writelines(lines)
        f.flush()
        os.fsync(f.fileno())


# ---- the driver ---------------------------------------------------------------------------

class Parts:
    """Where the parts go, and what becomes of them.

    OUT.parts/ for `-o FILE`, DIR itself for `-o DIR/` (the parts are the output), a temporary
    directory for stdout. JSON Lines reach FILE (through FILE.partial, renamed at the end or when
    the run stops, as `medaid batch` always writes) and stdout as soon as every partition before
    them is written: in order, each part once. OUT.parts/_joined.json says how many parts
    FILE.partial holds, its size after them and their tally; a run killed between a part's
    append and that note leaves bytes past the size, which --resume cuts off."""

    def __init__(self, output: str | None, fmt: str | None, resume: bool):
        self.final: Path | None = None
        self.keep = False
        self.sink = None                # FILE.partial, open, for a JSON Lines FILE
        self.joined = 0                 # parts appended to FILE.partial or stdout
        self.joined_tally: dict | None = None
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
        self.partial = self.final.with_name(self.final.name + ".partial") if self.final else None
        self.resumable = resume and (self.dir / "_plan.json").exists()
        if resume and self.final is not None and self.fmt == "jsonl" and not self.resumable \
                and (self.final.exists() or self.partial.exists()):
            raise Usage(f"--resume: {output} was not written by a partitioned run that stopped "
                        f"(no {self.dir.name}/); continue it with the --jobs it was started with")
        if self.dir.exists() and not resume and not self.keep and output not in (None, "-"):
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        for stale in self.dir.glob(".part-*.tmp*"):  # a killed worker's unfinished part
            stale.unlink()

    def check_plan(self, spec: str, parts: list[Partition], resume: bool, digest: str) -> None:
        manifest = self.dir / "_plan.json"
        text = json.dumps({"input": spec, "format": self.fmt, "kb_and_programs": digest,
                           "partitions": [asdict(p) for p in parts]})
        if resume and manifest.exists() and manifest.read_text() != text:
            raise Usage(f"--resume: {self.dir} was written for another input, partitioning, KB or programs")
        if not resume:
            for old in [*self.dir.glob("part-*"), self.dir / "_joined.json"]:
                old.unlink(missing_ok=True)
        manifest.write_text(text)

    def open(self) -> None:
        """FILE.partial for a JSON Lines FILE: cut back to the parts it holds when resuming."""
        if self.final is None or self.fmt != "jsonl":
            return
        note = self.dir / "_joined.json"
        if self.resumable and note.exists():
            kept = json.loads(note.read_text())
            if not self.partial.exists() and self.final.exists():
                os.replace(self.final, self.partial)  # a stopped run renamed it
            if not self.partial.exists() or self.partial.stat().st_size < kept["bytes"]:
                raise Usage(f"--resume: {self.partial} lost records of the {kept['parts']} partitions it held")
            self.joined, self.joined_tally = kept["parts"], kept["tally"]
            self.sink = open(self.partial, "r+b")
            self.sink.truncate(kept["bytes"])
            self.sink.seek(kept["bytes"])
        else:
            self.sink = open(self.partial, "wb")

    def done(self) -> dict[int, dict]:
        """The tallies of the parts written and not yet joined (by index)."""
        out = {}
        for f in self.dir.glob(f"part-*.{self.fmt}"):
            t = f.with_name(f.name + ".tally")
            if t.exists() and int(f.name[5:10]) >= self.joined:
                out[int(f.name[5:10])] = json.loads(t.read_text())
        return out

    def path(self, index: int) -> Path:
        return self.dir / part_name(index, self.fmt)

    def join_ready(self, done: dict[int, dict], n: int) -> None:
        """Append to FILE.partial or stdout each part whose predecessors all are; signals wait
        until a part and its note are both written."""
        if self.keep or (self.final is not None and self.sink is None):
            return  # parts kept as the output, or a Parquet FILE joined at the end
        while self.joined < n and self.joined in done:
            i = self.joined
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
            try:
                _copy(self.path(i), self.sink or sys.stdout.buffer)
                self.joined += 1
                if self.sink:
                    os.fsync(self.sink.fileno())
                    t = Tally()
                    if self.joined_tally:
                        t.merge(self.joined_tally)
                    t.merge(done[i])
                    self.joined_tally = t.as_json()
                    note = self.dir / "_joined.json"
                    tmp = note.with_name(".joined.tmp")
                    tmp.write_text(json.dumps({"parts": self.joined, "bytes": self.sink.tell(), "tally": self.joined_tally}))
                    os.replace(tmp, note)
                self.path(i).unlink()
                self.path(i).with_name(self.path(i).name + ".tally").unlink(missing_ok=True)
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def finish(self, n: int) -> None:
        """The whole output in place: FILE renamed or joined (Parquet), the parts removed."""
        if self.sink:
            self.sink.close()
            os.replace(self.partial, self.final)
        elif self.final is not None:
            _join(self, n)
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    def stopped(self) -> str:
        """After a stop or a failure: FILE holds the records joined so far (a clean prefix) and
        the parts written after them stay for --resume. Says what the output holds."""
        later = len([f for f in self.dir.glob(f"part-*.{self.fmt}")])
        if self.sink:
            self.sink.close()
            os.replace(self.partial, self.final)
            held = f"{self.final} holds the records of the first {self.joined} partitions"
            return held + (f", {later} later ones are kept in {self.dir}" if later else "") + " (continue with --resume)"
        if self.final is None and not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
            return f"the output holds the records of the first {self.joined} partitions"
        return f"{later} partitions written in {self.dir} (continue with --resume)"


    def discard(self, indices) -> None:
        """The parts of these partitions removed, and the output not yet joined (the KB failed
        its validation after the workers began)."""
        for i in indices:
            self.path(i).unlink(missing_ok=True)
            self.path(i).with_name(self.path(i).name + ".tally").unlink(missing_ok=True)
        if self.sink:
            self.sink.close()
            if not self.joined:
                self.partial.unlink(missing_ok=True)
        if not self.keep and not self.joined:
            shutil.rmtree(self.dir, ignore_errors=True)


def local_workers(spec: str) -> int | None:
    """The workers of `local[:N]` (N, else one per core); None for `tcp://host:port`."""
    if spec == "local" or spec.startswith("local:"):
        n = spec.partition(":")[2]
        if n and not (n.isdigit() and int(n) > 0):
            raise Usage(f"--cluster local:N takes a positive N, not {n!r}")
        return int(n) if n else (os.cpu_count() or 1)
    if spec.startswith("tcp://"):
        return None
    raise Usage(f"--cluster: local, local:N or tcp://host:port, not {spec!r}")


def _connect(spec: str):
    """A Dask client for `local[:N]` (a LocalCluster on loopback) or `tcp://host:port`."""
    import dask
    from distributed import Client, LocalCluster
    n_workers = local_workers(spec)
    if n_workers is not None:
        import logging
        dask.config.set({  # forked from this process: a worker inherits the engine loaded here
                         "distributed.worker.multiprocessing-method": "fork",
                         # the worker's sampling profiler and monitors cost CPU the engine could use;
                         # the memory monitor (worker and nanny) looks every 100 ms by default; work
                         # stealing balances every 100 ms tasks that are queued on the scheduler anyway
                         "distributed.worker.profile.enabled": False, "distributed.admin.tick.interval": "1s",
                         "distributed.admin.system-monitor.interval": "2s", "distributed.admin.system-monitor.disk": False,
                         "distributed.worker.memory.monitor-interval": "1s", "distributed.scheduler.work-stealing": False})
        # what the workers inherit (the engine, the KB) out of reach of the collector: a full
        # collection in a worker touched every object's header, copying 20 MiB of the pages it
        # shared, some 400 s into a run (gc.freeze's own advice for a fork without exec)
        gc.freeze()
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address="127.0.0.1:0",  # a free port: several runs may share a machine
                               silence_logs=logging.ERROR)
        return Client(cluster), cluster
    return Client(spec, timeout=30), None


def _dashboard(client) -> str | None:
    try:
        if "dashboard" in client.scheduler_info().get("services", {}):
            return client.dashboard_link
    except Exception:
        pass
    return None


def evaluate_parts(todo: list[Partition], task, cluster: str | None, total: int, done_already: int,
                   on_result, prepare=None) -> None:
    """Run task(part) for each partition (on the cluster, or here), calling on_result(part, value)
    as each finishes, with a progress bar on a terminal; prepare(client), if given, runs once the
    cluster is up, before the first partition is submitted."""
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
            if prepare is not None:
                prepare(client)
            futures = {client.submit(task, part, key=f"medaid-part-{part.index}-{uuid.uuid4().hex[:8]}",
                                     retries=2): part for part in todo}
            for fut in as_completed(futures):
                part = futures.pop(fut)  # its result is released on the worker once read
                try:
                    value = fut.result()
                except Stopped:
                    raise
                except Exception as exc:  # a worker that died too often, a disk full: the run stops here
                    raise PartitionFailed(part, exc) from exc
                on_result(part, value)
                progress.advance(part.count)
        finally:
            client.close()
            if local is not None:
                local.close()
                gc.unfreeze()  # frozen by _connect for the workers it forked (and a nanny's restarts)
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
    """`medaid batch` by partitions: on a Dask cluster (`--cluster`, `--jobs N` ≥ 2), or here for
    a Parquet input or output, a directory or a glob, `-o DIR/` or `--partition`."""
    from .errors import KBError
    if args.input == "-":
        raise Usage("--cluster and Parquet read files: name the input file, directory or glob")
    if args.output and not args.output.endswith("/") and any(_same(Path(args.output), f) for f in input_files(args.input)):
        raise Usage(f"-o {args.output} is an input file: the output would destroy it")
    t0 = time.perf_counter()
    parts = plan(args.input, args.partition or args.chunk or PARTITION)
    digest = sources_digest()
    out = Parts(args.output, getattr(args, "output_format", None), args.resume)
    out.check_plan(args.input, parts, args.resume, digest)
    out.open()
    done = out.done() if args.resume else {}
    tally = Tally()
    for t in [out.joined_tally, *done.values()]:
        if t:
            tally.merge(t)
    todo = [p for p in parts if p.index >= out.joined and p.index not in done]
    lim = limits.current()
    from functools import partial
    task = partial(run_partition, out_dir=str(out.dir), fmt=out.fmt, lim=lim, chunk=args.chunk,
                   digest=digest if args.cluster else None)
    # The KB is validated once, by a child forked from this process, while the workers already
    # evaluate: no part of theirs is joined before it passed, and if it fails, closing the
    # cluster ends them and their parts are removed. A LocalCluster's workers are forked from
    # this process once it loaded the engine: each starts warm, in a fraction of a second.
    # Workers elsewhere load their own KB, once they checked it is these very files (the digest).
    validated = None
    local = bool(args.cluster) and local_workers(args.cluster) is not None
    if args.cluster:
        from .engine import Engine
        from .kb import load_kb_validating_aside
        kb, validated = load_kb_validating_aside()  # forked before any thread of Dask's exists
        if local:
            _engines[digest] = Engine(kb)

    def prepare(client):
        if not local:
            validated.result()  # a worker elsewhere may not write a part before

    def on_result(part, value):
        if validated is not None:
            validated.result()
        tally.merge(value)
        done[part.index] = value
        out.join_ready(done, len(parts))

    old = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        out.join_ready(done, len(parts))  # parts a killed run wrote but did not join
        evaluate_parts(todo, task, args.cluster, sum(p.count for p in parts),
                       sum(p.count for p in parts if p.index < out.joined or p.index in done), on_result, prepare)
    except PartitionFailed as exc:
        ignore_signals()
        print(f"medaid batch: {exc}; {out.stopped()}", file=sys.stderr)
        return 1
    except Stopped as exc:
        ignore_signals()
        print(f"\nmedaid batch: stopped by {signal.Signals(exc.signum).name}; {out.stopped()}", file=sys.stderr)
        return 128 + exc.signum
    except KBError:
        out.discard(p.index for p in todo)
        raise
    finally:
        for s, h in old.items():
            signal.signal(s, h)
    out.finish(len(parts))
    _summary(tally, time.perf_counter() - t0, len(parts), len(parts) - len(todo))
    return 0


def _same(a: Path, b: Path) -> bool:
    try:
        return a.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _copy(path: Path, dst) -> None:
    with open(path, "rb") as f:
        shutil.copyfileobj(f, dst)
    dst.flush()


def _join(out: Parts, n: int) -> None:
    """The parts, in order, into a Parquet OUT (through OUT.partial)."""
    import pyarrow.parquet as pq
    from .parquet_io import RESULT_SCHEMA
    with pq.ParquetWriter(out.partial, RESULT_SCHEMA) as w:
        for i in range(n):
            w.write_table(pq.read_table(out.path(i), schema=RESULT_SCHEMA))
    os.replace(out.partial, out.final)


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
