# One command to set up and run (with demo data), one to test. Needs only Python 3.11+.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test lint format schema fuzz worker beat bench clean

$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

setup: $(BIN)/.installed

# Web server + Celery worker and beat (filesystem broker without REDIS_URL, Redis with it).
run: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "CAIAC Lab on http://$(HOST):$(PORT)/  (API docs: /api/docs/, back office: /admin/)"
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/celery -A caiac worker --beat --loglevel=INFO --concurrency=1 \
		--schedule=var/celerybeat-schedule >var/celery.log 2>&1 & \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

schema: setup
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file var/schema.yml

# The API against its own schema on a live server with the demo data (schemathesis).
fuzz: setup
	BIN=$(BIN) .ci/fuzz-api

worker: setup
	$(BIN)/celery -A caiac worker --loglevel=INFO

beat: setup
	$(BIN)/celery -A caiac beat --loglevel=INFO --schedule=var/celerybeat-schedule

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
