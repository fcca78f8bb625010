# Every target runs from a fresh clone; see README.md.
GO ?= go
# gotestsum runs `go test` and ends with a list of the skipped tests and why (the PostgreSQL
# ones when APICEMU_TEST_POSTGRES is not set).
GOTESTSUM ?= $(GO) run gotest.tools/gotestsum@v1.13.0 --format pkgname --format-hide-empty-pkg --

.PHONY: conformance-selftest bench-decode all generate check-generated test vet fmt-check bench run lint breaking conformance docs-assets-check browser-check abuse

all: generate test

## generate: regenerate the packages in generated/ from spec/, and the ogen code the decode
## benchmark compares against (conformance/ogenbench, its own module)
generate:
	$(GO) run ./generator/cmd/apicgen generate
	cd conformance/ogenbench && $(GO) generate ./...

## check-generated: fail, with a diff, if generated/ does not match spec/
check-generated:
	$(GO) run ./generator/cmd/apicgen check

## fmt-check: fail if hand-written Go code is not gofmt-formatted
fmt-check:
	@out=$$(git ls-files '*.go' | grep -v '\.gen\.go$$' | grep -v '^generated/' | xargs gofmt -l); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

## lint: the spec linter (rules: go run ./spec/lint/cmd/apiclint --help) and Spectral's spectral:oas
lint:
	$(GO) run ./spec/lint/cmd/apiclint --warnings summary
	scripts/spectral.sh

## breaking: what would break code that embeds the generated clients, between BASE and the tree
breaking:
	@test -n "$(BASE)" || { echo "usage: make breaking BASE=<git ref>"; exit 2; }
	$(GO) run ./spec/lint/cmd/apicbreaking $(BASE)

## docs-assets-check: fail if the embedded Swagger UI files differ from the package package-lock.json pins
docs-assets-check:
	scripts/docs-assets.sh --check

## browser-check: the docs page and the conformance HTML report in headless Chromium, with screenshots (installs chromium)
browser-check:
	scripts/browser-check.sh

## test: everything CI runs
test: check-generated fmt-check vet lint docs-assets-check
	$(GOTESTSUM) -count=1 ./...
	cd server/sdktest && $(GO) test -count=1 ./...
	cd conformance/ogenbench && $(GO) test -count=1 -bench . -benchtime=1x ./...
	cd examples/quickstart && $(GO) vet ./...

## bench: validator benchmarks (generated decode+validate against kin-openapi)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./conformance/...

## bench-decode: the generated DecodeJSON against ogen's code for the same specs, per documented
## create body, 10 runs each, compared with benchstat (BENCHTIME, COUNT to change the defaults)
BENCHTIME ?= 0.5s
COUNT ?= 10
bench-decode:
	cd conformance/ogenbench && $(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -count $(COUNT) ./... > bench-decode.txt
	cd conformance/ogenbench && $(GO) run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da -col /impl bench-decode.txt

## run: the emulator on its embedded SQLite store (data/apicemu.db) and built-in fixtures
run:
	$(GO) run ./server/cmd/apicemu

## abuse: the attack catalog against a fresh emulator build on loopback (SHORT=1: the CI version)
abuse:
	scripts/abuse.sh

## conformance-selftest: every deliberate deviation of conformance/selftest is noticed by the suite (also part of make test)
conformance-selftest:
	$(GO) test -count=1 -v -run TestEveryDeviationIsNoticed ./conformance/selftest/

## conformance: the conformance suite against the in-process emulator (a live target: go run ./conformance/cmd/apicconf --help)
conformance:
	$(GO) run ./conformance/cmd/apicconf
