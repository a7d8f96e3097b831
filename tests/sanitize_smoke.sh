#!/usr/bin/env bash
# tests/sanitize_smoke.sh BUILD_DIR PYTHON
#
# After `make test-sanitize` built the C side with ASan + UBSan in BUILD_DIR: imports pymic2
# from that build's extension module together with the sources in python/pymic2, exercises
# streams, events, transfers, kernel invocation, OffloadArray ops and error paths, and exits
# non-zero on a failed check or on any sanitizer report.
#
# The interpreter is not instrumented, so libasan is preloaded; `-S` keeps site-packages'
# .pth hooks (an editable pymic2 install) from importing another build, and PYTHONPATH adds
# the assembled package and site-packages (for NumPy) instead.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 BUILD_DIR PYTHON" >&2
    exit 2
fi
build_dir=$(realpath "$1")
python=$2
repo=$(cd "$(dirname "$0")/.." && pwd)

extension=$(find "$build_dir" -name '_core.*.so' -print -quit)
core_library=$(find "$build_dir" -maxdepth 1 -name 'libpymic2.so' -print -quit)
if [ -z "$extension" ] || [ -z "$core_library" ]; then
    echo "$0: no _core extension or libpymic2.so in $build_dir; build it first" >&2
    exit 2
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# The package as an install would lay it out, from symlinks: sources, extension, lib, headers.
package="$scratch/site/pymic2"
mkdir -p "$package/lib"
for entry in "$repo"/python/pymic2/*; do
    ln -s "$entry" "$package/"
done
ln -s "$extension" "$package/"
ln -s "$core_library" "$package/lib/"
ln -s "$repo/include" "$package/include"

# A kernel library for invoke: scale(x, n, factor) and an int64 sum into a result.
gcc -O1 -g -fPIC -shared -I"$repo/include" -o "$scratch/libsmoke_kernels.so" -x c - <<'EOF'
#include <pymic_kernel.h>
PYMIC_KERNEL void scale(double *x, const int64_t *n, const double *factor)
{
    for (int64_t i = 0; i < *n; i++)
        x[i] *= *factor;
}
PYMIC_KERNEL void sum_int64(const int64_t *x, const int64_t *n, int64_t *result)
{
    int64_t total = 0;
    for (int64_t i = 0; i < *n; i++)
        total += x[i];
    *result = total;
}
EOF

purelib=$("$python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
log="$scratch/sanitizer"
status=0
LD_PRELOAD="$(gcc -print-file-name=libasan.so)" \
ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:use_sigaltstack=0:log_path=$log" \
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$log" \
PYTHONPATH="$scratch/site:$purelib" \
    "$python" -S - "$scratch" "$build_dir" 2>"$scratch/stderr" <<'EOF' || status=$?
import os
import sys

import numpy as np

scratch, build_dir = sys.argv[1], sys.argv[2]
import pymic2 as pymic
import pymic2._core

# The package and extension under test are the assembled ones, not an installed copy.
assert pymic.__file__.startswith(scratch), pymic.__file__
assert os.path.realpath(pymic2._core.__file__).startswith(build_dir), pymic2._core.__file__


def host(offload_array):
    """The array's data, copied back from the device."""
    offload_array.update_host()
    offload_array.stream.sync()
    return offload_array.array


device = pymic.devices[0]
stream = device.get_default_stream()
library = device.load_library(os.path.join(scratch, "libsmoke_kernels.so"))

# Transfers: bind copies in, update_host copies back into the bound array.
values = np.linspace(-1.0, 1.0, 1001)
expected = values.copy()
offload = stream.bind(values)
stream.sync()  # the copy-in reads values asynchronously
values[:] = 0.0
offload.update_host()
stream.sync()
assert np.array_equal(values, expected)

# Invoke with a buffer, an int and a float.
stream.invoke(library.scale, offload, values.size, 3.0)
offload.update_host()
stream.sync()
assert np.array_equal(values, expected * 3.0)

integers = np.arange(10_000, dtype=np.int64)
result = np.zeros(1, dtype=np.int64)
offload_integers, offload_result = stream.bind(integers), stream.bind(result)
stream.invoke(library.sum_int64, offload_integers, integers.size, offload_result)
offload_result.update_host()
stream.sync()
assert result[0] == integers.sum(), (result, integers.sum())

# A second stream, ordered against the default one by events in both directions.
other = pymic.OffloadStream(device)
other_values = np.ones(4096)
offload_other = other.bind(other_values)  # copy-in on `other`
stream.wait_event(pymic.Event(device).record(other))
stream.invoke(library.scale, offload_other, other_values.size, 0.5)
other.wait_event(pymic.Event(device).record(stream))
offload_other.update_host()  # on `other`, after the kernel
other.sync()
assert np.array_equal(other_values, np.full(4096, 0.5))

# OffloadArray ops against NumPy.
a = np.arange(1, 257, dtype=np.float64)
b = np.linspace(0.0, 2.0, 256)
offload_a, offload_b = stream.bind(a), stream.bind(b)
for name, result, reference in (
        ("add", offload_a + offload_b, a + b),
        ("sub", offload_a - offload_b, a - b),
        ("mul", offload_a * offload_b, a * b),
        ("pow", offload_a ** 2.0, a ** 2.0),
        ("neg", -offload_b, -b)):
    assert np.allclose(host(result), reference), name
filled = stream.empty((64,), dtype=np.float64)
filled.fill(2.5)
assert np.array_equal(host(filled), np.full(64, 2.5))
zeros = stream.zeros((3, 5), dtype=np.int64)
assert np.array_equal(host(zeros), np.zeros((3, 5), dtype=np.int64))
stream.sync()

# A host array passed to invoke is copied in and back around the call.
host_only = np.arange(8.0)
stream.invoke(library.scale, host_only, host_only.size, 2.0)
assert np.array_equal(host_only, np.arange(8.0) * 2.0)

# Error paths must raise, not crash.
raw = stream.allocate_device_memory(4096)


def over_the_limit():
    device.memory_pool.set_limit(1 << 20)
    try:
        stream.empty((1 << 18,))  # 2 MiB
    finally:
        device.memory_pool.set_limit(0)


not_a_library = os.path.join(scratch, "libnot_a_library.so")
with open(not_a_library, "w") as text:
    text.write("not ELF\n")

for bad in (lambda: device.load_library(os.path.join(scratch, "missing.so")),
            lambda: device.load_library(not_a_library),
            lambda: library.no_such_kernel,
            lambda: stream.transfer_host2device(np.zeros(1024), raw, 8192),
            lambda: stream.transfer_device2host(raw, np.zeros(512), 4096, offset_device=8),
            over_the_limit):
    try:
        bad()
    except (pymic.OffloadError, ValueError, MemoryError):
        pass
    else:
        raise AssertionError("an error path did not raise")

# NumPy-style arrays on every device (opencl:0 too when a platform exists): elementwise
# with broadcasting, a reduction, a product, a gather, and a mixed-device error.
rng = np.random.default_rng(7)
x_host, y_host = rng.random((33, 17)), rng.random(17)
for array_device in pymic.devices:
    x = pymic.asarray(x_host, device=array_device)
    y = pymic.asarray(y_host, device=array_device)
    assert np.allclose((x * y + 1.0).get(), x_host * y_host + 1.0), array_device
    assert np.allclose(float(pymic.sum(x)), x_host.sum()), array_device
    assert np.allclose((x @ x.T).get(), x_host @ x_host.T), array_device
    picked = x[pymic.asarray(np.array([3, 0, 32]), device=array_device)]
    assert np.array_equal(picked.get(), x_host[[3, 0, 32]]), array_device
if len(pymic.devices) > 1:
    try:
        pymic.asarray(x_host, device=pymic.devices[0]) + pymic.asarray(
            x_host, device=pymic.devices[1])
    except ValueError:
        pass
    else:
        raise AssertionError("mixing devices did not raise")

# A stream dropped while it holds an unreported asynchronous error: the error is reported
# once, the stream destroyed once (it used to be destroyed twice: a use after free).
reported = []
sys.unraisablehook = lambda info: reported.append(info.exc_type)
for array_device in pymic.devices:
    dropped = array_device.create_stream()
    x = pymic.asarray(np.arange(10.0), device=array_device, stream=dropped)
    bad = x[pymic.asarray(np.array([50]), device=array_device, stream=dropped)]
    del bad, x
    del dropped
sys.unraisablehook = sys.__unraisablehook__
assert reported == [IndexError] * len(pymic.devices), reported

stream.deallocate_device_memory(raw)
del offload, offload_integers, offload_result, offload_other, offload_a, offload_b
stream.sync()
print("sanitize smoke: streams, events, transfers, invoke, OffloadArray and ndarray ops passed")
EOF

cat "$scratch/stderr" >&2
# Reports go to the log files, but a runtime loaded on its own may still print to stderr.
reports=$(find "$scratch" -maxdepth 1 -name 'sanitizer.*' -print)
if [ -n "$reports" ] || grep -qE 'runtime error:|ERROR: [A-Za-z]+Sanitizer' "$scratch/stderr"; then
    echo "$0: sanitizer reports:" >&2
    [ -z "$reports" ] || cat $reports >&2
    exit 1
fi
if [ "$status" -ne 0 ]; then
    echo "$0: the smoke test failed (exit status $status)" >&2
    exit "$status"
fi
