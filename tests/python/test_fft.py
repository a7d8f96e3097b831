"""pymic2.fft (the FFT family) against numpy.fft on the suite's device: every function, the
three norms, n shorter and longer than the axis, axes, odd, prime, composite and Bluestein
lengths, stacked batches, non-contiguous views, round trips, dtypes, out=, numpy.fft.*
dispatch, and NumPy's errors."""

import numpy
import pytest

import pymic2
from conftest import ON_HOST, run_python
from pymic2 import _core
from pymic2.bench import __main__ as bench_main

RNG = numpy.random.default_rng(15)
#: every kind of plan: radix passes (4, 2, 3, 5, 7 and odd primes 11 ... 61: 3172 = 4 13 61),
#: Bluestein in blocks of rows (97, 1021) and of one long row (4099), four-step (6000, 8192;
#: 20000 real)
LENGTHS = [1, 2, 3, 5, 7, 11, 12, 16, 97, 210, 1000, 1021, 3172, 4099, 6000, 8192, 20000]
NORMS = [None, "backward", "ortho", "forward"]


def signal(shape, dtype=numpy.complex128):
    x = RNG.standard_normal(shape)
    if numpy.dtype(dtype).kind == "c":
        x = x + 1j * RNG.standard_normal(shape)
    return x.astype(dtype)


def close(got, want):
    """dtype and shape equal, relative RMS error within the issue's bounds (1e-13 for double,
    1e-5 for single precision; 1e-3 for float16 results)."""
    got = got.get() if isinstance(got, _core.ndarray) else got
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    if want.size == 0:
        return
    bits = numpy.finfo(want.dtype).bits // (2 if want.dtype.kind == "c" else 1)
    bound = {16: 1e-3, 32: 1e-5}.get(bits, 1e-13)
    scale = max(numpy.sqrt(numpy.mean(numpy.abs(want) ** 2)), 1e-300)
    assert numpy.sqrt(numpy.mean(numpy.abs(got - want) ** 2)) / scale <= bound


@pytest.mark.parametrize("n", LENGTHS)
def test_fft_and_ifft_of_every_kind_of_length(n):
    x = signal((3, n))
    close(pymic2.fft.fft(pymic2.asarray(x)), numpy.fft.fft(x))
    close(pymic2.fft.ifft(pymic2.asarray(x)), numpy.fft.ifft(x))


@pytest.mark.parametrize("n", LENGTHS)
def test_rfft_and_irfft_of_every_kind_of_length(n):
    x = signal((2, n), numpy.float64)
    close(pymic2.fft.rfft(pymic2.asarray(x)), numpy.fft.rfft(x))
    spectrum = numpy.fft.rfft(x) + 0.5j  # imaginary parts NumPy ignores at 0 and n / 2
    close(pymic2.fft.irfft(pymic2.asarray(spectrum), n), numpy.fft.irfft(spectrum, n))


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.complex64])
@pytest.mark.parametrize("n", [5, 16, 97, 1021])
def test_single_precision(dtype, n):
    x = signal((2, n), dtype)
    close(pymic2.fft.fft(pymic2.asarray(x)), numpy.fft.fft(x))
    if dtype == numpy.float32:
        close(pymic2.fft.rfft(pymic2.asarray(x)), numpy.fft.rfft(x))
        close(pymic2.fft.irfft(pymic2.asarray(x)), numpy.fft.irfft(x))


@pytest.mark.parametrize("norm", NORMS)
def test_norms_of_each_one_dimensional_function(norm):
    x, r = signal((4, 10)), signal((4, 10), numpy.float64)
    for name in ["fft", "ifft", "hfft", "irfft"]:
        close(getattr(pymic2.fft, name)(pymic2.asarray(x), norm=norm),
              getattr(numpy.fft, name)(x, norm=norm))
    for name in ["rfft", "ihfft"]:
        close(getattr(pymic2.fft, name)(pymic2.asarray(r), norm=norm),
              getattr(numpy.fft, name)(r, norm=norm))


@pytest.mark.parametrize("n", [3, 8, 9, 17])
def test_n_shorter_and_longer_than_the_axis_and_other_axes(n):
    x, r = signal((5, 9, 4)), signal((5, 9, 4), numpy.float64)
    for axis in [0, 1, -1]:
        close(pymic2.fft.fft(pymic2.asarray(x), n, axis), numpy.fft.fft(x, n, axis))
        close(pymic2.fft.ifft(pymic2.asarray(x), n, axis), numpy.fft.ifft(x, n, axis))
        close(pymic2.fft.rfft(pymic2.asarray(r), n, axis), numpy.fft.rfft(r, n, axis))
        close(pymic2.fft.irfft(pymic2.asarray(x), n, axis), numpy.fft.irfft(x, n, axis))
        close(pymic2.fft.hfft(pymic2.asarray(x), n, axis), numpy.fft.hfft(x, n, axis))
        close(pymic2.fft.ihfft(pymic2.asarray(r), n, axis), numpy.fft.ihfft(r, n, axis))


def test_n_dimensional_transforms():
    x, r = signal((3, 6, 5)), signal((3, 6, 5), numpy.float64)
    cases = [{}, {"axes": (0, 2)}, {"s": (4, 7), "axes": (1, 2)},
             {"s": (2, 8, 3), "axes": (0, 1, 2)}, {"s": (5, 6), "axes": (2, 0)}]
    for kwargs in cases:
        for name in ["fftn", "ifftn"]:
            close(getattr(pymic2.fft, name)(pymic2.asarray(x), **kwargs),
                  getattr(numpy.fft, name)(x, **kwargs))
        close(pymic2.fft.rfftn(pymic2.asarray(r), **kwargs), numpy.fft.rfftn(r, **kwargs))
        close(pymic2.fft.irfftn(pymic2.asarray(x), **kwargs), numpy.fft.irfftn(x, **kwargs))
    for name in ["fft2", "ifft2", "irfft2"]:
        close(getattr(pymic2.fft, name)(pymic2.asarray(x), norm="ortho"),
              getattr(numpy.fft, name)(x, norm="ortho"))
    close(pymic2.fft.rfft2(pymic2.asarray(r), s=(4, 4)), numpy.fft.rfft2(r, s=(4, 4)))
    close(pymic2.fft.fftn(pymic2.asarray(r), axes=()), numpy.fft.fftn(r, axes=()))


def test_stacked_non_contiguous_views_and_round_trips():
    x = signal((4, 6, 30))
    view = pymic2.asarray(x)[:, ::2, 1::3]
    close(pymic2.fft.fft(view), numpy.fft.fft(x[:, ::2, 1::3]))
    close(pymic2.fft.fft(view, axis=1), numpy.fft.fft(x[:, ::2, 1::3], axis=1))
    close(pymic2.fft.ifft(pymic2.fft.fft(pymic2.asarray(x))), x)
    r = signal((3, 21), numpy.float64)
    close(pymic2.fft.irfft(pymic2.fft.rfft(pymic2.asarray(r)), 21), r)
    t = pymic2.asarray(signal((7, 8), numpy.float64)).T  # transposed: strided rows
    close(pymic2.fft.rfft(t), numpy.fft.rfft(t.get()))


@pytest.mark.parametrize("rows", [1, 7, 8, 9, 17])
def test_batches_of_every_size(rows):
    """OpenCL CPU devices transform 8 rows per work-item: batches below, at and past a
    multiple of 8, for rows in local memory (60), the four-step transform (8192) and
    Bluestein's (4099)."""
    for n in (60, 8192, 4099):
        x = signal((rows, n))
        close(pymic2.fft.fft(pymic2.asarray(x)), numpy.fft.fft(x))
        close(pymic2.fft.ifft(pymic2.asarray(x)), numpy.fft.ifft(x))
        r = x.real.copy()
        close(pymic2.fft.rfft(pymic2.asarray(r)), numpy.fft.rfft(r))
        close(pymic2.fft.irfft(pymic2.asarray(x[:, : n // 2 + 1]), n),
              numpy.fft.irfft(x[:, : n // 2 + 1], n))


def test_four_step_on_strided_rows_in_and_out():
    """A complex four-step transform (8192 points) reads and writes the operand itself:
    every-other-element rows, columns (axis 0), every norm."""
    big = signal((3, 2 * 8192))
    device = pymic2.asarray(big)
    for norm in NORMS:
        close(pymic2.fft.fft(device[:, ::2], norm=norm), numpy.fft.fft(big[:, ::2], norm=norm))
        close(pymic2.fft.ifft(device[:, ::2], norm=norm), numpy.fft.ifft(big[:, ::2], norm=norm))
    tall = signal((8192, 3))
    close(pymic2.fft.fft(pymic2.asarray(tall), axis=0), numpy.fft.fft(tall, axis=0))


def test_length_without_two_local_factors():
    """17^5 has no factors n1 n2 of at most 4096 each: OpenCL runs a launch per pass."""
    x = signal(17 ** 5, numpy.complex64)
    close(pymic2.fft.fft(pymic2.asarray(x)), numpy.fft.fft(x))


def test_dtypes_follow_numpy():
    for dtype in [numpy.int32, numpy.int64, numpy.bool_, numpy.float16, numpy.float32]:
        x = (numpy.arange(6) % 3).astype(dtype)
        for name in ["fft", "rfft", "irfft", "hfft", "ihfft", "ifft"]:
            got, want = getattr(pymic2.fft, name)(pymic2.asarray(x)), getattr(numpy.fft, name)(x)
            if dtype == numpy.float16:  # NumPy computes float16 less accurately than we do
                want = getattr(numpy.fft, name)(x.astype(numpy.float32)).astype(want.dtype)
            close(got, want)


def test_out_and_empty_batches():
    x = signal((2, 8))
    out = pymic2.empty((2, 8), dtype=numpy.complex128)
    assert pymic2.fft.fft(pymic2.asarray(x), out=out) is out
    close(out, numpy.fft.fft(x))
    empty = numpy.zeros((0, 8))
    close(pymic2.fft.rfft(pymic2.asarray(empty)), numpy.fft.rfft(empty))
    close(pymic2.fft.fft(pymic2.asarray(empty), axis=0, n=3), numpy.fft.fft(empty, axis=0, n=3))


def test_numpy_fft_dispatches_to_the_device():
    x, r = signal((3, 8)), signal((3, 8), numpy.float64)
    got = numpy.fft.fft(pymic2.asarray(x))
    assert isinstance(got, _core.ndarray)
    close(got, numpy.fft.fft(x))
    close(numpy.fft.irfft2(pymic2.asarray(x)), numpy.fft.irfft2(x))
    close(numpy.fft.fftshift(pymic2.asarray(r)), numpy.fft.fftshift(r))


def test_frequencies_and_shifts():
    for n in [1, 4, 7]:
        close(pymic2.fft.fftfreq(n, 0.25), numpy.fft.fftfreq(n, 0.25))
        close(pymic2.fft.rfftfreq(n, 0.25), numpy.fft.rfftfreq(n, 0.25))
    assert pymic2.fft.fftfreq(4, device=pymic2.default_device()).shape == (4,)
    x = signal((5, 6), numpy.float64)
    for axes in [None, 0, (1,), (0, 1)]:
        close(pymic2.fft.fftshift(pymic2.asarray(x), axes), numpy.fft.fftshift(x, axes))
        close(pymic2.fft.ifftshift(pymic2.asarray(x), axes), numpy.fft.ifftshift(x, axes))


def test_errors_as_numpy():
    x = signal((4,))
    d = pymic2.asarray(x)
    for call, error in [(lambda f, a: f.fft(a, n=0), ValueError),
                        (lambda f, a: f.fft(a[:0]), ValueError),
                        (lambda f, a: f.fft(a, norm="bad"), ValueError),
                        (lambda f, a: f.fft(a, axis=2), IndexError),
                        (lambda f, a: f.fft(a[0]), IndexError),
                        (lambda f, a: f.irfft(a[:1]), ValueError),
                        (lambda f, a: f.fftn(a, s=(2,), axes=(0, 0, 0)), ValueError),
                        (lambda f, a: f.rfft(a), TypeError)]:
        with pytest.raises(error):
            call(numpy.fft, x)
        with pytest.raises(error):
            call(pymic2.fft, d)
    with pytest.raises(TypeError):
        pymic2.fft.fft(d, out=pymic2.empty(4))  # complex into float64, as NumPy


def test_core_launcher_checks_operands():
    x = pymic2.asarray(signal((2, 8)))
    with pytest.raises(ValueError, match="overlaps"):
        _core.fft(x, x, _core.FFT_C2C)
    with pytest.raises(ValueError, match="has 8 output elements, not 7"):
        _core.fft(x, pymic2.empty((2, 7), dtype=numpy.complex128), _core.FFT_C2C)
    with pytest.raises(ValueError, match="invalid number of data points"):
        _core.fft(x[:, :0], pymic2.empty((2, 0), dtype=numpy.complex128), _core.FFT_C2C)
    with pytest.raises(TypeError, match="not supported"):
        _core.fft(x, pymic2.empty((2, 5), dtype=numpy.float32), _core.FFT_R2C)


@pytest.mark.skipif(ON_HOST, reason="an OpenCL device without cl_khr_fp64 (the host has fp64)")
def test_opencl_device_without_fp64():
    """PYMIC2_OPENCL_NO_FP64=1: complex64 transforms run (float kernels); a transform that
    needs complex128 (of int32 data) is a TypeError naming the device."""
    out = run_python("""
        import numpy, pymic2
        cl = pymic2.get_device("opencl:0")
        x = (numpy.arange(24).reshape(2, 12) % 5 - 2j).astype(numpy.complex64)
        got = pymic2.fft.fft(pymic2.asarray(x, device=cl)).get()
        assert got.dtype == numpy.complex64
        numpy.testing.assert_allclose(got, numpy.fft.fft(x), rtol=1e-5, atol=1e-4)
        try:
            pymic2.fft.fft(pymic2.asarray(numpy.arange(8, dtype=numpy.int32), device=cl))
        except TypeError as error:
            print(error)
        """, PYMIC2_OPENCL_NO_FP64="1", PYMIC2_DEVICE="opencl:0")
    assert "opencl:0" in out and "float64" in out, out


def test_bench_fft_writes_its_csv(tmp_path):
    """`python -m pymic2.bench fft` on its batched case: one CSV row with a checked error."""
    output = tmp_path / "fft.csv"
    assert bench_main.main(["fft", "--cases", "2", "--repetitions", "1",
                            "--output", str(output)]) == 0
    lines = output.read_text().splitlines()
    assert lines[0].startswith("case,dtype,elements,numpy_ms") and len(lines) == 2
    assert "rfft 1024x1024" in lines[1]
