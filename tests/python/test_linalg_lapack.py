"""pymic2.linalg's factorisations (the LINALG family: LAPACK on host devices, LU and
Cholesky kernels on OpenCL devices) and the routines composed of them, against NumPy:
values, dtypes and shapes for every float and complex dtype, stacked and empty matrices,
reconstructions, and NumPy's errors (LinAlgError for singular, non-positive-definite and
non-square matrices, raised at the sync). On OpenCL the functions it does not run refuse with
TypeError naming the function and the device."""

import numpy
import pytest

import pymic2
from pymic2 import linalg

from conftest import ON_HOST, run_python

DTYPES = [numpy.float32, numpy.float64, numpy.complex64, numpy.complex128]
needs_host = pytest.mark.skipif(not ON_HOST, reason="SVD and the eigensolvers run on host "
                                "devices; OpenCL's refusal is test_opencl_refuses")


def _tol(dtype):
    return 2e-4 if numpy.dtype(dtype).itemsize in (4, 8) and numpy.dtype(dtype) in (
        numpy.float32, numpy.complex64) else 1e-10


def _random(shape, dtype, seed=0):
    rng = numpy.random.default_rng(seed)
    x = rng.standard_normal(shape)
    if numpy.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


def _spd(shape, dtype, seed=0):
    x = _random(shape, dtype, seed)
    n = shape[-1]
    return (x @ numpy.conj(numpy.swapaxes(x, -1, -2)) + n * numpy.eye(n)).astype(dtype)


def _close(result, expected, dtype, scale=1):
    assert isinstance(result, pymic2.ndarray)
    value = result.get()
    assert value.dtype == numpy.asarray(expected).dtype, (value.dtype, expected.dtype)
    assert value.shape == numpy.shape(expected)
    tol = _tol(dtype) * scale
    numpy.testing.assert_allclose(value, expected, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(4, 4), (3, 5, 5), (2, 0, 0), (0, 3, 3), (1, 1)])
def test_solve_inv_det_slogdet(dtype, shape):
    a = _random(shape, dtype) + 3 * numpy.eye(shape[-1], dtype=dtype)
    b = _random(shape[:-1] + (2,), dtype, seed=1)
    A, B = pymic2.asarray(a), pymic2.asarray(b)
    _close(linalg.solve(A, B), numpy.linalg.solve(a, b), dtype)
    _close(linalg.inv(A), numpy.linalg.inv(a), dtype)
    _close(linalg.det(A), numpy.linalg.det(a), dtype, scale=10)
    sign, logabsdet = linalg.slogdet(A)
    expected = numpy.linalg.slogdet(a)
    _close(sign, expected.sign, dtype)
    _close(logabsdet, expected.logabsdet, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_solve_broadcasts_like_numpy_2(dtype):
    a, b1 = _random((2, 3, 3), dtype) + 3 * numpy.eye(3, dtype=dtype), _random((3,), dtype)
    b2 = _random((1, 3, 4), dtype, seed=2)
    A = pymic2.asarray(a)
    _close(linalg.solve(A, pymic2.asarray(b1)), numpy.linalg.solve(a, b1), dtype)
    _close(linalg.solve(A, pymic2.asarray(b2)), numpy.linalg.solve(a, b2), dtype)
    # non-contiguous views: a transposed stack, a reversed b
    at = numpy.swapaxes(a, -1, -2)
    _close(linalg.solve(A.swapaxes(-1, -2), pymic2.asarray(b1)[::-1]),
           numpy.linalg.solve(at, b1[::-1]), dtype)


def test_integers_promote_to_float64():
    a = numpy.array([[4, 1], [2, 3]])
    A = pymic2.asarray(a)
    _close(linalg.inv(A), numpy.linalg.inv(a), numpy.float64)
    _close(linalg.det(A), numpy.linalg.det(a), numpy.float64)
    _close(linalg.solve(A, pymic2.asarray([1, 2])), numpy.linalg.solve(a, [1, 2]),
           numpy.float64)
    with pytest.raises(TypeError, match="float16"):
        linalg.inv(A.astype(numpy.float16))


def test_singular_raises_linalgerror_at_sync():
    s = numpy.array([[[1.0, 2.0], [2.0, 4.0]], [[1.0, 0.0], [0.0, 1.0]]])
    S = pymic2.asarray(s)
    with pytest.raises(numpy.linalg.LinAlgError, match="Singular matrix") as info:
        linalg.inv(S).get()
    assert isinstance(info.value, linalg.LinAlgError)
    with pytest.raises(linalg.LinAlgError, match="Singular matrix"):
        linalg.solve(S, pymic2.asarray(numpy.ones((2, 2)))).get()
    # det and slogdet of a singular matrix are 0 and (0, -inf), as NumPy's
    _close(linalg.det(S), numpy.linalg.det(s), numpy.float64)
    sign, logabsdet = linalg.slogdet(S)
    numpy.testing.assert_array_equal(sign.get(), [0.0, 1.0])
    numpy.testing.assert_array_equal(logabsdet.get(), [-numpy.inf, 0.0])
    # the stream goes on after the failure
    _close(linalg.inv(S[1]), numpy.eye(2), numpy.float64)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [32, 33])
def test_solve_both_sides_of_the_small_matrix_path(dtype, n):
    # host devices solve matrices up to 32 x 32 with their own unblocked LU, larger ones
    # with getrf/getrs: both against NumPy, pivoting (a zero leading entry), singular, NaN
    a = _random((2, n, n), dtype) + 3 * numpy.eye(n, dtype=dtype)
    a[:, 0, 0] = 0
    b = _random((2, n, 3), dtype, seed=1)
    _close(linalg.solve(pymic2.asarray(a), pymic2.asarray(b)), numpy.linalg.solve(a, b),
           dtype, scale=10)
    singular = a.copy()
    singular[1, :, 4] = singular[1, :, 2]
    singular[1, :, 5] = 0
    with pytest.raises(linalg.LinAlgError, match=r"Singular matrix \(matrix 1 of"):
        linalg.solve(pymic2.asarray(singular), pymic2.asarray(b)).get()
    # a NaN spreads through its matrix's solution (which elements: the LAPACK's business),
    # raises nothing, and leaves the other matrices alone
    a[0, 3, 7] = numpy.nan
    result = linalg.solve(pymic2.asarray(a), pymic2.asarray(b)).get()
    assert numpy.isnan(result[0]).any()
    numpy.testing.assert_allclose(result[1], numpy.linalg.solve(a[1], b[1]),
                                  rtol=_tol(dtype) * 10, atol=_tol(dtype) * 10)


@pytest.mark.parametrize("name", ["inv", "det", "cholesky", "eigvals", "eigh"])
def test_non_square_and_1d_raise_linalgerror(name):
    x = pymic2.asarray(numpy.ones((2, 3)))
    with pytest.raises(numpy.linalg.LinAlgError, match="square"):
        getattr(linalg, name)(x)
    with pytest.raises(numpy.linalg.LinAlgError, match="two-dimensional"):
        getattr(linalg, name)(pymic2.asarray(numpy.ones(3)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3), (0, 0)])
def test_cholesky(dtype, shape):
    a = _spd(shape, dtype)
    A = pymic2.asarray(a)
    lower = linalg.cholesky(A)
    _close(lower, numpy.linalg.cholesky(a), dtype)
    _close(linalg.cholesky(A, upper=True), numpy.linalg.cholesky(a, upper=True), dtype)
    value = lower.get()
    numpy.testing.assert_allclose(value @ numpy.conj(numpy.swapaxes(value, -1, -2)), a,
                                  rtol=_tol(dtype) * 10, atol=_tol(dtype) * 10)


def test_cholesky_not_positive_definite():
    a = pymic2.asarray(numpy.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(linalg.LinAlgError, match="Matrix is not positive definite"):
        linalg.cholesky(a).get()
    with pytest.raises(numpy.linalg.LinAlgError, match="not positive definite"):
        linalg.cholesky(a, upper=True).get()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 4, 4), (0, 3), (3, 0), (70, 9)])
def test_qr_modes(dtype, shape):
    a = _random(shape, dtype)
    A = pymic2.asarray(a)
    for mode in ("reduced", "complete"):
        q, r = linalg.qr(A, mode=mode)
        eq, er = numpy.linalg.qr(a, mode=mode)
        assert q.shape == eq.shape and r.shape == er.shape and q.dtype == eq.dtype
        numpy.testing.assert_allclose(q.get() @ r.get(), a, atol=_tol(dtype) * 10)
        _close(q, eq, dtype, scale=10)  # LAPACK's reflectors, so LAPACK's signs
        _close(r, er, dtype, scale=10)
    _close(pymic2.absolute(linalg.qr(A, mode="r")), numpy.abs(numpy.linalg.qr(a, mode="r")),
           dtype, scale=10)
    h, tau = linalg.qr(A, mode="raw")
    eh, etau = numpy.linalg.qr(a, mode="raw")
    _close(h, eh, dtype, scale=10)
    _close(tau, etau, dtype, scale=10)
    with pytest.raises(ValueError, match="Unrecognized mode"):
        linalg.qr(A, mode="bogus")


@pytest.mark.parametrize("dtype", DTYPES)
def test_qr_of_views_and_columns_already_reduced(dtype):
    """A transposed view, and an upper triangular matrix: columns with nothing below the
    diagonal get tau 0 (H = I), as LAPACK's."""
    a = _random((6, 4), dtype)
    upper = numpy.triu(a)
    for on_device, x in ((pymic2.asarray(a).T, a.T), (pymic2.asarray(upper), upper)):
        h, tau = linalg.qr(on_device, mode="raw")
        eh, etau = numpy.linalg.qr(x, mode="raw")
        _close(h, eh, dtype, scale=10)
        _close(tau, etau, dtype, scale=10)
        _close(linalg.qr(on_device).Q, numpy.linalg.qr(x).Q, dtype, scale=10)


@needs_host
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 4, 4), (0, 3), (3, 0)])
def test_svd(dtype, shape):
    a = _random(shape, dtype)
    A = pymic2.asarray(a)
    _close(linalg.svd(A, compute_uv=False), numpy.linalg.svd(a, compute_uv=False), dtype)
    _close(linalg.svdvals(A), numpy.linalg.svdvals(a), dtype)
    for full in (True, False):
        u, s, vh = linalg.svd(A, full_matrices=full)
        eu, es, evh = numpy.linalg.svd(a, full_matrices=full)
        assert (u.shape, s.shape, vh.shape) == (eu.shape, es.shape, evh.shape)
        assert (u.dtype, s.dtype, vh.dtype) == (eu.dtype, es.dtype, evh.dtype)
        k = min(shape[-2:])
        product = (u.get()[..., :, :k] * s.get()[..., None, :]) @ vh.get()[..., :k, :]
        numpy.testing.assert_allclose(product, a, atol=_tol(dtype) * 10)


@needs_host
@pytest.mark.parametrize("dtype", DTYPES)
def test_svd_hermitian_pinv_rank_cond_lstsq(dtype):
    a = _random((4, 3), dtype)
    h = _spd((4, 4), dtype) - 2 * numpy.eye(4, dtype=dtype)
    A, H = pymic2.asarray(a), pymic2.asarray(h)
    _close(linalg.svd(H, hermitian=True, compute_uv=False),
           numpy.linalg.svd(h, hermitian=True, compute_uv=False), dtype)
    u, s, vh = linalg.svd(H, hermitian=True)
    numpy.testing.assert_allclose((u.get() * s.get()) @ vh.get(), h, atol=_tol(dtype) * 10)
    _close(linalg.pinv(A), numpy.linalg.pinv(a), dtype, scale=10)
    _close(linalg.pinv(pymic2.asarray(_random((2, 3, 5), dtype))),
           numpy.linalg.pinv(_random((2, 3, 5), dtype)), dtype, scale=10)
    rank_deficient = numpy.outer(a[:, 0], a[0]).astype(dtype)
    assert linalg.matrix_rank(pymic2.asarray(rank_deficient)).get() == 1
    assert linalg.matrix_rank(A).get() == numpy.linalg.matrix_rank(a)
    _close(linalg.cond(A), numpy.linalg.cond(a), dtype, scale=10)
    _close(linalg.cond(H, "fro"), numpy.linalg.cond(h, "fro"), dtype, scale=10)
    b = _random((4, 2), dtype, seed=3)
    x, residuals, rank, sv = linalg.lstsq(A, pymic2.asarray(b))
    ex, eres, erank, esv = numpy.linalg.lstsq(a, b)
    _close(x, ex, dtype, scale=10)
    _close(residuals, eres, dtype, scale=100)
    assert rank == erank
    _close(sv, esv, dtype)
    x1 = linalg.lstsq(A, pymic2.asarray(b[:, 0]))[0]
    _close(x1, numpy.linalg.lstsq(a, b[:, 0])[0], dtype, scale=10)


@needs_host
@pytest.mark.parametrize("dtype", DTYPES)
def test_eigh_and_eig(dtype):
    h = _spd((2, 4, 4), dtype) - 3 * numpy.eye(4, dtype=dtype)
    H = pymic2.asarray(h)
    for uplo in ("L", "U"):
        w, v = linalg.eigh(H, UPLO=uplo)
        ew = numpy.linalg.eigh(h, UPLO=uplo).eigenvalues
        _close(w, ew, dtype, scale=10)
        _close(linalg.eigvalsh(H, UPLO=uplo), ew, dtype, scale=10)
        vv = v.get()
        numpy.testing.assert_allclose(h @ vv, vv * w.get()[..., None, :], atol=_tol(dtype) * 100)
    with pytest.raises(ValueError, match="UPLO"):
        linalg.eigh(H, UPLO="X")
    a = _random((3, 3), dtype)
    w, v = linalg.eig(pymic2.asarray(a))
    ew = numpy.linalg.eigvals(a)
    assert w.dtype == ew.dtype and v.dtype == ew.dtype
    numpy.testing.assert_allclose(numpy.sort_complex(w.get()), numpy.sort_complex(ew),
                                  rtol=_tol(dtype) * 10, atol=_tol(dtype) * 10)
    numpy.testing.assert_allclose(a @ v.get(), v.get() * w.get(), atol=_tol(dtype) * 100)
    # a real matrix with real eigenvalues gives real results, as NumPy's
    symmetric = numpy.array([[2.0, 1.0], [1.0, 2.0]], dtype=numpy.float64)
    real = linalg.eigvals(pymic2.asarray(symmetric))
    assert real.dtype == numpy.linalg.eigvals(symmetric).dtype == numpy.float64


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64, numpy.complex128])
def test_norms(dtype):
    x = _random((3, 4), dtype)
    X = pymic2.asarray(x)
    rtol = _tol(dtype) * 10
    orders = [None, "fro", 1, -1, numpy.inf, -numpy.inf]
    if ON_HOST:
        orders += [2, -2, "nuc"]
    for ord in orders:
        numpy.testing.assert_allclose(linalg.norm(X, ord).get(), numpy.linalg.norm(x, ord),
                                      rtol=rtol)
        numpy.testing.assert_allclose(linalg.matrix_norm(X, ord=ord, keepdims=True).get()
                                      if ord is not None else linalg.norm(X).get(),
                                      numpy.linalg.matrix_norm(x, ord=ord, keepdims=True)
                                      if ord is not None else numpy.linalg.norm(x), rtol=rtol)
    for ord in [None, 0, 1, 2, 3, 0.5, -1, numpy.inf, -numpy.inf]:
        for axis in (0, 1, -1):
            numpy.testing.assert_allclose(
                linalg.norm(X, ord, axis=axis, keepdims=True).get(),
                numpy.linalg.norm(x, ord, axis=axis, keepdims=True), rtol=rtol)
        numpy.testing.assert_allclose(linalg.vector_norm(X, ord=ord if ord is not None else 2,
                                                         axis=(0, 1)).get(),
                                      numpy.linalg.vector_norm(x, ord=ord if ord is not None
                                                               else 2, axis=(0, 1)), rtol=rtol)
    assert linalg.norm(X, 1, axis=1).dtype == numpy.linalg.norm(x, 1, axis=1).dtype
    with pytest.raises(ValueError, match="Invalid norm order"):
        linalg.norm(X, "nuc", axis=0)
    with pytest.raises(ValueError, match="Invalid norm order for matrices"):
        linalg.norm(X, 3)
    with pytest.raises(ValueError, match="Improper number of dimensions"):
        linalg.norm(pymic2.asarray(numpy.ones((2, 2, 2))), 1)
    with pytest.raises(ValueError, match="Duplicate axes"):
        linalg.norm(X, axis=(1, 1))


def test_matrix_power_tensorsolve_tensorinv():
    a = numpy.array([[2.0, 1.0], [1.0, 3.0]])
    A = pymic2.asarray(a)
    for n in (0, 1, 2, 5, -1, -3):
        _close(linalg.matrix_power(A, n), numpy.linalg.matrix_power(a, n), numpy.float64,
               scale=100)
    ints = numpy.array([[1, 1], [1, 0]])
    _close(linalg.matrix_power(pymic2.asarray(ints), 10), numpy.linalg.matrix_power(ints, 10),
           numpy.float64)
    with pytest.raises(TypeError, match="integer"):
        linalg.matrix_power(A, 1.5)
    t = _random((6, 2, 3), numpy.float64) + numpy.eye(6).reshape(6, 2, 3) * 3
    b = _random((6,), numpy.float64, seed=4)
    _close(linalg.tensorsolve(pymic2.asarray(t), pymic2.asarray(b)),
           numpy.linalg.tensorsolve(t, b), numpy.float64)
    t4 = numpy.eye(6).reshape(6, 2, 3) * 2 + 0.1 * _random((6, 2, 3), numpy.float64)
    _close(linalg.tensorinv(pymic2.asarray(t4), ind=1), numpy.linalg.tensorinv(t4, ind=1),
           numpy.float64)


def test_products_and_views():
    x, y = _random((3, 4), numpy.float64), _random((4, 5), numpy.float64, seed=1)
    z, v = _random((5, 2), numpy.float64, seed=2), _random((3,), numpy.float64, seed=3)
    X, Y, Z, V = (pymic2.asarray(t) for t in (x, y, z, v))
    _close(linalg.multi_dot([X, Y, Z]), numpy.linalg.multi_dot([x, y, z]), numpy.float64)
    _close(linalg.multi_dot([V, X, Y]), numpy.linalg.multi_dot([v, x, y]), numpy.float64)
    _close(linalg.outer(V, V), numpy.linalg.outer(v, v), numpy.float64)
    with pytest.raises(ValueError, match="one-dimensional"):
        linalg.outer(X, V)
    _close(linalg.cross(V, V[::-1]), numpy.linalg.cross(v, v[::-1]), numpy.float64)
    with pytest.raises(ValueError, match="3-dimensional"):
        linalg.cross(X, X)
    s = _random((2, 3, 3), numpy.float64)
    S = pymic2.asarray(s)
    _close(linalg.trace(S, offset=1), numpy.linalg.trace(s, offset=1), numpy.float64)
    _close(linalg.diagonal(S), numpy.linalg.diagonal(s), numpy.float64)
    # NumPy's functions dispatch to the device
    assert isinstance(numpy.linalg.inv(S), pymic2.ndarray)
    assert isinstance(numpy.einsum("ijk->k", S), pymic2.ndarray)


@pytest.mark.parametrize("subscripts,shapes", [
    ("ij,jk->ik", [(3, 4), (4, 5)]), ("ijk,ikl->ijl", [(2, 3, 4), (2, 4, 5)]),
    ("ii", [(4, 4)]), ("ii->i", [(4, 4)]), ("ij->ji", [(3, 4)]), ("ij,ij->", [(3, 4), (3, 4)]),
    ("i,j->ij", [(3,), (4,)]), ("...ij,...jk", [(2, 3, 4), (4, 5)]), ("ijk", [(2, 3, 4)]),
    ("ab,bc,cd->ad", [(2, 3), (3, 4), (4, 5)]), ("iij->j", [(3, 3, 4)]), ("i,i", [(5,), (5,)]),
    ("bij,bj->bi", [(2, 3, 4), (2, 4)]), ("ij,kl->", [(2, 3), (4, 5)]),
])
@pytest.mark.parametrize("optimize", [False, True])
def test_einsum(subscripts, shapes, optimize):
    operands = [_random(shape, numpy.float64, seed=k) for k, shape in enumerate(shapes)]
    result = pymic2.einsum(subscripts, *(pymic2.asarray(x) for x in operands),
                           optimize=optimize)
    _close(result, numpy.einsum(subscripts, *operands), numpy.float64)


def test_einsum_errors_and_kron():
    x = pymic2.asarray(numpy.ones((2, 3)))
    with pytest.raises(ValueError):
        pymic2.einsum("ij,jk", x, x)
    with pytest.raises(ValueError):
        pymic2.einsum("ij", x, x)
    a, b = _random((2, 3), numpy.float64), _random((3, 1, 2), numpy.complex128, seed=1)
    _close(pymic2.kron(pymic2.asarray(a), pymic2.asarray(b)), numpy.kron(a, b),
           numpy.complex128)
    _close(pymic2.kron(pymic2.asarray(a[0]), pymic2.asarray(a)), numpy.kron(a[0], a),
           numpy.float64)


@pytest.mark.skipif(ON_HOST, reason="the refusal of OpenCL devices")
@pytest.mark.parametrize("name,refused", [
    ("svd", "svd"), ("svdvals", "svd"), ("eig", "eig"), ("eigvals", "eigvals"),
    ("eigh", "eigh"), ("eigvalsh", "eigvalsh"), ("pinv", "svd"), ("matrix_rank", "svd"),
    ("cond", "svd"),
])
def test_opencl_refuses(name, refused):
    """The function (or the factorisation it is composed of) and the device are named."""
    a = pymic2.asarray(numpy.eye(3))
    with pytest.raises(TypeError, match=f"numpy.linalg.{refused}: opencl:0: linalg"):
        getattr(linalg, name)(a)


@pytest.mark.skipif(not ON_HOST, reason="OpenBLAS's threads serve host devices only")
def test_single_large_matrix_on_openblas_threads_leaves_numpy_alone():
    # A stack shorter than the team runs LAPACK on OpenBLAS's threads (Debian's library);
    # NumPy's bundled OpenBLAS is another library whose thread count must not move, and ours
    # goes back to its count. A fresh process: the suite's host devices have one thread.
    code = """
        import ctypes, glob, os
        import numpy, pymic2
        from pymic2 import linalg
        libs = glob.glob(os.path.join(os.path.dirname(numpy.__file__) + ".libs",
                                      "libscipy_openblas*.so"))
        numpy_threads = (ctypes.CDLL(libs[0]).scipy_openblas_get_num_threads64_
                         if libs else lambda: -1)
        ours = ctypes.CDLL("libopenblas.so.0")
        before = numpy_threads(), ours.openblas_get_num_threads()
        assert pymic2.default_device().num_threads == 2
        rng = numpy.random.default_rng(0)
        n = 520
        x = rng.standard_normal((n, n))
        spd = x @ x.T + n * numpy.eye(n)
        a, s = pymic2.asarray(x), pymic2.asarray(spd)
        b = rng.standard_normal((n, 3))
        checks = [
            (linalg.solve(a, pymic2.asarray(b)), numpy.linalg.solve(x, b)),
            (linalg.inv(a), numpy.linalg.inv(x)),
            (linalg.cholesky(s), numpy.linalg.cholesky(spd)),
            (linalg.qr(a, mode="r"), numpy.linalg.qr(x, mode="r")),
            (linalg.svdvals(a), numpy.linalg.svdvals(x)),
            (linalg.eigvalsh(s), numpy.linalg.eigvalsh(spd)),
            (linalg.det(a), numpy.linalg.det(x)),
        ]
        for result, expected in checks:
            numpy.testing.assert_allclose(result.get(), expected, rtol=1e-7,
                                          atol=1e-9 * numpy.abs(expected).max())
        print(*before, numpy_threads(), ours.openblas_get_num_threads())
    """
    numpy_before, ours_before, numpy_after, ours_after = run_python(
        code, PYMIC2_NUM_THREADS="2", PYMIC2_HOST_DEVICES="1", PYMIC2_OPENCL="0").split()
    assert (numpy_after, ours_after) == (numpy_before, ours_before)
