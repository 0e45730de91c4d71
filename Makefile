.PHONY: run serve setup test lint format demo messages bench bench-search clean

HOST ?= 127.0.0.1
PORT ?= 8000
PY := .venv/bin/python

## make run: set everything up, load the demo city if the database is empty, serve on :8000
# HOST and PORT reach the settings too: PUBLIC_BASE_URL (SMS links, QR codes) follows them.
run: setup
	$(PY) manage.py migrate --noinput
	HOST=$(HOST) PORT=$(PORT) $(PY) manage.py demo_city --if-empty
	$(PY) manage.py demo_logins
	HOST=$(HOST) PORT=$(PORT) $(PY) manage.py notify_dispatch
	HOST=$(HOST) PORT=$(PORT) ONEWINDOW_PERIODIC_THREAD=1 $(PY) manage.py runserver $(HOST):$(PORT)

## make serve: the production profile here: PostgreSQL, gunicorn, Celery worker and beat on Redis
serve: setup
	HOST=$(HOST) PORT=$(PORT) bash scripts/serve.sh

setup:
	bash scripts/bootstrap.sh

## make test: the whole suite (lint, types, migrations, pytest on SQLite and PostgreSQL)
test:
	bash scripts/bootstrap.sh --test
	bash scripts/test.sh

## make lint: ruff, formatting, types, the import contracts (.importlinter) and no binaries
lint:
	bash scripts/lint.sh

format:
	.venv/bin/ruff format src bench && .venv/bin/ruff check --fix src bench

messages:
	cd src/onewindow && ../../$(PY) ../../manage.py makemessages -l zh_Hans -l en --no-obsolete
	cd src/onewindow && ../../$(PY) ../../manage.py compilemessages

## make bench: the benchmark suite (bench/run.py), each figure against a baseline of the same run:
##   DB=sqlite|postgres SCALE=demo|<cases> ROUNDS=20 [CITY_DB=<database>] [WORKERS=1,2]
##   [TASKS=celery: background work queued on the bench's own Redis db, as in production]
##   compare two runs: .venv/bin/python bench/compare.py var/bench/a.json var/bench/b.json
DB ?= sqlite
SCALE ?= demo
ROUNDS ?= 20
bench: setup
	$(PY) -m bench --db $(DB) --scale $(SCALE) --rounds $(ROUNDS) \
		$(if $(CITY_DB),--city-db $(CITY_DB)) $(if $(WORKERS),--workers $(WORKERS)) \
		$(if $(TASKS),--tasks $(TASKS))

## make bench-search: the catalogue search alone, on 1,000 generated items
bench-search: setup
	$(PY) bench/bench_search.py

clean:
	rm -rf var .venv node_modules src/onewindow/static/vendor
