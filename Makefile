# Portcullis: every entry point a developer or CI needs. The README's two
# commands, `make start` and `make test`, do all set-up on a fresh machine.

BIN := node_modules/.bin
# Installed once per change of the lockfile: better-sqlite3 builds from source (about a minute).
STAMP := node_modules/.install-stamp

.PHONY: start test install build typecheck lint vitest bench bench-smoke lock clean

start: build
	node dist/kernel/main.js

test: typecheck lint build vitest

install: $(STAMP)

$(STAMP): package.json package-lock.json sdk-plugin/package.json
	npm ci --no-audit --no-fund
	node scripts/check-native.mjs
	touch $(STAMP)

build: install
	$(BIN)/tsc -b tsconfig.build.json

typecheck: install
	$(BIN)/tsc --noEmit -p tsconfig.json

lint: install
	$(BIN)/eslint .

vitest: install
	$(BIN)/vitest run --reporter=default --reporter=json --outputFile.json=test-results.json
	node scripts/test-summary.mjs test-results.json

# One run of every benchmark: one table, one JSON file in bench/results/ (bench/run.ts).
# The HTTP benches start `node dist/kernel/main.js` as a user would: build first.
bench: build
	$(BIN)/tsx --conditions=source bench/run.ts

bench-smoke: build
	$(BIN)/tsx --conditions=source bench/run.ts --smoke

# After changing dependencies: update the lockfile, then add the optional
# platform entries npm 11.19 leaves out and `npm ci` requires.
# --legacy-peer-deps: better-auth (the bench's peer) declares optional peers for
# every framework it supports, and npm's resolver fails on those it would never
# install (@sveltejs/kit wants vite 8, vitest 3 wants vite 7). `npm ci` is unaffected.
lock:
	npm install --package-lock-only --no-audit --no-fund --legacy-peer-deps
	node scripts/complete-lockfile.mjs

clean:
	rm -rf dist sdk-plugin/dist test-results.json
