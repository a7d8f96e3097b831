"""Matrix products on device arrays: matmul (@), dot, tensordot and outer, all through the C
API's pymic2_gemm (_core.gemm). 1-D operands, contractions and outer products become 2-D
views (a transposed view stays a view: the GEMM takes it with a transpose flag).
"""

import math
import operator

import numpy

from . import _core, _dtypes, _manipulation, _math, _operands, _reduction

__all__ = ["dot", "inner", "matmul", "matvec", "outer", "tensordot", "vdot", "vecdot",
           "vecmat"]

_CoreArray = _core.ndarray
_plans = {}


def _compute_code(a, b):
    """The dtype code matmul computes in, by NumPy's matmul resolution (cached)."""
    key = (a._dtype_code, b._dtype_code)
    code = _plans.get(key)
    if code is None:
        resolved = numpy.matmul.resolve_dtypes((a.dtype, b.dtype, None))
        code = _plans[key] = _dtypes.CODES[_dtypes.device_dtype(resolved[0])]
    return code


def _product_operands(a, b, name):
    like = a if isinstance(a, _CoreArray) else b
    if not isinstance(like, _CoreArray):
        raise TypeError(f"{name} runs on a device: give it a pymic2 array")
    x, y = _math._operand(a, like), _math._operand(b, like)
    if x is None or y is None:
        raise TypeError(f"{name}: unsupported operand types ({type(a).__name__}, "
                        f"{type(b).__name__})")
    if not isinstance(x, _CoreArray):
        x = _operands.zero_dim(x, _dtypes.CODES[_dtypes.result_type(x)], like)
    if not isinstance(y, _CoreArray):
        y = _operands.zero_dim(y, _dtypes.CODES[_dtypes.result_type(y)], like)
    code = _compute_code(x, y)
    return _math._cast(x, code), _math._cast(y, code)


def _insert_axis(array, position):
    """A view with a new dimension of length 1 at position (stride: the itemsize)."""
    shape, strides = list(array.shape), list(array.strides)
    shape.insert(position, 1)
    strides.insert(position, array.itemsize)
    return array._view(array.offset, tuple(shape), tuple(strides))


def _drop_axis(array, position):
    shape, strides = list(array.shape), list(array.strides)
    del shape[position], strides[position]
    return array._view(array.offset, tuple(shape), tuple(strides))


def _gemm(a, b, out, casting="same_kind"):
    """a @ b for operands of one dtype with NumPy's 1-D rules, into out if given."""
    vector_a, vector_b = a.ndim == 1, b.ndim == 1
    a2 = _insert_axis(a, 0) if vector_a else a
    b2 = _insert_axis(b, 1) if vector_b else b
    target = None
    if out is not None and out.dtype == a.dtype:
        target = out
        if vector_b:
            target = _insert_axis(target, target.ndim)
        if vector_a:
            target = _insert_axis(target, target.ndim - 1)
    result = _core.gemm(a2, b2, target)
    if target is not None:
        return out
    if vector_b:
        result = _drop_axis(result, result.ndim - 1)
    if vector_a:
        result = _drop_axis(result, result.ndim - 2)
    if out is None:
        return result
    if out.shape != result.shape:
        raise ValueError(f"matmul: out has shape {out.shape}, the result is {result.shape}")
    return _operands.write_out("matmul", result, out, casting)


def matmul(x1, x2, /, out=None, *, casting="same_kind", dtype=None):
    """NumPy's matmul: batched matrix products; 1-D operands are promoted to a row (first) or
    a column (second) and that dimension removed again."""
    a, b = _product_operands(x1, x2, "matmul")
    if dtype is not None:
        code = _dtypes.code_of(dtype, a._device)
        a, b = _math._cast(a, code), _math._cast(b, code)
    for index, operand in enumerate((a, b)):
        if operand.ndim == 0:
            raise ValueError(f"matmul: Input operand {index} does not have enough dimensions "
                             "(has 0, gufunc core with signature (n?,k),(k,m?)->(n?,m?) "
                             "requires 1)")
    return _gemm(a, b, _operands.single_out(out), casting)


def _matmul_operator(x1, x2):
    """The @ operator: NotImplemented for operands that cannot take part."""
    if not all(isinstance(x, (_CoreArray, numpy.ndarray, list, tuple)) for x in (x1, x2)):
        return NotImplemented
    return matmul(x1, x2)


def dot(a, b, out=None):
    """NumPy's dot: multiply for 0-d, matmul up to 2-D (and N-D with 1-D), else a sum over
    the last axis of a and the second-to-last of b."""
    x, y = _product_operands(a, b, "dot")
    if x.ndim == 0 or y.ndim == 0:
        return _math.multiply(x, y, out=out)
    if y.ndim <= 2 and (x.ndim <= 2 or y.ndim == 1):
        return _gemm(x, y, _operands.single_out(out))
    result = tensordot(x, y, axes=([x.ndim - 1], [y.ndim - 2]))
    out = _operands.single_out(out)
    return result if out is None else _operands.write_out("dot", result, out, "same_kind")


def _axis_list(axes, ndim):
    axes = [operator.index(axes)] if not isinstance(axes, (list, tuple)) else \
        [operator.index(a) for a in axes]
    for a in axes:
        if not -ndim <= a < ndim:
            raise numpy.exceptions.AxisError(a, ndim)
    return [a % ndim for a in axes]


def _as_matrix(array, rows, columns):
    """array (already permuted) as a (rows, columns) matrix: a view when its layout allows."""
    if array.shape == (rows, columns):
        return array
    return array.reshape(rows, columns)


def tensordot(a, b, axes=2):
    """NumPy's tensordot: sums the products over axes[0] of a and axes[1] of b (an int n:
    the last n of a and the first n of b)."""
    x, y = _product_operands(a, b, "tensordot")
    if isinstance(axes, (list, tuple)):
        if len(axes) != 2:
            raise ValueError("axes must be an int or a pair of axis sequences")
        axes_a, axes_b = _axis_list(axes[0], x.ndim), _axis_list(axes[1], y.ndim)
    else:
        n = operator.index(axes)
        if n < 0 or n > x.ndim or n > y.ndim:
            raise ValueError(f"tensordot: axes={n} does not fit shapes {x.shape} and "
                             f"{y.shape}")
        axes_a, axes_b = list(range(x.ndim - n, x.ndim)), list(range(n))
    if len(axes_a) != len(axes_b) or any(x.shape[i] != y.shape[j]
                                         for i, j in zip(axes_a, axes_b)):
        raise ValueError(f"shape-mismatch for sum: axes {axes_a} of shape {x.shape} and "
                         f"axes {axes_b} of shape {y.shape}")
    free_a = [i for i in range(x.ndim) if i not in axes_a]
    free_b = [j for j in range(y.ndim) if j not in axes_b]
    rows = math.prod(x.shape[i] for i in free_a)
    columns = math.prod(y.shape[j] for j in free_b)
    inner = math.prod(x.shape[i] for i in axes_a)
    matrix_a = _as_matrix(x.transpose(free_a + axes_a), rows, inner)
    matrix_b = _as_matrix(y.transpose(axes_b + free_b), inner, columns)
    result = _core.gemm(matrix_a, matrix_b)
    shape = tuple(x.shape[i] for i in free_a) + tuple(y.shape[j] for j in free_b)
    return result if result.shape == shape else result.reshape(shape)


def outer(a, b, out=None):
    """NumPy's outer: out[i, j] = a.ravel()[i] * b.ravel()[j], as a GEMM with k = 1."""
    x, y = _product_operands(a, b, "outer")
    x, y = x.reshape(-1), y.reshape(-1)
    result = _core.gemm(_insert_axis(x, 1), _insert_axis(y, 0))
    out = _operands.single_out(out)
    return result if out is None else _operands.write_out("outer", result, out, "same_kind")


def _conjugated_operands(a, b, name):
    """The operands of a product that conjugates its first argument (conjugated when
    complex: for real dtypes the conjugate is the value itself)."""
    x, y = _product_operands(a, b, name)
    return (_math.conjugate(x) if x.dtype.kind == "c" else x), y


def inner(a, b, /):
    """NumPy's inner: the sum of products over the last axes of a and b (multiply if either
    is 0-d)."""
    x, y = _product_operands(a, b, "inner")
    if x.ndim == 0 or y.ndim == 0:
        return _math.multiply(x, y)
    return tensordot(x, y, axes=([x.ndim - 1], [y.ndim - 1]))


def vdot(a, b, /):
    """NumPy's vdot: the dot product of the flattened arrays (a 0-d device array)."""
    x, y = _conjugated_operands(a, b, "vdot")
    x, y = x.reshape(-1), y.reshape(-1)
    if x.size != y.size:
        raise ValueError(f"vdot: cannot take the dot product of arrays of sizes {x.size} and "
                         f"{y.size}")
    return _gemm(x, y, None)


def vecdot(x1, x2, /, *, axis=-1):
    """The array API's (and NumPy's) vecdot: sum(x1 * x2) over axis (of each operand), the
    other dimensions broadcast."""
    x, y = _conjugated_operands(x1, x2, "vecdot")
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError("vecdot: the operands must have at least one dimension")
    x = _manipulation.moveaxis(x, axis, -1)
    y = _manipulation.moveaxis(y, axis, -1)
    if x.shape[-1] != y.shape[-1]:
        raise ValueError(f"vecdot: axis {axis} has size {x.shape[-1]} in one operand and "
                         f"{y.shape[-1]} in the other (shapes {x1.shape} and {x2.shape})")
    product = _math.multiply(x, y)
    return _reduction.sum(product, axis=-1, dtype=product.dtype)  # no int64 widening


def _core_size_check(name, signature, x, y, x_axis, y_axis):
    if x.ndim < (2 if name == "matvec" else 1) or y.ndim < (1 if name == "matvec" else 2):
        raise ValueError(f"{name}: an operand has too few dimensions for its core "
                         f"dimensions (gufunc signature {signature})")
    if x.shape[x_axis] != y.shape[y_axis]:
        raise ValueError(f"{name}: Input operand 1 has a mismatch in its core dimension 0, "
                         f"with gufunc signature {signature} (size {y.shape[y_axis]} is "
                         f"different from {x.shape[x_axis]})")


def matvec(x1, x2, /):
    """NumPy's matvec: the matrices of x1 times the vectors of x2, (..., m, n) @ (..., n),
    as one batched GEMM of x2's vectors as columns."""
    x, y = _product_operands(x1, x2, "matvec")
    _core_size_check("matvec", "(m,n),(n)->(m)", x, y, -1, -1)
    return matmul(x, _manipulation.expand_dims(y, -1))[..., 0]


def vecmat(x1, x2, /):
    """NumPy's vecmat: the conjugated vectors of x1 times the matrices of x2,
    (..., n) @ (..., n, m), as one batched GEMM of x1's vectors as rows."""
    x, y = _conjugated_operands(x1, x2, "vecmat")
    _core_size_check("vecmat", "(n),(n,m)->(m)", x, y, -1, -2)
    return matmul(_manipulation.expand_dims(x, -2), y)[..., 0, :]


class _LinalgMethods:
    """The matrix-product operators and methods of pymic2.ndarray."""

    __slots__ = ()

    def __matmul__(self, other):
        return _matmul_operator(self, other)

    def __rmatmul__(self, other):
        return _matmul_operator(other, self)

    def __imatmul__(self, other):
        return matmul(self, other, out=self)

    def dot(self, b, out=None):
        return dot(self, b, out)
