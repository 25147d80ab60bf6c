"""Two versions of the code, measured by turns: the way to tell a speed change on a machine that
drifts by a few per cent over minutes (a change is kept only when it wins in every round).

    python bench/alternate.py [--rounds 3] [--grep TEXT] OLD NEW -- bench/bench_batch.py 10000 --jobs 1

OLD and NEW are git revisions, or `.` for the working tree. Each revision other than `.` is checked
out once into a temporary worktree; each round then runs the command (a Python script and its
arguments, relative to the checkout) in OLD's checkout, then in NEW's, with this interpreter and
that checkout first on sys.path. Prints the lines of each run that contain TEXT (default: "/s").
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def checkout(rev: str, into: Path) -> Path:
    if rev == ".":
        return ROOT
    path = into / rev.replace("/", "_")
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(path), rev], check=True)
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("command", nargs=argparse.REMAINDER, help="-- SCRIPT ARGS...")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--grep", default="/s")
    args = ap.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        ap.error("name the command after --")
    with tempfile.TemporaryDirectory(prefix="alternate-") as tmp:
        trees = {}
        try:
            for rev in (args.old, args.new):
                trees[rev] = checkout(rev, Path(tmp))
            for r in range(1, args.rounds + 1):
                for rev in (args.old, args.new):
                    tree = trees[rev]
                    env = {**os.environ, "PYTHONPATH": f"{tree}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
                    run = subprocess.run([sys.executable, *command], cwd=tree, env=env, capture_output=True, text=True)
                    lines = [x for x in (run.stdout + run.stderr).splitlines() if args.grep in x] or [f"exit {run.returncode}"]
                    for line in lines:
                        print(f"round {r} {rev:>12}: {line}", flush=True)
        finally:
            for rev, tree in trees.items():
                if tree != ROOT:
                    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)


if __name__ == "__main__":
    main()
