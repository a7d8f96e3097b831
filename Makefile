# User-facing commands. `make demo` and `make test` work on a fresh Debian 12 machine:
# they install the system packages (apt-get), create .venv, install the Python packages,
# build pyMIC2 with meson-python and run.

VENV      ?= .venv
PYTHON    := $(VENV)/bin/python
SYSPYTHON ?= python3
STAMPS    := .stamps
ASAN_DIR  := build/asan
SUDO      := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# meson-python runs `meson` and `ninja` from PATH: the venv's.
export PATH := $(abspath $(VENV))/bin:$(PATH)

# Debian packages the build, the tests and the examples need (dataset-fashion-mnist: the
# MNIST job's default data, read from /usr/share/datasets/fashion-mnist).
APT_PACKAGES := gcc make pkg-config ninja-build python3-dev python3-venv \
                libopenblas-dev dataset-fashion-mnist ocl-icd-opencl-dev pocl-opencl-icd \
                libclblast-dev

.PHONY: all demo examples test test-c test-python test-sanitize bench build deps clean

all: build

deps: $(STAMPS)/apt $(STAMPS)/venv

$(STAMPS)/apt:
	@mkdir -p $(STAMPS)
	@if dpkg -s $(APT_PACKAGES) >/dev/null 2>&1; then \
	  echo "system packages: already installed"; \
	else \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(APT_PACKAGES); \
	fi
	@touch $@

$(STAMPS)/venv: requirements-dev.txt constraints-build.txt $(STAMPS)/apt
	$(SYSPYTHON) -m venv $(VENV)
	$(PYTHON) -m pip install -q --upgrade pip
	$(PYTHON) -m pip install -q --build-constraint constraints-build.txt -r requirements-dev.txt
	@touch $@

# The package, built and installed into .venv (no build isolation: the venv has the tools).
# A fixed build directory keeps meson's objects, so a rebuild compiles only what changed.
build: deps
	$(PYTHON) -m pip install -q --no-build-isolation --no-deps -Cbuild-dir=build/py .

test: build test-c test-python

# The C tests are built with the package (one meson build, the release build users run), so
# they cost no second compile of the library.
test-c: build
	$(VENV)/bin/meson test -C build/py --print-errorlogs

# The whole suite on host:0, then again on opencl:0 when an OpenCL platform exists (issue 5:
# every device passes the same NumPy oracle). Host-only tests skip there, saying why. On a
# fresh machine the opencl:0 pass compiles every kernel program it uses (about 415; PoCL's
# compiler runs on one thread): two pytest processes take about 2 minutes here; 40 s once
# the kernel caches are warm. The host pass stays in one process (it times streams).
test-python: build
	cd tests/python && ../../$(PYTHON) -m pytest -q
	@if $(PYTHON) -c "import pymic2, sys; sys.exit(not any(d.backend == 'opencl' for d in pymic2.devices))"; then \
	  cd tests/python && PYMIC2_TEST_DEVICE=opencl:0 ../../$(PYTHON) -m pytest -q -n 2; \
	else echo "test-python: no OpenCL device, the opencl:0 pass is skipped"; fi

# The paper's MLP trained with Chainer on the default device (PYMIC2_DEVICE), Fashion-MNIST.
demo: build
	$(PYTHON) -m pymic2.mnist

# The example kernel libraries, built against the installed package's headers.
examples: build
	$(MAKE) -C examples PYTHON=$(abspath $(PYTHON))

# Python-level and C-level runtime benchmarks; CSV files land in bench/results/.
bench: build
	$(PYTHON) -m pymic2.bench runtime
	@[ -d build/bench ] || $(VENV)/bin/meson setup build/bench --buildtype=release -Dpython.install_env=auto >/dev/null
	$(VENV)/bin/meson compile -C build/bench bench/bench_runtime bench/bench_empty_kernel
	build/bench/bench/bench_runtime --csv bench/results/runtime_c.csv

# C tests and a Python smoke test with AddressSanitizer and UBSan. PoCL's worker threads
# leave ASan unable to unmap its own per-thread signal stacks when they exit (an ASan CHECK
# failure, not a report on our code), so ASan runs without alternate signal stacks.
ASAN_OPTIONS := halt_on_error=1:abort_on_error=1:print_summary=1:use_sigaltstack=0
test-sanitize: deps
	@[ -d $(ASAN_DIR) ] || $(VENV)/bin/meson setup $(ASAN_DIR) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
	$(VENV)/bin/meson compile -C $(ASAN_DIR)
	ASAN_OPTIONS=$(ASAN_OPTIONS) $(VENV)/bin/meson test -C $(ASAN_DIR) --print-errorlogs
	tests/sanitize_smoke.sh $(ASAN_DIR) $(PYTHON)

clean:
	rm -rf build $(STAMPS) $(VENV)
