"""Fixtures for the pymic2 Python tests.

Two host devices are configured before pymic2 is imported (the device count is fixed at
initialisation), so cross-device errors can be tested in-process; the default device is
host:0.
"""

import os
import subprocess
import sys
import textwrap

os.environ["PYMIC2_HOST_DEVICES"] = "2"
os.environ.pop("PYMIC2_DEVICE", None)  # the tests expect host:0 as the default device

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


@pytest.fixture
def device():
    return pymic2.devices[0]


@pytest.fixture
def stream(device):
    stream = device.get_default_stream()
    yield stream
    stream.sync()


@pytest.fixture
def library(device, kernel_path):
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
        numpy.testing.assert_allclose(host, expected, rtol=1e-6 if expected.dtype.itemsize <= 4
                                      else 1e-12, atol=0)
    else:
        numpy.testing.assert_array_equal(host, expected)
