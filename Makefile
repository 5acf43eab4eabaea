# Régua — the two commands that matter are `make run` and `make test`.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/regua/regua/internal/app.Version=$(VERSION)

.PHONY: help run test lint bench build services migrate

help: ## show this help
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

services: ## make sure PostgreSQL and Redis run locally and the database exists
	@bash scripts/services.sh

build: ## build the regua binary into bin/
	@$(GO) build -ldflags "$(LDFLAGS)" -o bin/regua ./cmd/regua

run: services build ## start PostgreSQL/Redis, migrate, seed demo data, serve on :8080 (demo mode)
	@REGUA_DEMO=$${REGUA_DEMO:-true} ./bin/regua serve

test: ## start PostgreSQL/Redis (and install Chromium), then run every test
	@bash scripts/services.sh --with-browser
	@$(GO) test -count=1 ./...

lint: ## gofmt, go vet, and go.mod/go.sum as go mod tidy leaves them
	@$(GO) mod tidy -diff || (echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1)
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1)
	@$(GO) vet ./...

bench: services ## run the benchmarks (compare runs with benchstat)
	@$(GO) test -run '^$$' -bench . -benchmem -count=1 ./...

migrate: services build ## apply database migrations
	@./bin/regua migrate
