"""Libraries and kernel invocation with pyMIC's argument conventions."""

import os
import shutil

import numpy
import pytest

import pymic2
from conftest import run_python


def test_kernel_scales_offload_array(stream, library):
    a = stream.bind(numpy.arange(10.0))
    stream.invoke(library.scale, a, a.size, 2.5)
    a.update_host()
    stream.sync()
    numpy.testing.assert_array_equal(a.array, numpy.arange(10.0) * 2.5)


def test_each_argument_kind(stream, library):
    out = stream.zeros((5,))
    stream.invoke(library.capture, out, 7, 1.5, 2 - 3j, None)
    numpy.testing.assert_array_equal(out.get(), [7.0, 1.5, 2.0, -3.0, 1.0])


def test_numpy_scalars_and_bool_convert(stream, library):
    out = stream.zeros((5,))
    stream.invoke(library.capture, out, numpy.int32(-4), numpy.float32(0.5),
                  numpy.complex128(1j), out)
    numpy.testing.assert_array_equal(out.get()[:4], [-4.0, 0.5, 0.0, 1.0])
    stream.invoke(library.capture, out, True, 1.0, 1j, None)
    assert out.get()[0] == 1.0


def test_numpy_array_copied_in_and_out(stream, library):
    host = numpy.arange(6.0)
    stream.invoke(library.scale, host, 6, -1.0)  # synchronises: the result is there
    numpy.testing.assert_array_equal(host, -numpy.arange(6.0))


def test_non_contiguous_numpy_array_copied_back(stream, library):
    base = numpy.arange(10.0)
    view = base[::2]
    stream.invoke(library.scale, view, 5, 10.0)
    numpy.testing.assert_array_equal(base[::2], numpy.arange(0.0, 10.0, 2) * 10)
    numpy.testing.assert_array_equal(base[1::2], numpy.arange(1.0, 10.0, 2))


def test_int32_array_kernel(stream, library):
    a = stream.bind(numpy.arange(4, dtype=numpy.int32))
    stream.invoke(library.increment_int32, a, 4)
    numpy.testing.assert_array_equal(a.get(), [1, 2, 3, 4])


def test_device_array_view_passes_its_offset(stream, library):
    a = stream.bind(numpy.arange(8.0))
    stream.invoke(library.scale, a[4:], 4, 0.0)
    numpy.testing.assert_array_equal(a.get(), [0, 1, 2, 3, 0, 0, 0, 0])


def test_sixteen_arguments_allowed_seventeen_refused(stream, library):
    out = stream.zeros((1,), dtype=numpy.int64)
    stream.invoke(library.sum15, out, *range(1, 16))
    assert out.get()[0] == sum(range(1, 16))
    with pytest.raises(ValueError, match="17 arguments"):
        stream.invoke(library.sum15, out, *range(1, 17))


def test_unsupported_argument_type(stream, library):
    with pytest.raises(TypeError, match="argument 1 .*str"):
        stream.invoke(library.scale, stream.zeros((1,)), "three", 1.0)


def test_kernel_of_other_device_is_refused(kernel_path, stream):
    other = pymic2.devices[1].load_library(kernel_path)
    with pytest.raises(pymic2.OffloadError, match="scale.*host:1.*host:0"):
        stream.invoke(other.scale, stream.zeros((1,)), 1, 1.0)


def test_unknown_kernel_is_named(library):
    with pytest.raises(pymic2.OffloadError, match="no_such_kernel"):
        library.no_such_kernel


def test_missing_library_is_named(device):
    with pytest.raises(pymic2.OffloadError, match="libmissing_xyz.so"):
        device.load_library("libmissing_xyz.so")


def test_file_that_is_not_a_library(device, tmp_path):
    bogus = tmp_path / "libbogus.so"
    bogus.write_text("this is not an ELF file\n")
    with pytest.raises(pymic2.OffloadError, match="libbogus.so"):
        device.load_library(str(bogus))


def test_library_found_through_search_path(kernel_dir):
    out = run_python("""
        import pymic2
        lib = pymic2.devices[0].load_library("libtest_kernels.so")
        print(lib.path)
        lib2 = pymic2.devices[0].load_library("test_kernels")
        print(lib2.path)
    """, PYMIC_LIBRARY_PATH=str(kernel_dir))
    expected = os.path.join(str(kernel_dir), "libtest_kernels.so")
    assert out.split() == [expected, expected]


def test_pymic2_path_comes_before_pymic_path(kernel_dir, tmp_path):
    first = tmp_path / "first"
    first.mkdir()
    shutil.copy(kernel_dir / "libtest_kernels.so", first / "libtest_kernels.so")
    out = run_python("""
        import pymic2
        print(pymic2.devices[0].load_library("libtest_kernels.so").path)
    """, PYMIC2_LIBRARY_PATH=str(first), PYMIC_LIBRARY_PATH=str(kernel_dir))
    assert out.strip() == str(first / "libtest_kernels.so")


def test_load_several_libraries(device, kernel_path):
    libraries = device.load_library(kernel_path, kernel_path)
    assert len(libraries) == 2
    assert all(isinstance(lib, pymic2.OffloadLibrary) for lib in libraries)


def test_library_survives_until_pending_call_ran(device, kernel_path):
    stream = device.create_stream()
    flag = stream.bind(numpy.zeros(1))
    library = device.load_library(kernel_path)
    stream.invoke(library.sleep_then_set, 100, flag, 9.0)
    del library  # the kernel object (and its library) stay alive in the stream
    import gc

    gc.collect()
    stream.sync()
    assert flag.get()[0] == 9.0


def test_search_path_order(monkeypatch, tmp_path):
    from pymic2._library import search_path

    monkeypatch.setenv("PYMIC2_LIBRARY_PATH", f"{tmp_path}/a{os.pathsep}{tmp_path}/b")
    monkeypatch.setenv("PYMIC_LIBRARY_PATH", f"{tmp_path}/c")
    monkeypatch.chdir(tmp_path)
    package_dir = os.path.dirname(os.path.abspath(pymic2.__file__))
    assert search_path() == [f"{tmp_path}/a", f"{tmp_path}/b", f"{tmp_path}/c", str(tmp_path),
                             package_dir]
