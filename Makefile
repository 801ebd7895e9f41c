# Every target sets up what it needs: a fresh clone needs only `make demo` and `make test`.
SHELL := /bin/bash
VENV := .venv
SAM_VENV := .venv-sam
PY := $(VENV)/bin/python
export PYTHONPATH := shared:.
export SAM_CLI_TELEMETRY := 0

.PHONY: help venvs test lint lint-templates lock package deploy mutation unit integration e2e browser demo serve chaos redrive replay schemas bench scale clean

help:
	@echo "make demo | make test | make serve | make bench | make package | make lint | make schemas"

# Installs are constrained by the lock files (every package, transitive ones too): `make lock` renews them.
$(VENV)/.installed: requirements-dev.txt shared/requirements.txt requirements.lock
	@test -x $(PY) || "$$(infra/find-python.sh)" -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt -c requirements.lock
	@touch $@

$(SAM_VENV)/.installed: requirements-sam.txt requirements-sam.lock
	@test -x $(SAM_VENV)/bin/python || "$$(infra/find-python.sh)" -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install -q --upgrade pip
	$(SAM_VENV)/bin/python -m pip install -q -r requirements-sam.txt -c requirements-sam.lock
	@touch $@

# Both venvs at once: much of an install is waiting on downloads.
venvs:
	$(MAKE) -j2 --output-sync=target $(VENV)/.installed $(SAM_VENV)/.installed

# Renews the locks from fresh venvs of the requirements files, then `make test` proves them.
lock:
	rm -rf .local/lock && mkdir -p .local/lock
	"$$(infra/find-python.sh)" -m venv .local/lock/dev && .local/lock/dev/bin/pip install -q -r requirements-dev.txt
	.local/lock/dev/bin/pip freeze --exclude-editable > requirements.lock
	"$$(infra/find-python.sh)" -m venv .local/lock/sam && .local/lock/sam/bin/pip install -q -r requirements-sam.txt
	.local/lock/sam/bin/pip freeze --exclude-editable > requirements-sam.lock

# .pre-commit-config.yaml runs the same checks (pre-commit install).
lint: $(VENV)/.installed lint-templates
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# Then cfn-lint's serverless rules and checkov on both templates; what they let pass, and why, is
# in infra/lint-skips.toml.
lint-templates: $(SAM_VENV)/.installed
	$(SAM_VENV)/bin/sam validate --lint --region us-east-1
	$(SAM_VENV)/bin/sam validate --lint --region us-east-1 -t examples/subscriber/template.yaml
	$(SAM_VENV)/bin/python infra/lint_templates.py

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium < /dev/null

# A font with Chinese glyphs, for the result page's screenshots in Chinese.
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc

$(CJK_FONT):
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei < /dev/null

browser: $(CHROMIUM) $(CJK_FONT)

# valgrind's cachegrind counts the instructions of a cold start (make bench): deterministic, unlike time.
VALGRIND := /usr/bin/valgrind

$(VALGRIND):
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind < /dev/null

# sam build without Docker (pyenv's Python 3.13 on PATH), then checks the artifacts are arm64 and
# hold their handlers; tests/package runs them in a venv with only boto3.
package: $(VENV)/.installed $(SAM_VENV)/.installed
	$(PY) -m infra.package

# Deploys the build with a copy of infra/samconfig.toml that git ignores: the first run is guided and
# writes the answers into the copy, never into the committed file.
SAM_CONFIG := infra/samconfig.local.toml
deploy: package
	@if [ -f "$(SAM_CONFIG)" ]; then echo "using $(SAM_CONFIG)"; else cp infra/samconfig.toml "$(SAM_CONFIG)"; fi
	$(SAM_VENV)/bin/sam deploy $$(grep -q '^region' "$(SAM_CONFIG)" || echo --guided) \
	  --config-file "$(abspath $(SAM_CONFIG))" --template-file .aws-sam/build/template.yaml

# pytest-xdist: a worker per core, each running whole groups (tests/parallel.py: the local stack's
# tests together, every other test with its module).
PARALLEL := -n auto

# The benchmark runs bounded first (it must run, not meet numbers); then the tests.
test: venvs lint package mutation $(CHROMIUM) $(CJK_FONT) $(VALGRIND)
	$(PY) -m infra.bench --smoke --out .local/bench-smoke.json
	$(PY) -m infra.scale --smoke --out .local/scale-smoke.json
	$(PY) -m pytest $(PARALLEL)

# Mutation testing of the pure core with the unit tests (infra/mutation.py): a score per module,
# each at least 95%; the equivalent mutants are listed, with a reason each, in infra/mutation_equivalents.txt.
mutation: $(VENV)/.installed
	$(PY) -m infra.mutation

unit: $(VENV)/.installed
	$(PY) -m pytest $(PARALLEL) tests/unit

integration: $(VENV)/.installed
	$(PY) -m pytest $(PARALLEL) tests/integration

e2e: $(VENV)/.installed $(CHROMIUM) $(CJK_FONT)
	$(PY) -m pytest tests/e2e tests/browser

demo: $(VENV)/.installed
	$(PY) -m infra.local.demo

serve: $(VENV)/.installed
	$(PY) -m infra.local.stack --try-it

chaos: $(VENV)/.installed
	$(PY) -m infra.local.chaos $(CHAOS_ARGS)

# `make redrive STACK=name`: a deployed stack's DLQ, found from its outputs, with your AWS credentials
# (docs/operations.md lists the permissions). Without STACK: the local stack's.
redrive: $(VENV)/.installed
ifdef STACK
	$(PY) -m infra.redrive --stack "$(STACK)" $(REDRIVE_ARGS)
else
	AWS_ENDPOINT_URL=$${AWS_ENDPOINT_URL:-http://127.0.0.1:4566} AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1} \
	AWS_ACCESS_KEY_ID=$${AWS_ACCESS_KEY_ID:-local} AWS_SECRET_ACCESS_KEY=$${AWS_SECRET_ACCESS_KEY:-local} \
	$(PY) -m infra.redrive $(REDRIVE_ARGS)
endif

# `make replay STACK=name REPLAY_ARGS="--verification-id vrf_... --rule NAME"`: re-emits events from the
# table with their original event_ids (infra/replay.py, docs/operations.md). Without STACK: the local stack.
replay: $(VENV)/.installed
ifdef STACK
	$(PY) -m infra.replay --stack "$(STACK)" $(REPLAY_ARGS)
else
	AWS_ENDPOINT_URL=$${AWS_ENDPOINT_URL:-http://127.0.0.1:4566} AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1} \
	AWS_ACCESS_KEY_ID=$${AWS_ACCESS_KEY_ID:-local} AWS_SECRET_ACCESS_KEY=$${AWS_SECRET_ACCESS_KEY:-local} \
	$(PY) -m infra.replay $(REPLAY_ARGS)
endif

# Prints one table and writes bench/results.json. BENCH_ARGS="--pairs 20 --sizes 500,2000" to vary.
bench: $(VENV)/.installed package $(VALGRIND)
	$(PY) -m infra.bench $(BENCH_ARGS)

# One day at 1,000 verifications/s with 10% of callbacks lost, simulated through the real services
# (infra/scale/); under 2 minutes. SCALE_ARGS="--read-concurrency 1 --faceid-seconds 10" to vary.
scale: $(VENV)/.installed
	$(PY) -m infra.scale $(SCALE_ARGS)

# The event schemas (events/schemas/, their catalog events/README.md, the Schema Registry's block in
# template.yaml) and the API's OpenAPI document (api/openapi.json), from the code.
schemas: $(VENV)/.installed
	$(PY) -m infra.schemas
	$(PY) -m infra.schema_registry
	$(PY) -m infra.openapi

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .local .pytest_cache .mypy_cache .ruff_cache
