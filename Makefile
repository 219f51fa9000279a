# py2distro — two entry points that work on a fresh Debian 12 machine, as root:
#   make demo   runs the pipeline on the built-in example (examples/hello-py2distro)
#   make test   runs the whole test suite
# Both install what they need (Debian packages, npm packages) first.

SHELL := /bin/bash
# A test that hangs fails after 15 minutes instead of eating CI's 90-minute budget.
NODE_TEST := node --import tsx --test --test-reporter=spec --test-timeout=900000
# Debian packages the tests and the demo use as tools and as judges.
SYSTEM_PACKAGES := podman runc mmdebstrap lintian rpm rpmlint createrepo-c dnf apt-utils gpg gpgv \
	xz-utils zstd dpkg-dev debhelper dh-python python3-all python3-all-dev python3-setuptools python3-wheel \
	pybuild-plugin-pyproject python3-stdeb ca-certificates curl openssl
# Tests and the demo point podman at runc + lower ulimits (see test/fixtures/containers.conf).
export CONTAINERS_CONF ?= $(CURDIR)/test/fixtures/containers.conf

.PHONY: all deps system-deps node-deps build check-layers test test-unit test-integration demo images bench clean

all: build

system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  if [ "$$(id -u)" != 0 ]; then echo "run as root (or install: $$missing)"; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

node-deps: node_modules/.package-lock.json

deps: system-deps node-deps

build: node-deps
	npx tsc -p tsconfig.json
	node scripts/build-config-validator.mjs
	node scripts/build-openpgp-cache.mjs

# Builder images are reused when their Dockerfile hash tag exists, built otherwise.
images: deps build
	bin/py2distro images build --target debian-bookworm --target debian-trixie --target rpmtest-bookworm

UNIT_TESTS = $(shell find test/unit -name '*.test.ts' | sort)
INTEGRATION_TESTS = $(shell find test/integration -name '*.test.ts' | sort)

# The layer rules of docs/ARCHITECTURE.md: imports point down, stages are entered by their door, no cycle.
check-layers:
	node scripts/check-layers.mjs

test-unit: deps build check-layers
	$(NODE_TEST) $(UNIT_TESTS)

test-integration: deps build images
	$(NODE_TEST) --test-concurrency=2 $(INTEGRATION_TESTS)

# Images first (a no-op when their tags exist): integration tests also use the bootstrapped base
# image as a clean apt client, whatever order they run in.
test: check-layers deps build images
	$(NODE_TEST) --test-concurrency=2 $(UNIT_TESTS) $(INTEGRATION_TESTS)

demo: deps build
	bash scripts/demo.sh

bench: deps build
	bash bench/run-all.sh

clean:
	rm -rf dist demo-out test/.work
