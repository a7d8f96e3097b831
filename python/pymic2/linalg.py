"""pymic2.linalg: NumPy's numpy.linalg (and the array API's linalg extension) on device
arrays. Factorisations run in the C API's LINALG family (_core.linalg: LAPACK on host
devices; LU, Cholesky and Householder QR kernels on OpenCL devices, whose SVD and
eigensolvers refuse with TypeError); everything else is composed of device ops. Singular or non-positive-definite
matrices raise LinAlgError (a numpy.linalg.LinAlgError) at the next sync, as the device finds
them. A function this module lacks is an AttributeError naming it, never a call into NumPy on
the host.
"""

import collections
import operator

import numpy

from . import (_building, _core, _creation, _differences, _indexing, _linalg, _manipulation,
               _math, _reduction, _sorting)
from ._linalg import matmul, tensordot, vecdot
from ._manipulation import matrix_transpose

__all__ = ["LinAlgError", "cholesky", "cond", "cross", "det", "diagonal", "eig", "eigh",
           "eigvals", "eigvalsh", "inv", "lstsq", "matmul", "matrix_norm", "matrix_power",
           "matrix_rank", "matrix_transpose", "multi_dot", "norm", "outer", "pinv", "qr",
           "slogdet", "solve", "svd", "svdvals", "tensordot", "tensorinv", "tensorsolve",
           "trace", "vecdot", "vector_norm"]


class LinAlgError(numpy.linalg.LinAlgError):
    """A matrix the operation cannot take (singular, not positive definite, no
    convergence), found on the device: raised by the next sync."""


EigResult = collections.namedtuple("EigResult", ["eigenvalues", "eigenvectors"])
EighResult = collections.namedtuple("EighResult", ["eigenvalues", "eigenvectors"])
QRResult = collections.namedtuple("QRResult", ["Q", "R"])
SlogdetResult = collections.namedtuple("SlogdetResult", ["sign", "logabsdet"])
SVDResult = collections.namedtuple("SVDResult", ["U", "S", "Vh"])

_CoreArray = _core.ndarray
_NO_VALUE = object()

# ---------------------------------------------------------------- operands and the core


def _compute_dtype(*arrays):
    """NumPy's linalg type: float64 for integers and bool, float16 refused."""
    types = []
    for array in arrays:
        if array.dtype == numpy.float16:
            raise TypeError("array type float16 is unsupported in linalg")
        types.append(numpy.float64 if array.dtype.kind in "biu" else array.dtype)
    return numpy.result_type(*types)


def _real(dtype):
    return numpy.finfo(dtype).dtype


def _stack(a, square=True, like=None):
    """a as a device stack of matrices (..., M, N) in its compute dtype."""
    a = _creation.device_operand(a, like)
    if a.ndim < 2:
        raise LinAlgError(f"{a.ndim}-dimensional array given. Array must be at least "
                          "two-dimensional")
    if square and a.shape[-1] != a.shape[-2]:
        raise LinAlgError("Last 2 dimensions of the array must be square")
    return a.astype(_compute_dtype(a), copy=False)


def _new(like, shape, dtype):
    return _creation.empty(tuple(shape), dtype, stream=like._op_stream)


def _run(op, name, a, outputs, **flags):
    """The LINALG op into outputs; a device without it refuses with TypeError."""
    if a.size:
        try:
            _core.linalg(op, a, tuple(outputs), **flags)
        except _core.UnsupportedError as error:
            raise TypeError(f"numpy.linalg.{name}: {error}") from None
    return outputs


def _eye(like, batch, rows, columns, dtype):
    """Identity matrices (rows x columns) broadcast over batch."""
    eye = _creation.eye(rows, columns, dtype=dtype, stream=like._op_stream)
    return _manipulation.broadcast_to(eye, tuple(batch) + (rows, columns))


def _matrix_diagonal(x):
    return _building.diagonal(x, 0, -2, -1)


def _conj_t(x):
    x = matrix_transpose(x)
    return _math.conjugate(x) if x.dtype.kind == "c" else x

# ---------------------------------------------------------------- solving and inverting


def solve(a, b):
    """numpy.linalg.solve with NumPy 2's rule: b is a stack of vectors only when 1-D."""
    a = _stack(a)
    b = _creation.device_operand(b, a)
    dtype = _compute_dtype(a, b)
    a, b = a.astype(dtype, copy=False), b.astype(dtype, copy=False)
    vector = b.ndim == 1
    if vector:
        b = _manipulation.expand_dims(b, -1)
    n = a.shape[-1]
    if b.ndim < 2 or b.shape[-2] != n:
        raise ValueError(f"solve: Input operand 1 has a mismatch in its core dimension 0, "
                         f"with gufunc signature (m,m),(m,n)->(m,n) (size {b.shape[0]} is "
                         f"different from {n})")
    batch = _manipulation.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = _manipulation.broadcast_to(a, batch + a.shape[-2:])
    b = _manipulation.broadcast_to(b, batch + b.shape[-2:])
    x = _new(a, b.shape, dtype)
    if b.size:
        _run(_core.LINALG_SOLVE, "solve", a, (x,), b=b)
    return x[..., 0] if vector else x


def inv(a):
    a = _stack(a)
    n = a.shape[-1]
    x = _new(a, a.shape, a.dtype)
    _run(_core.LINALG_SOLVE, "inv", a, (x,), b=_eye(a, a.shape[:-2], n, n, a.dtype))
    return x


def _lu(a, name):
    """The LU factors and the pivot signs (+1 or -1, a's dtype) of every matrix."""
    n = a.shape[-1]
    lu = _new(a, a.shape, a.dtype)
    pivots = _new(a, a.shape[:-1], numpy.int64)
    _run(_core.LINALG_LU, name, a, (lu, pivots))
    order = _creation.arange(n, dtype="int64", stream=a._op_stream)
    swaps = _reduction.sum(_math.not_equal(pivots, order), axis=-1)
    sign = _math.subtract(1, _math.multiply(2, _math.remainder(swaps, 2)))
    return lu, sign.astype(a.dtype)


def det(a):
    a = _stack(a)
    lu, sign = _lu(a, "det")
    return _math.multiply(sign, _reduction.prod(_matrix_diagonal(lu), axis=-1))


def slogdet(a):
    """(sign, logabsdet): the sign (a unit complex number for complex matrices, 0 for a
    singular one) and the log of the absolute value of the determinant."""
    a = _stack(a)
    lu, sign = _lu(a, "slogdet")
    diag = _matrix_diagonal(lu)
    magnitude = _math.absolute(diag)
    zero = _math.equal(magnitude, 0)
    # a zero pivot divides by 1: its unit is 0, so the sign is 0, as NumPy's
    safe = _indexing.where(zero, _creation.ones((), magnitude.dtype, stream=a._op_stream),
                           magnitude)
    sign = _math.multiply(sign, _reduction.prod(_math.true_divide(diag, safe), axis=-1))
    minus_inf = _creation.full((), -numpy.inf, magnitude.dtype, stream=a._op_stream)
    logabsdet = _indexing.where(_reduction.any(zero, axis=-1), minus_inf,
                                _reduction.sum(_math.log(safe), axis=-1))
    return SlogdetResult(sign.astype(a.dtype, copy=False), logabsdet)


def cholesky(a, /, *, upper=False):
    a = _stack(a)
    factor = _new(a, a.shape, a.dtype)
    _run(_core.LINALG_CHOLESKY, "cholesky", a, (factor,), upper=bool(upper))
    return factor

# ---------------------------------------------------------------- decompositions


def qr(a, mode="reduced"):
    if mode not in ("reduced", "complete", "r", "raw"):
        raise ValueError(f"Unrecognized mode '{mode}'")
    a = _stack(a, square=False)
    m, n = a.shape[-2:]
    k, batch = min(m, n), a.shape[:-2]
    if mode == "raw":
        h, tau = _new(a, batch + (n, m), a.dtype), _new(a, batch + (k,), a.dtype)
        if not a.size:
            h.fill(0)
        _run(_core.LINALG_QR, "qr", a, (h, tau), raw=True)
        return h, tau
    columns = m if mode == "complete" else k
    q = None if mode == "r" else _new(a, batch + (m, columns), a.dtype)
    r = _new(a, batch + (columns, n), a.dtype)
    if not a.size:
        r.fill(0)
        if q is not None:
            q[...] = _eye(a, batch, m, columns, a.dtype)
    _run(_core.LINALG_QR, "qr", a, (q, r), complete=mode == "complete",
         compute_uv=q is not None)
    return r if mode == "r" else QRResult(q, r)


def _svd_hermitian(a, full_matrices, compute_uv):
    """NumPy's svd of Hermitian matrices: the eigenvalues' magnitudes, descending."""
    if not compute_uv:
        return _manipulation.flip(_sorting.sort(_math.absolute(eigvalsh(a)), axis=-1), -1)
    w, v = eigh(a)
    order = _manipulation.flip(_sorting.argsort(_math.absolute(w), axis=-1), -1)
    s = _indexing.take_along_axis(_math.absolute(w), order, axis=-1)
    w = _indexing.take_along_axis(w, order, axis=-1)
    u = _indexing.take_along_axis(v, _manipulation.expand_dims(order, -2), axis=-1)
    vh = _conj_t(_math.multiply(u, _manipulation.expand_dims(_math.sign(w), -2)))
    return SVDResult(u, s, vh)


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    a = _stack(a, square=hermitian)
    if hermitian:
        return _svd_hermitian(a, full_matrices, compute_uv)
    m, n = a.shape[-2:]
    k, batch = min(m, n), a.shape[:-2]
    s = _new(a, batch + (k,), _real(a.dtype))
    if not compute_uv:
        return _run(_core.LINALG_SVD, "svd", a, (s,))[0]
    rows, columns = (n, m) if full_matrices else (k, k)
    u, vh = _new(a, batch + (m, columns), a.dtype), _new(a, batch + (rows, n), a.dtype)
    if not a.size:
        u[...] = _eye(a, batch, m, columns, a.dtype)
        vh[...] = _eye(a, batch, rows, n, a.dtype)
    _run(_core.LINALG_SVD, "svd", a, (s, u, vh), complete=bool(full_matrices),
         compute_uv=True)
    return SVDResult(u, s, vh)


def svdvals(x, /):
    return svd(x, compute_uv=False)


def _uplo(UPLO):
    if UPLO not in ("L", "U"):
        raise ValueError("UPLO argument must be 'L' or 'U'")
    return UPLO == "U"


def eigh(a, UPLO="L"):
    upper = _uplo(UPLO)
    a = _stack(a)
    w, v = _new(a, a.shape[:-1], _real(a.dtype)), _new(a, a.shape, a.dtype)
    _run(_core.LINALG_EIGH, "eigh", a, (w, v), upper=upper, compute_uv=True)
    return EighResult(w, v)


def eigvalsh(a, UPLO="L"):
    upper = _uplo(UPLO)
    a = _stack(a)
    w = _new(a, a.shape[:-1], _real(a.dtype))
    return _run(_core.LINALG_EIGH, "eigvalsh", a, (w,), upper=upper)[0]


def _eig(a, name, vectors):
    a = _stack(a)
    complex_type = numpy.result_type(a.dtype, numpy.complex64)
    outputs = (_new(a, a.shape[:-1], complex_type),) + ((_new(a, a.shape, complex_type),)
                                                         if vectors else ())
    _run(_core.LINALG_EIG, name, a, outputs, compute_uv=vectors)
    if a.dtype.kind == "f" and not _reduction.any(_math.imag(outputs[0])).item():
        # NumPy's real results when every eigenvalue of a real matrix is real (a sync)
        outputs = tuple(_math.real(x).copy() for x in outputs)
    return outputs


def eig(a):
    return EigResult(*_eig(a, "eig", True))


def eigvals(a):
    return _eig(a, "eigvals", False)[0]

# ---------------------------------------------------------------- through the SVD


def _cutoff_inverse(s, cutoff):
    """1/s where s > cutoff, else 0, and the mask."""
    large = _math.greater(s, cutoff)
    safe = _indexing.where(large, s, _creation.ones((), s.dtype, stream=s._op_stream))
    zero = _creation.zeros((), s.dtype, stream=s._op_stream)
    return _indexing.where(large, _math.true_divide(1, safe), zero), large


def lstsq(a, b, rcond=None):
    """(x, residuals, rank, s) by the SVD, as NumPy's gelsd: rank is a Python int (a sync)."""
    a = _stack(a, square=False)
    b = _creation.device_operand(b, a)
    if a.ndim != 2 or b.ndim not in (1, 2):
        raise LinAlgError(f"{b.ndim if a.ndim == 2 else a.ndim}-dimensional array given. "
                          "Array must be two-dimensional")
    m, n = a.shape
    if b.shape[0] != m:
        raise LinAlgError("Incompatible dimensions")
    dtype = _compute_dtype(a, b)
    a, b = a.astype(dtype, copy=False), b.astype(dtype, copy=False)
    vector = b.ndim == 1
    b2 = _manipulation.expand_dims(b, -1) if vector else b
    u, s, vh = svd(a, full_matrices=False)
    rcond = numpy.finfo(dtype).eps * max(m, n) if rcond is None else rcond
    cutoff = _math.multiply(rcond, _reduction.max(s)) if s.size else 0
    inverse, large = _cutoff_inverse(s, cutoff)
    rank = int(_reduction.sum(large).item())
    x = matmul(_conj_t(vh), _math.multiply(_manipulation.expand_dims(inverse, -1),
                                           matmul(_conj_t(u), b2)))
    if rank == n and m > n:
        error = _math.absolute(_math.subtract(b2, matmul(a, x)))
        residuals = _reduction.sum(_math.multiply(error, error), axis=0)
    else:
        residuals = _new(a, (0,), _real(dtype))
    return (x[..., 0] if vector else x), residuals, rank, s


def pinv(a, rcond=None, hermitian=False, *, rtol=_NO_VALUE):
    a = _stack(a, square=False)
    m, n = a.shape[-2:]
    if rcond is None:
        rcond = (1e-15 if rtol is _NO_VALUE else
                 max(m, n) * numpy.finfo(a.dtype).eps if rtol is None else rtol)
    if not a.size:
        return _creation.zeros(a.shape[:-2] + (n, m), a.dtype, stream=a._op_stream)
    u, s, vh = svd(_math.conjugate(a) if a.dtype.kind == "c" else a, full_matrices=False,
                   hermitian=hermitian)
    rcond = _creation.device_operand(rcond, a)
    cutoff = _math.multiply(_manipulation.expand_dims(rcond, -1),
                            _reduction.max(s, axis=-1, keepdims=True))
    inverse = _cutoff_inverse(s, cutoff)[0]
    return matmul(matrix_transpose(vh),
                  _math.multiply(_manipulation.expand_dims(inverse, -1), matrix_transpose(u)))


def matrix_rank(A, tol=None, hermitian=False, *, rtol=None):
    A = _creation.device_operand(A)
    if A.ndim < 2:
        return _reduction.any(_math.not_equal(A, 0)).astype(numpy.int64)
    S = (_math.absolute(eigvalsh(A)) if hermitian else svdvals(A))
    if tol is None:
        if rtol is None:
            rtol = max(A.shape[-2:]) * numpy.finfo(S.dtype).eps
        else:
            rtol = _manipulation.expand_dims(_creation.device_operand(rtol, A), -1)
        tol = _math.multiply(_reduction.max(S, axis=-1, keepdims=True), rtol)
    else:
        tol = _manipulation.expand_dims(_creation.device_operand(tol, A), -1)
    return _reduction.count_nonzero(_math.greater(S, tol), axis=-1)


def cond(x, p=None):
    """numpy.linalg.cond; for p other than None, 2 and -2 a singular matrix raises
    LinAlgError at the sync (NumPy returns inf there)."""
    x = _stack(x, square=p not in (None, 2, -2))
    if p in (None, 2, -2):
        s = svdvals(x)
        largest, smallest = s[..., 0], s[..., -1]
        return (_math.true_divide(largest, smallest) if p != -2
                else _math.true_divide(smallest, largest))
    return _math.multiply(norm(x, p, axis=(-2, -1)), norm(inv(x), p, axis=(-2, -1)))

# ---------------------------------------------------------------- norms


def _vector_norm(x, ord, axis, keepdims):
    magnitude = _math.absolute(x)
    if ord == numpy.inf:
        return _reduction.max(magnitude, axis=axis, keepdims=keepdims)
    if ord == -numpy.inf:
        return _reduction.min(magnitude, axis=axis, keepdims=keepdims)
    if ord == 0:
        return _reduction.sum(_math.not_equal(x, 0).astype(magnitude.dtype), axis=axis,
                              keepdims=keepdims)
    if ord == 1:
        return _reduction.sum(magnitude, axis=axis, keepdims=keepdims)
    if ord is None or ord == 2:
        return _math.sqrt(_reduction.sum(_math.multiply(magnitude, magnitude), axis=axis,
                                         keepdims=keepdims))
    if isinstance(ord, str):
        raise ValueError(f"Invalid norm order '{ord}' for vectors")
    powered = _reduction.sum(_math.power(magnitude, ord), axis=axis, keepdims=keepdims)
    return _math.power(powered, 1.0 / ord).astype(magnitude.dtype, copy=False)


def _matrix_norm(x, ord, axes, keepdims):
    row, col = axes
    magnitude = _math.absolute(x)
    if ord in (2, -2, "nuc"):
        s = svdvals(_manipulation.moveaxis(x, (row, col), (-2, -1)))
        result = (_reduction.max(s, axis=-1) if ord == 2 else
                  _reduction.min(s, axis=-1) if ord == -2 else _reduction.sum(s, axis=-1))
    elif ord in (1, -1, numpy.inf, -numpy.inf):
        summed, other = (row, col) if ord in (1, -1) else (col, row)
        other -= other > summed
        pick = _reduction.max if ord > 0 else _reduction.min
        result = pick(_reduction.sum(magnitude, axis=summed), axis=other)
    elif ord in (None, "fro"):
        result = _math.sqrt(_reduction.sum(_math.multiply(magnitude, magnitude), axis=axes))
    else:
        raise ValueError("Invalid norm order for matrices.")
    if keepdims:
        result = _manipulation.expand_dims(result, tuple(sorted(axes)))
    return result


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002 - NumPy's name
    """numpy.linalg.norm: every order NumPy accepts, over one axis (vector norms) or two
    (matrix norms), in x's real floating-point type."""
    x = _creation.device_operand(x)
    if x.dtype.kind in "biu":
        x = x.astype(numpy.float64)
    if axis is None:
        if ord is None:
            result = _vector_norm(_manipulation.ravel(x), None, 0, False)
            return (_manipulation.reshape(result, (1,) * x.ndim) if keepdims else result)
        if x.ndim not in (1, 2):
            raise ValueError("Improper number of dimensions to norm.")
        axis = tuple(range(x.ndim))
    axes = (axis,) if not isinstance(axis, (tuple, list)) else tuple(axis)
    axes = tuple(_manipulation.normalize_axis(operator.index(a), x.ndim) for a in axes)
    if len(axes) == 1:
        return _vector_norm(x, ord, axes[0], keepdims)
    if len(axes) != 2:
        raise ValueError("Improper number of dimensions to norm.")
    if axes[0] == axes[1]:
        raise ValueError("Duplicate axes given.")
    return _matrix_norm(x, ord, axes, keepdims)


def matrix_norm(x, /, *, keepdims=False, ord="fro"):  # noqa: A002
    x = _stack(x, square=False)
    return norm(x, ord=ord, axis=(-2, -1), keepdims=keepdims)


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):  # noqa: A002
    """The array API's vector_norm: any number of axes, flattened into one."""
    x = _creation.device_operand(x)
    axes = (tuple(range(x.ndim)) if axis is None else
            (axis,) if not isinstance(axis, (tuple, list)) else tuple(axis))
    axes = tuple(_manipulation.normalize_axis(operator.index(a), x.ndim) for a in axes)
    rest = [d for d in range(x.ndim) if d not in axes]
    moved = _manipulation.transpose(x, rest + list(axes))
    merged = _manipulation.reshape(moved, tuple(x.shape[d] for d in rest) + (-1,))
    result = norm(merged, ord=ord, axis=-1)
    if keepdims:
        result = _manipulation.reshape(result, tuple(1 if d in axes else x.shape[d]
                                                     for d in range(x.ndim)))
    return result

# ---------------------------------------------------------------- composed routines


def matrix_power(a, n):
    a = _creation.device_operand(a)
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError("exponent must be an integer") from None
    if a.ndim < 2:
        raise LinAlgError(f"{a.ndim}-dimensional array given. Array must be at least "
                          "two-dimensional")
    if a.shape[-1] != a.shape[-2]:
        raise LinAlgError("Last 2 dimensions of the array must be square")
    if n == 0:
        return _eye(a, a.shape[:-2], a.shape[-1], a.shape[-1], a.dtype).copy()
    if n < 0:
        a, n = inv(a), -n
    result, power = None, a
    while True:
        if n & 1:
            result = power if result is None else matmul(result, power)
        n >>= 1
        if not n:
            return result.copy() if result is a else result
        power = matmul(power, power)


def tensorsolve(a, b, axes=None):
    a = _creation.device_operand(a)
    b = _creation.device_operand(b, a)
    if axes is not None:
        order = [k for k in range(a.ndim) if k not in
                 [_manipulation.normalize_axis(axis, a.ndim) for axis in axes]]
        a = _manipulation.transpose(a, order + [_manipulation.normalize_axis(axis, a.ndim)
                                                for axis in axes])
    old_shape = a.shape[b.ndim:]
    size = int(numpy.prod(old_shape))
    if a.size != size ** 2:
        raise LinAlgError("Input arrays must satisfy the requirement "
                          "prod(a.shape[b.ndim:]) == prod(a.shape[:b.ndim])")
    x = solve(_manipulation.reshape(a, (size, size)), _manipulation.ravel(b))
    return _manipulation.reshape(x, old_shape)


def tensorinv(a, ind=2):
    a = _creation.device_operand(a)
    if ind <= 0:
        raise ValueError("Invalid ind argument.")
    inverse_shape = a.shape[ind:] + a.shape[:ind]
    size = int(numpy.prod(a.shape[ind:]))
    return _manipulation.reshape(inv(_manipulation.reshape(a, (size, -1))), inverse_shape)


def _chain_order(shapes):
    """The optimal parenthesisation of a matrix chain (dynamic programming on the shapes):
    split[i][j] is where the product of matrices i..j splits."""
    count = len(shapes)
    dims = [shapes[0][0]] + [shape[1] for shape in shapes]
    cost = [[0] * count for _ in range(count)]
    split = [[0] * count for _ in range(count)]
    for length in range(1, count):
        for i in range(count - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def multi_dot(arrays, *, out=None):
    """The chained product in the cheapest order; a first 1-D operand is a row, a last one
    a column, as numpy.linalg.multi_dot."""
    arrays = [_creation.device_operand(x) for x in arrays]
    if len(arrays) < 2:
        raise ValueError("Expecting at least two arrays.")
    first, last = arrays[0].ndim == 1, arrays[-1].ndim == 1
    if first:
        arrays[0] = _manipulation.expand_dims(arrays[0], 0)
    if last:
        arrays[-1] = _manipulation.expand_dims(arrays[-1], -1)
    for x in arrays:
        if x.ndim != 2:
            raise LinAlgError(f"{x.ndim}-dimensional array given. Array must be "
                              "two-dimensional")
    split = _chain_order([x.shape for x in arrays])

    def product(i, j):
        if i == j:
            return arrays[i]
        return matmul(product(i, split[i][j]), product(split[i][j] + 1, j))

    result = product(0, len(arrays) - 1)
    if first and last:
        result = result[0, 0]
    elif first or last:
        result = result[0] if first else result[:, 0]
    if out is not None:
        out[...] = result
        return out
    return result


def outer(x1, x2, /):
    x1, x2 = _creation.device_operand(x1), _creation.device_operand(x2)
    if x1.ndim != 1 or x2.ndim != 1:
        raise ValueError(f"Input arrays must be one-dimensional, but they are x1.ndim="
                         f"{x1.ndim} and x2.ndim={x2.ndim}.")
    return _linalg.outer(x1, x2)


def cross(x1, x2, /, *, axis=-1):
    x1, x2 = _creation.device_operand(x1), _creation.device_operand(x2, x1)
    if x1.shape[axis] != 3 or x2.shape[axis] != 3:
        raise ValueError(f"Both input arrays must be (arrays of) 3-dimensional vectors, but "
                         f"they are {x1.shape[axis]} and {x2.shape[axis]} dimensional "
                         "instead.")
    return _differences.cross(x1, x2, axis=axis)


def trace(x, /, *, offset=0, dtype=None):
    return _building.trace(x, offset, -2, -1, dtype=dtype)


def diagonal(x, /, *, offset=0):
    return _building.diagonal(x, offset, -2, -1)


def __getattr__(name):
    raise AttributeError(f"pymic2.linalg has no {name!r}: numpy.linalg.{name} is not "
                         "implemented on the device")
