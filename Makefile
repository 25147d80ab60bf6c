# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test bench bench-scale fuzz clean serve bench-serve browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/medaid kb validate
	$(BIN)/medaid evaluate examples/taiyuan-dibao-returned-poor.json --format text
	$(BIN)/medaid evaluate examples/taiyuan-dibao-returned-poor.json --format json

# the browser tests drive Debian's chromium (a CJK font renders the Chinese pages); CI runs as root
browser:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium fonts-wqy-microhei)
	(command -v fc-list >/dev/null && fc-list | grep -qi wqy) || (apt-get update && apt-get install -y fonts-wqy-microhei)

# two workers: the suite is a few minutes on this project's 2 cores
test: $(STAMP) browser
	$(BIN)/python -m pytest -q -n 2

serve: $(STAMP)
	$(BIN)/medaid serve

bench-serve: $(STAMP)
	$(BIN)/python bench/bench_serve.py

bench: $(STAMP)
	$(BIN)/python bench/bench_batch.py 20000 --jobs 1
	$(BIN)/python bench/bench_batch.py 20000 --jobs 2
	$(BIN)/python bench/bench_audit.py
	$(BIN)/python bench/bench_claims.py 100 200 400

# a province (1.57 million applicants) through --cluster local:2; N=20000 for a shorter run
bench-scale: $(STAMP)
	$(BIN)/python bench/bench_scale.py $(if $(N),--n $(N))

fuzz: $(STAMP)
	$(BIN)/python tests/mutations.py --n 20000 --seed 1
	$(BIN)/pip install -q -e '.[fuzz]' && $(BIN)/python tests/fuzz_atheris.py -runs=20000

clean:
	rm -rf $(VENV) *.egg-info
