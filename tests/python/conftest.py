"""Fixtures for the pymic2 Python tests.

Two host devices are configured before pymic2 is imported (the device count is fixed at
initialisation), so cross-device errors can be tested in-process.

The suite runs on one device, PYMIC2_TEST_DEVICE (default host:0), which becomes the
default device of every array the tests make. On host:0 OpenCL is hidden (PYMIC2_OPENCL=0:
exactly the two host devices). `make test-python` runs the whole suite on host:0 and then
again on opencl:0 when an OpenCL platform exists. Tests that are host-only by nature skip on
other devices, saying why (HOST_ONLY_TESTS).
"""

import os
import re
import subprocess
import sys
import textwrap

#: The device the suite runs on.
TEST_DEVICE = os.environ.get("PYMIC2_TEST_DEVICE", "host:0")
os.environ["PYMIC2_HOST_DEVICES"] = "2"
if TEST_DEVICE.startswith("host"):
    os.environ["PYMIC2_OPENCL"] = "0"
    os.environ.pop("PYMIC2_DEVICE", None)  # host:0
else:
    os.environ.pop("PYMIC2_OPENCL", None)
    os.environ["PYMIC2_DEVICE"] = TEST_DEVICE

import numpy  # noqa: E402
import pytest  # noqa: E402

import pymic2  # noqa: E402

KERNEL_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernels")

#: The dtypes the pyMIC API promises.
DTYPES = [numpy.int32, numpy.int64, numpy.float32, numpy.float64, numpy.complex128]


@pytest.fixture(scope="session")
def kernel_dir(tmp_path_factory):
    """A directory with libtest_kernels.so, built from tests/python/kernels/*.c."""
    out = tmp_path_factory.mktemp("kernels")
    sources = sorted(os.path.join(KERNEL_DIR, f) for f in os.listdir(KERNEL_DIR)
                     if f.endswith(".c"))
    command = ["gcc", "-O2", "-fPIC", "-shared", "-I" + pymic2.get_include(), *sources,
               "-o", str(out / "libtest_kernels.so")]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(command)}\n{result.stderr}"
    return out


@pytest.fixture(scope="session")
def kernel_path(kernel_dir):
    return str(kernel_dir / "libtest_kernels.so")


ON_HOST = pymic2.default_device().backend == "host"
#: The name of the device the suite runs on ("host:0", "opencl:0").
DEVICE_NAME = pymic2.default_device().name


def names_both(other):
    """A pattern for a message naming the suite's device and device `other`, in either
    order (an operation mixing two devices must say which)."""
    this, that = re.escape(DEVICE_NAME), re.escape(other)
    return f"{this}.*{that}|{that}.*{this}"


# Tests that are host-only by nature, skipped on other devices: (file, test name prefix) ->
# why. Kept here so that the test files stay device-neutral.
_DLPACK_EXPORT = ("DLPack export shares CPU memory; OpenCL memory is not addressable by the "
                  "CPU (export refusal is tested in test_opencl.py)")
_ADDRESSES = "device addresses exist on host devices only (a cl_mem has none)"
HOST_ONLY_TESTS = {
    ("test_devices.py", "test_"): "checks the host pass's registry of exactly two host devices",
    ("test_dlpack.py", "test_dlpack_device_is_cpu"): _DLPACK_EXPORT,
    ("test_dtypes_integer.py", "test_dlpack_export"): _DLPACK_EXPORT,
    ("test_dtypes_complex64.py", "test_dlpack_export"): _DLPACK_EXPORT,
    ("test_dlpack.py", "test_numpy_reads_device_memory"): _DLPACK_EXPORT,
    ("test_dlpack.py", "test_writes_through_the_numpy_view"): _DLPACK_EXPORT,
    ("test_dlpack.py", "test_the_capsule_keeps"): _DLPACK_EXPORT,
    ("test_dlpack.py", "test_unconsumed_capsules"): _DLPACK_EXPORT,
    ("test_dlpack.py", "test_exports_leave"): _DLPACK_EXPORT,
    ("test_dlpack.py", "test_protocol_arguments"): _DLPACK_EXPORT,
    ("test_dlpack.py", "test_from_dlpack"): _ADDRESSES + " (import reads them)",
    ("test_memory.py", "test_translate_"): _ADDRESSES,
    ("test_invoke.py", "test_"): "user kernels here are shared objects (test_opencl.py invokes .cl)",
    ("test_examples.py", "test_"): "the examples' kernels are shared objects",
    ("test_random.py", "test_thread_count"): "PYMIC2_NUM_THREADS sizes host thread teams",
    ("test_team_policy.py", "test_an_idle_process"): "checks the host team's and workers' spin",
    ("test_team_policy.py", "test_bad_blocktime"): "PYMIC2_BLOCKTIME_US configures host devices",
}


def pytest_collection_modifyitems(items):
    if ON_HOST:
        return
    for item in items:
        file = os.path.basename(str(item.fspath))
        for (where, prefix), reason in HOST_ONLY_TESTS.items():
            if file == where and item.name.startswith(prefix):
                item.add_marker(pytest.mark.skip(reason=f"host devices only: {reason}"))
                break


@pytest.fixture
def device():
    return pymic2.default_device()


@pytest.fixture
def stream(device):
    stream = device.get_default_stream()
    yield stream
    stream.sync()


@pytest.fixture
def library(device, kernel_path):
    if device.backend != "host":
        pytest.skip(f"host devices only: the test kernels are a shared object, {device} loads "
                    f"OpenCL C sources (test_opencl.py tests those)")
    return device.load_library(kernel_path)


@pytest.fixture
def pool_unchanged(device):
    """Asserts that a test leaves the pool's used bytes where they were."""
    import gc

    gc.collect()
    device.get_default_stream().sync()
    before = device.memory_pool.used_bytes()
    yield
    gc.collect()
    device.get_default_stream().sync()
    assert device.memory_pool.used_bytes() == before


def run_python(code, **env):
    """Runs code in a fresh interpreter with extra environment variables; returns stdout.
    (With an editable install the child's import may rebuild the extension: hence the long
    timeout.)"""
    full_env = dict(os.environ, **env)
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                            text=True, env=full_env, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def assert_same(device_result, expected):
    """Values and dtype of a device array equal a NumPy result (tolerance for floats)."""
    host = device_result.get()
    expected = numpy.asarray(expected)
    assert host.dtype == expected.dtype, (host.dtype, expected.dtype)
    assert host.shape == expected.shape
    if expected.dtype.kind in "fc":
        # by the precision of the parts: complex64 is float32's (the host computes it in
        # double and rounds, NumPy in float: the last bit may differ)
        single = numpy.finfo(expected.dtype).bits <= 32
        numpy.testing.assert_allclose(host, expected, rtol=1e-6 if single else 1e-12, atol=0)
    else:
        numpy.testing.assert_array_equal(host, expected)
