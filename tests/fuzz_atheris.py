"""Coverage-guided fuzzing (atheris) of the reading path: bytes → strict_json.loads →
Engine.evaluate → UTF-8 output. Any exception other than CaseError is a crash.

    python tests/fuzz_atheris.py -runs=20000      (`make fuzz`, after `pip install -e '.[fuzz]'`)

The corpus starts from the examples and the test cases (written to a temporary directory).
"""
import json
import sys
import tempfile
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

with atheris.instrument_imports():
    from medaid_logic.case import loads
    from medaid_logic.engine import Engine
    from medaid_logic.errors import CaseError

ENGINE = Engine()


def one_input(data: bytes) -> None:
    try:
        result = ENGINE.evaluate(loads(data))
    except CaseError as exc:
        json.dumps(exc.as_json(), ensure_ascii=False).encode("utf-8")
        return
    json.dumps(result, ensure_ascii=False).encode("utf-8")


def main() -> None:
    corpus = Path(tempfile.mkdtemp(prefix="medaid-fuzz-"))
    seeds = sorted((ROOT / "examples").glob("*.json")) + sorted((ROOT / "tests" / "cases").rglob("*.json"))
    for i, p in enumerate(seeds):
        spec = loads(p.read_bytes())
        case = spec.get("case", spec)
        (corpus / f"seed{i}.json").write_bytes(json.dumps(case, ensure_ascii=False, default=str).encode("utf-8"))
    atheris.Setup([sys.argv[0], *sys.argv[1:], str(corpus)], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
