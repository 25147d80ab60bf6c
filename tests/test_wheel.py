"""The package installs: a wheel built from the project carries the programs and the KB, and
installed in a fresh virtual environment it evaluates an example from outside the checkout.
(The dependencies are the running interpreter's, reached through a .pth: no download.)"""
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "taiyuan-dibao-returned-poor.json"
SOURCES = ("pyproject.toml", "README.md", "medaid_logic", "asp", "kb")

pytestmark = pytest.mark.slow


def run(*cmd, cwd, env=None):
    r = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))}\n{r.stdout}\n{r.stderr}"
    return r.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"  # built from a copy: the build writes nothing into the checkout
    src.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(ROOT / name, src / name)
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp / "dist", src, cwd=tmp)
    wheel = next((tmp / "dist").glob("medaid_logic-*.whl"))
    env_dir = tmp / "venv"
    venv.create(env_dir, with_pip=False)
    py = env_dir / "bin" / "python"
    site = Path(run(py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp).strip())
    deps = {Path(sysconfig.get_paths()["purelib"]), Path(sysconfig.get_paths()["platlib"])}
    (site / "deps.pth").write_text("\n".join(map(str, sorted(deps))) + "\n")
    run(sys.executable, "-m", "pip", "--python", py, "install", "-q", "--no-deps", "--no-index", wheel, cwd=tmp)
    env = {k: v for k, v in os.environ.items() if k not in ("MEDAID_KB", "PYTHONPATH")}
    return wheel, env_dir, tmp, env


def test_wheel_carries_every_program_and_kb_file(installed):
    wheel = installed[0]
    names = set(zipfile.ZipFile(wheel).namelist())
    for top, package, suffix in (("asp", "medaid_logic/asp", ".lp"), ("kb", "medaid_logic/kb_files", ".ttl")):
        files = sorted((ROOT / top).rglob(f"*{suffix}"))
        assert files
        missing = [f for f in files if f"{package}/{f.relative_to(ROOT / top).as_posix()}" not in names]
        assert not missing, f"not in the wheel (add its directory to pyproject.toml): {missing}"


def test_installed_cli_evaluates_outside_the_checkout(installed, engine):
    _, env_dir, tmp, env = installed
    outside = tmp / "work"
    outside.mkdir()
    case = outside / "case.json"
    case.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    where = run(env_dir / "bin" / "python", "-c", "from medaid_logic.resources import asp_dir, kb_dir; print(asp_dir()); print(kb_dir())",
                cwd=outside, env=env).split()
    assert all(Path(p).is_relative_to(env_dir) for p in where), where  # its own data, not the checkout's
    assert "kb: valid" in run(env_dir / "bin" / "medaid", "kb", "validate", cwd=outside, env=env)
    out = json.loads(run(env_dir / "bin" / "medaid", "evaluate", case, "--format", "json", cwd=outside, env=env))
    assert out == json.loads(json.dumps(engine.evaluate(json.loads(EXAMPLE.read_text(encoding="utf-8")))))
    assert out["claims"][0]["aid"] == "21400.00"  # README: 16000.00 × 70% = 11200.00, + catalogue aid 10200.00
