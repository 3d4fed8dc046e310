# Mend: `make run` starts everything on embedded defaults; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
SITE_URL ?= http://127.0.0.1:$(PORT)
PYTEST_ARGS ?=

.PHONY: run test lint typecheck format venv migrate demo ci messages bench-intake bench-cases bench-sweep bench-pages bench-dashboard bench-scale bench-outbox clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing Mend's Python packages into $(VENV) (first run: about a minute)..."
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --progress-bar on -r requirements-dev.txt
	@touch $@

venv: $(BIN)/.installed

run: venv  ## migrate, load demo data, then web + Celery worker + beat on http://127.0.0.1:$(PORT)/
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo
	@echo "Mend is starting on http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	DEBUG=1 PORT=$(PORT) SITE_URL=$(SITE_URL) PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

test: venv  ## the whole suite; tests needing PostgreSQL/Redis skip unless DATABASE_URL/REDIS_URL point at them
	$(BIN)/pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The service layer and the cross-app plumbing, with django-stubs and the DRF stubs (pyproject.toml).
TYPED := cases/workflow.py cases/services.py cases/events.py cases/root_causes cases/emerging/detector.py cases/emerging/services.py cases/emerging/selectors.py cases/outbox.py cases/conversation \
	cases/gestures cases/notices/services.py cases/notices/selectors.py cases/notices/preferences.py cases/notices/mentions.py cases/notices/looks.py cases/presence/services.py cases/sla cases/follow_ups feedback/intake.py feedback/triage.py feedback/services.py feedback/widget recovery \
	cases/webhooks/outbox.py cases/webhooks/delivery.py cases/webhooks/services.py cases/webhooks/ssrf.py \
	cases/webhooks/signing.py cases/webhooks/tasks.py \
	cases/at_risk/formula.py cases/at_risk/services.py cases/outreach/services.py cases/outreach/rows.py \
	cases/gesture_rules/services.py cases/gesture_rules/automatic.py cases/gesture_rules/metadata.py \
	cases/gesture_rules/active.py cases/metrics/facts.py \
	cases/teams/routing.py cases/teams/assignment.py cases/teams/services.py cases/teams/selectors.py \
	cases/response_templates.py

typecheck: venv
	DEBUG=1 $(BIN)/mypy $(TYPED)

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The German and Spanish catalogues (locale/): collect every marked string (templates, Python, and
# static/js for the JavaScript catalogue), then compile the .mo files that are committed beside them.
# Needs GNU gettext (apt-get install gettext); docs/languages.md says why the .mo files are committed.
MESSAGE_LANGUAGES := de es
MESSAGE_IGNORE := --ignore=.venv --ignore=staticfiles --ignore=var --ignore=test-artifacts --ignore=bench --ignore=chaos
messages: venv
	DEBUG=1 $(BIN)/python manage.py makemessages --no-obsolete --no-location $(MESSAGE_IGNORE) $(addprefix -l ,$(MESSAGE_LANGUAGES))
	DEBUG=1 $(BIN)/python manage.py makemessages --no-obsolete --no-location -d djangojs $(MESSAGE_IGNORE) --ignore=static/vendor --ignore=static/widget $(addprefix -l ,$(MESSAGE_LANGUAGES))
	DEBUG=1 $(BIN)/python manage.py compilemessages $(addprefix -l ,$(MESSAGE_LANGUAGES)) --ignore=.venv
	@echo "Now translate every new or fuzzy entry in locale/*/LC_MESSAGES/*.po, then run make messages again."

migrate: venv
	DEBUG=1 $(BIN)/python manage.py migrate --noinput

demo: migrate
	DEBUG=1 $(BIN)/python manage.py seed_demo

ci:
	bash .ci/run

bench-intake: venv  ## intake vs a bare DRF insert on gunicorn + PostgreSQL (needs a local PostgreSQL)
	$(BIN)/python bench/intake

bench-cases: venv  ## seed 1,000,000 cases and measure the case API against the bare-DRF ceiling (BENCH_ARGS=--cases N)
	$(BIN)/python bench/cases $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache

bench-sweep: venv  ## one sweep_sla over 1,000,000 open cases, 1 % due and none due (PostgreSQL at BENCH_POSTGRES_URL)
	$(BIN)/python bench/sweep

bench-pages: venv  ## the queue and the case screen against their JSON twins at 1,000,000 cases (BENCH_ARGS=--reuse ...)
	$(BIN)/python bench/pages $(BENCH_ARGS)
bench-dashboard: venv  ## the dashboard's metrics, page and CSV export at 1,000,000 cases + 2,000,000 feedback (BENCH_ARGS=--cases N)
	$(BIN)/python bench/dashboard $(BENCH_ARGS)
bench-outbox: venv  ## the outbox's send rate of customer messages to a local aiosmtpd (BENCH_ARGS=--messages N)
	$(BIN)/python bench/outbox_send $(BENCH_ARGS)

bench-scale: venv  ## growth: 100k and 1M cases, each figure next to the ceiling, plus bench/sweep (BENCH_ARGS=--reuse)
	$(BIN)/python bench/scale $(BENCH_ARGS)
