# Minhu 民呼: two commands set everything up on a fresh machine.
#
#   make run     the platform with a demo city on SQLite, at http://127.0.0.1:8000/
#   make test    ruff, then the tests on SQLite and on PostgreSQL (when reachable)
#
# ARGS passes arguments on: make run ARGS="--port 9000", make test ARGS="-k workcal -x".

ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help run test venv lint

help:
	@echo "make run    启动平台（演示城市，SQLite）/ run the platform with a demo city"
	@echo "make test   运行检查与测试 / lint and run the tests (SQLite, PostgreSQL)"
	@echo "make venv   只创建或更新 .venv / only set up .venv"
	@echo "make lint   ruff check minhu"
	@echo 'ARGS="..."  传给 minhu serve 或 pytest 的参数 / passed on to minhu serve or pytest'

run:
	bash scripts/run.sh $(ARGS)

test:
	bash scripts/test.sh $(ARGS)

venv:
	bash scripts/bootstrap.sh

lint: venv
	.venv/bin/ruff check minhu
