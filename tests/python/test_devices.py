"""Devices, selectors, the default device and the error type."""

import threading

import pytest

import pymic2
from conftest import run_python


def test_devices_are_indexable_and_counted():
    n = pymic2.number_of_devices()
    assert n == len(pymic2.devices) == 2  # PYMIC2_HOST_DEVICES=2 (conftest)
    for i in range(n):
        device = pymic2.devices[i]
        assert device.device_id == i
        assert device.name == f"host:{i}"
        assert device.backend == "host"
        assert device.num_threads >= 1
    with pytest.raises(IndexError):
        pymic2.devices[n]


def test_selectors_find_devices():
    assert pymic2.get_device("host:1") is pymic2.devices[1]
    assert pymic2.get_device("1") is pymic2.devices[1]
    assert pymic2.get_device(pymic2.devices[0]) is pymic2.devices[0]
    assert pymic2.get_device() is pymic2.devices[0]
    assert pymic2.default_device() is pymic2.devices[0]


@pytest.mark.parametrize("selector", ["host:7", "opencl:0", "gpu", "-1"])
def test_unknown_selector_names_it(selector):
    with pytest.raises((ValueError, pymic2.OffloadError), match=selector.split(":")[0]):
        pymic2.get_device(selector)


def test_offload_error_is_a_runtime_error():
    assert issubclass(pymic2.OffloadError, RuntimeError)


def test_default_device_from_environment():
    out = run_python("""
        import pymic2
        print(pymic2.default_device().name)
        print(pymic2.ndarray(3).device.name)
    """, PYMIC2_HOST_DEVICES="2", PYMIC2_DEVICE="host:1")
    assert out.split() == ["host:1", "host:1"]


def test_with_device_sets_the_current_threads_default():
    outer_default = pymic2.default_device()
    other = pymic2.get_device("host:1" if outer_default.name != "host:1" else "host:0")
    with pymic2.using_device(other.name) as current:
        assert current is other and pymic2.default_device() is other
        assert pymic2.zeros(3).device is other and pymic2.ndarray(2).device is other
        seen_elsewhere = []
        worker = threading.Thread(target=lambda: seen_elsewhere.append(pymic2.default_device()))
        worker.start()
        worker.join()
        assert seen_elsewhere == [outer_default]  # per thread, as CuPy's current device
        with outer_default:
            assert pymic2.asarray([1.0]).device is outer_default
        assert pymic2.default_device() is other
    assert pymic2.default_device() is outer_default
    with pytest.raises(KeyError):
        with other:
            raise KeyError("leaves the block")
    assert pymic2.default_device() is outer_default
    with pytest.raises(pymic2.OffloadError, match="no-such-device"):
        pymic2.using_device("no-such-device:0")


def test_default_stream_is_one_object(device):
    assert device.get_default_stream() is device.get_default_stream()
    assert device.default_stream is device.get_default_stream()


def test_create_stream_really_creates_one(device):
    s1, s2 = device.create_stream(), device.create_stream()
    assert s1 != s2
    assert s1 != device.get_default_stream()
    assert s1.device is device


def test_repr_names_device(device):
    assert "host:0" in repr(device)
    assert str(device) == "host:0"


def test_get_include_has_headers():
    import os

    for header in ("pymic2.h", "pymic_kernel.h", "pymic2_ops.h"):
        assert os.path.isfile(os.path.join(pymic2.get_include(), header))


def test_selector_strings_accepted_where_devices_are():
    s = pymic2.OffloadStream("host:1")
    assert s.device is pymic2.devices[1]
    a = pymic2.OffloadArray((2,), device="host:1")
    assert a.device is pymic2.devices[1]
