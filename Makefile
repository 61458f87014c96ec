# Two commands do everything: `make run` starts the whole system, `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test unit test-cluster bench clean-data demo-reset report help

help:
	@echo "make run   - start RabbitMQ (if needed), SecantusDB, every service; Ctrl-C stops"
	@echo "make test  - run the whole test suite against the real broker and database"
	@echo "make unit  - run the unit tests only (no broker, no database)"
	@echo "make test-cluster - only the three-node RabbitMQ cluster fault tests (part of make test)"
	@echo "make bench [BENCH=--quick] - the benchmarks; figures in bench/results/latest.md"
	@echo "make demo-reset - with make run stopped: delete local data so the demo loads again"
	@echo "make report PERIOD=2026-Q3 [COMMUNITY=天宝社区] - the office report as .xlsx and .pdf"

$(VENV)/.installed: pyproject.toml deploy/bootstrap.sh
	@bash deploy/bootstrap.sh $(VENV)
	@touch $@

run: $(VENV)/.installed
	@$(PY) deploy/run.py

test: $(VENV)/.installed
	@bash deploy/ensure-rabbitmq.sh
	@$(PY) -m tests.parallel

unit: $(VENV)/.installed
	@$(PY) -m pytest tests/unit

# Part of `make test`; alone when working on the broker side (about three minutes).
test-cluster: $(VENV)/.installed
	@bash deploy/ensure-rabbitmq.sh
	@$(PY) -m pytest tests/faults/test_broker_cluster.py

bench: $(VENV)/.installed
	@bash deploy/ensure-rabbitmq.sh
	@$(PY) -m bench $(BENCH)

clean-data:
	rm -rf .xiuhua

demo-reset: $(VENV)/.installed
	@$(PY) deploy/demo.py reset

report: $(VENV)/.installed
	@$(PY) deploy/report.py $(or $(PERIOD),$(shell date +%Y)) $(if $(COMMUNITY),--community $(COMMUNITY)) --out reports
