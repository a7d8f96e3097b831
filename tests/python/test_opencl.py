"""The pyMIC API on an OpenCL device (opencl:0): discovery, OffloadArray round trips, .cl
kernel libraries invoked with global/local sizes, errors, and the program disk cache across
processes. Runs when the suite's device is an OpenCL one (PYMIC2_TEST_DEVICE=opencl:0, the
second pass of `make test-python`)."""

import os

import numpy
import pytest

import pymic2
from conftest import DTYPES, run_python

CL_KERNELS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernels_cl",
                          "test_kernels.cl")

_opencl = [d for d in pymic2.devices if d.backend == "opencl"]
pytestmark = pytest.mark.skipif(
    not _opencl, reason="no OpenCL device in this run (PYMIC2_TEST_DEVICE=opencl:0 enables "
    "them; `make test-python` runs that pass when an OpenCL platform exists)")


@pytest.fixture
def cl_device():
    return pymic2.get_device("opencl:0")


@pytest.fixture
def cl_stream(cl_device):
    stream = cl_device.get_default_stream()
    yield stream
    stream.sync()


@pytest.fixture
def cl_library(cl_device):
    return cl_device.load_library(CL_KERNELS)


def test_opencl_devices_follow_host_devices(cl_device):
    hosts = [d for d in pymic2.devices if d.backend == "host"]
    assert cl_device.device_id == len(hosts)
    assert cl_device.name == "opencl:0" and str(cl_device) == "opencl:0"
    assert "driver" in cl_device.description
    assert cl_device.num_threads >= 1 and cl_device.memory_bytes > 0
    assert pymic2.get_device(str(cl_device.device_id)) is cl_device


@pytest.mark.parametrize("dtype", DTYPES)
def test_offload_array_round_trip(cl_stream, dtype):
    host = (numpy.arange(1, 1001) * 3 - 7).astype(dtype)
    if numpy.dtype(dtype).kind == "c":
        host = host + 1j * host[::-1]
    bound = cl_stream.bind(host.copy())
    assert bound.device.name == "opencl:0"
    bound.array[...] = 0  # the device copy is the only one left
    bound.update_host()
    cl_stream.sync()
    numpy.testing.assert_array_equal(bound.array, host)


def test_raw_memory_two_streams_and_an_event(cl_device):
    first, second = cl_device.create_stream(), cl_device.create_stream()
    host = numpy.random.default_rng(1).random(1 << 20)
    nbytes = host.nbytes
    a = first.allocate_device_memory(nbytes + 4096)
    b = second.allocate_device_memory(nbytes)
    first.transfer_host2device(host, a, nbytes, offset_device=4096)
    written = first.record()
    second.wait_event(written)  # only the event orders the two streams
    second.transfer_device2device(a, b, nbytes, offset_device_src=4096)
    back = numpy.zeros_like(host)
    second.transfer_device2host(b, back, nbytes)
    second.sync()
    numpy.testing.assert_array_equal(back, host)
    with pytest.raises(ValueError, match="opencl:0"):
        second.transfer_device2host(b, back, nbytes, offset_device=8)
    first.deallocate_device_memory(a)
    second.deallocate_device_memory(b)


def test_invoke_with_global_and_local_size(cl_stream, cl_library):
    x = numpy.linspace(-1, 1, 1000)
    y = numpy.arange(1000.0)
    oy, ox = cl_stream.bind(y.copy()), cl_stream.bind(x)
    cl_stream.invoke(cl_library.axpy, oy, ox, 2.5, 1000, global_size=1024, local_size=64)
    # the OpenCL compiler may contract a * x + y into one fused multiply-add
    numpy.testing.assert_allclose(oy.get(), y + 2.5 * x, rtol=1e-14, atol=0)
    # NumPy arrays are copied in and out, as for host kernels
    host_y = y.copy()
    cl_stream.invoke(cl_library.axpy, host_y, x, -1.0, 1000, global_size=(1000,))
    numpy.testing.assert_array_equal(host_y, y - x)


def test_invoke_argument_kinds(cl_stream, cl_library):
    out = cl_stream.bind(numpy.full(5, -9.0))
    cl_stream.invoke(cl_library.capture, out, 7, 1.5, 2 - 3j, None, global_size=1)
    numpy.testing.assert_array_equal(out.get(), [7.0, 1.5, 2.0, -3.0, 1.0])
    cl_stream.invoke(cl_library.capture, out, numpy.int32(-4), numpy.float32(0.5), 1j, out,
                     global_size=1)
    numpy.testing.assert_array_equal(out.get(), [-4.0, 0.5, 0.0, 1.0, 0.0])


def test_invoke_two_dimensional_grid(cl_stream, cl_library):
    width, height = 24, 6
    out = cl_stream.bind(numpy.zeros((height, width), numpy.int32))
    cl_stream.invoke(cl_library.grid, out, width, global_size=(width, height),
                     local_size=(8, 2))
    y, x = numpy.mgrid[:height, :width]
    numpy.testing.assert_array_equal(out.get(), 1000 * y + x + 8_000_000)


def test_invoke_on_an_aligned_view(cl_stream, cl_library):
    y = numpy.zeros(64)
    oy, ox = cl_stream.bind(y), cl_stream.bind(numpy.ones(64))
    # 16 float64 = 128 bytes: a multiple of PoCL's base alignment
    cl_stream.invoke(cl_library.axpy, oy[16:], ox, 1.0, 48, global_size=48)
    numpy.testing.assert_array_equal(oy.get(), [0.0] * 16 + [1.0] * 48)


def test_invoke_errors(cl_stream, cl_library):
    out = cl_stream.bind(numpy.zeros(8))
    with pytest.raises(ValueError, match="opencl:0: kernel axpy needs a launch geometry"):
        cl_stream.invoke(cl_library.axpy, out, out, 1.0, 8)
    with pytest.raises(ValueError, match="axpy takes 4 arguments, 3 given"):
        cl_stream.invoke(cl_library.axpy, out, out, 1.0, global_size=8)
    with pytest.raises(ValueError, match="local_size needs global_size"):
        cl_stream.invoke(cl_library.axpy, out, out, 1.0, 8, local_size=4)
    with pytest.raises(ValueError, match="local_size has 2 dimensions but global_size has 1"):
        cl_stream.invoke(cl_library.axpy, out, out, 1.0, 8, global_size=8, local_size=(4, 1))
    with pytest.raises(ValueError, match="global_size has 4 dimensions"):
        cl_stream.invoke(cl_library.axpy, out, out, 1.0, 8, global_size=(1, 1, 1, 1))
    with pytest.raises(ValueError, match="base alignment"):
        cl_stream.invoke(cl_library.axpy, out[1:], out, 1.0, 7, global_size=7)
    with pytest.raises(pymic2.OffloadError, match="no kernel 'absent' in .*test_kernels.cl"):
        cl_library.absent
    cl_stream.sync()


def test_build_failure_reports_the_compiler_log(cl_device, tmp_path):
    source = tmp_path / "broken.cl"
    source.write_text("__kernel void broken(__global int *x) { x[0] = not_declared; }\n")
    with pytest.raises(pymic2.OffloadError, match=r"(?s)broken\.cl.*not_declared.*EBUILD"):
        cl_device.load_library(str(source))


def test_shared_objects_are_refused(cl_device, kernel_path):
    with pytest.raises(pymic2.OffloadError, match="not an OpenCL C source"):
        cl_device.load_library(kernel_path)


def test_no_host_address(cl_stream):
    a = cl_stream.bind(numpy.zeros(4))
    with pytest.raises(pymic2.OffloadError, match="opencl:0"):
        cl_stream.translate_device_pointer(a)


def test_what_a_device_cannot_do_is_not_implemented(cl_stream):
    """ENOTSUP (here: a cl_mem has no address; likewise an op family a backend lacks) is an
    OffloadError, as before, and Python's NotImplementedError, naming the device."""
    a = cl_stream.bind(numpy.zeros(4))
    with pytest.raises(NotImplementedError, match="opencl:0.*ENOTSUP") as raised:
        cl_stream.translate_device_pointer(a)
    assert isinstance(raised.value, pymic2.OffloadError)


def test_out_of_device_memory_names_the_device(cl_device):
    with pytest.raises(MemoryError, match="opencl:0.*CL_DEVICE_MAX_MEM_ALLOC_SIZE"):
        cl_device.get_default_stream().empty((cl_device.memory_bytes // 8 + 1,),
                                             update_host=False)


def test_second_process_loads_programs_from_the_disk_cache(tmp_path):
    """The first process compiles and stores; the second compiles nothing: it links the
    stored objects (on PoCL its first link loads the kernel library, about 0.4 s, so the
    counter's milliseconds do not separate the two processes)."""
    code = f"""
        import pymic2, numpy
        device = pymic2.get_device("opencl:0")
        device.load_library({CL_KERNELS!r}).axpy
        a = pymic2.asarray(numpy.arange(1000.0), device=device)  # built-in ops' programs too
        float((pymic2.exp(a + a) * a).sum())
        stats = pymic2._core.build_stats()
        print(stats["builds"], stats["disk_loads"], stats["build_ms"])
    """
    env = {"PYMIC2_CACHE_DIR": str(tmp_path / "cache"), "PYMIC2_TEST_DEVICE": "opencl:0"}
    builds, loads, _ = run_python(code, **env).split()
    assert int(builds) >= 1 and int(loads) == 0
    assert len(os.listdir(tmp_path / "cache")) == int(builds)
    builds, loads, _ = run_python(code, **env).split()
    assert int(builds) == 0 and int(loads) == len(os.listdir(tmp_path / "cache"))


def test_corrupt_cache_file_is_rebuilt(tmp_path):
    code = f"""
        import pymic2
        pymic2.get_device("opencl:0").load_library({CL_KERNELS!r}).axpy
        stats = pymic2._core.build_stats()
        print(stats["builds"], stats["disk_loads"])
    """
    cache = tmp_path / "cache"
    assert run_python(code, PYMIC2_CACHE_DIR=str(cache)).split() == ["1", "0"]
    (entry,) = cache.iterdir()
    entry.write_bytes(entry.read_bytes()[:100])  # truncated
    assert run_python(code, PYMIC2_CACHE_DIR=str(cache)).split() == ["1", "0"]
    assert run_python(code, PYMIC2_CACHE_DIR=str(cache)).split() == ["0", "1"]


def test_dlpack_export_is_refused(cl_stream):
    a = cl_stream.bind(numpy.arange(4.0))
    assert a.__dlpack_device__() == (4, 0)  # kDLOpenCL
    with pytest.raises(BufferError, match="opencl:0 memory is not addressable by the CPU"):
        numpy.from_dlpack(a)


def test_arrays_compute_on_the_device(cl_device):
    x = numpy.linspace(-2, 2, 5000)
    a = pymic2.asarray(x, device=cl_device)
    assert a.device is cl_device
    numpy.testing.assert_allclose((pymic2.exp(a) * a + 1).get(), numpy.exp(x) * x + 1,
                                  rtol=1e-14)
    assert float(a.sum()) == pytest.approx(x.sum(), abs=1e-9)
