# Two commands do everything: `make run` starts the whole system, `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test unit clean-data help

help:
	@echo "make run   - start RabbitMQ (if needed), SecantusDB, every service; Ctrl-C stops"
	@echo "make test  - run the whole test suite against the real broker and database"
	@echo "make unit  - run the unit tests only (no broker, no database)"

$(VENV)/.installed: pyproject.toml deploy/bootstrap.sh
	@bash deploy/bootstrap.sh $(VENV)
	@touch $@

run: $(VENV)/.installed
	@$(PY) deploy/run.py

test: $(VENV)/.installed
	@bash deploy/ensure-rabbitmq.sh
	@$(PY) -m pytest

unit: $(VENV)/.installed
	@$(PY) -m pytest tests/unit

clean-data:
	rm -rf .xiuhua
