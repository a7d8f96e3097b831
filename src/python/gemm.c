/*
 * gemm.c - _core.gemm(a, b, out=None, accumulate=False): NumPy's matmul of two arrays with
 * ndim >= 2 and one dtype, through pymic2_gemm (alpha 1; beta 0, or 1 with accumulate: out +=
 * a @ b in one command, as the fused RNN steps add h @ W to their gates). The batch
 * dimensions broadcast; transposed and strided views go to the core as they are (it decides
 * what needs a copy).
 *
 * 1-D operands, dot, tensordot, outer and type promotion are the caller's (pymic2._linalg),
 * which turns them into views of this shape.
 */
#include "pymic2py.h"

#include <string.h>

static void format_shape(char *text, size_t size, const pymic2__py_array *array)
{
    pymic2__py_format_shape(text, size, array->ndim, array->shape);
}

/* The output shape of a @ b into shape/ndim, or -1 with NumPy's ValueError. */
static int matmul_shape(const pymic2__py_array *a, const pymic2__py_array *b, int *ndim,
                        int64_t *shape)
{
    char shape_a[PYMIC2_MAX_DIMS * 24 + 4], shape_b[PYMIC2_MAX_DIMS * 24 + 4];
    format_shape(shape_a, sizeof shape_a, a);
    format_shape(shape_b, sizeof shape_b, b);
    int64_t k_a = a->shape[a->ndim - 1], k_b = b->shape[b->ndim - 2];
    if (k_a != k_b) {
        PyErr_Format(PyExc_ValueError,
                     "matmul: Input operand 1 has a mismatch in its core dimension 0, with "
                     "gufunc signature (n?,k),(k,m?)->(n?,m?) (size %lld is different from "
                     "%lld): shapes %s and %s",
                     (long long)k_b, (long long)k_a, shape_a, shape_b);
        return -1;
    }
    int batch = 0;
    pymic2_broadcast_shape(&batch, shape, a->ndim - 2, a->shape); /* into (): no conflict */
    if (!pymic2_broadcast_shape(&batch, shape, b->ndim - 2, b->shape)) {
        PyErr_Format(PyExc_ValueError,
                     "matmul: the batch dimensions of shapes %s and %s do not broadcast",
                     shape_a, shape_b);
        return -1;
    }
    shape[batch] = a->shape[a->ndim - 2];
    shape[batch + 1] = b->shape[b->ndim - 1];
    *ndim = batch + 2;
    return 0;
}

PyObject *pymic2__py_gemm(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"a", "b", "out", "accumulate", NULL};
    PyObject *a_object, *b_object, *out_object = Py_None;
    int accumulate = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!O!|Op:gemm", keywords,
                                     &pymic2__py_array_type, &a_object, &pymic2__py_array_type,
                                     &b_object, &out_object, &accumulate))
        return NULL;
    if (accumulate && out_object == Py_None)
        return PyErr_Format(PyExc_ValueError, "gemm: accumulate needs an out array to add to");
    pymic2__py_array *a = (pymic2__py_array *)a_object, *b = (pymic2__py_array *)b_object;
    if (a->ndim < 2 || b->ndim < 2)
        return PyErr_Format(PyExc_ValueError, "gemm: the operands need 2 or more dimensions, "
                            "not %d and %d (1-D operands are the caller's)", a->ndim, b->ndim);
    if (a->dtype != b->dtype)
        return PyErr_Format(PyExc_TypeError, "gemm: the operands are %s and %s; promote them "
                            "to one dtype first", pymic2_dtype_name(a->dtype),
                            pymic2_dtype_name(b->dtype));
    int ndim;
    int64_t shape[PYMIC2_MAX_DIMS];
    if (matmul_shape(a, b, &ndim, shape) < 0)
        return NULL;

    pymic2__py_array *out;
    if (out_object != Py_None) {
        if (!PYMIC2__PY_ARRAY_CHECK(out_object))
            return PyErr_Format(PyExc_TypeError, "gemm: out must be a pymic2 array, not "
                                "'%.100s'", Py_TYPE(out_object)->tp_name);
        out = (pymic2__py_array *)out_object;
        if (out->ndim != ndim || memcmp(out->shape, shape, sizeof(int64_t) * (size_t)ndim)) {
            char have[PYMIC2_MAX_DIMS * 24 + 4], want[PYMIC2_MAX_DIMS * 24 + 4];
            format_shape(have, sizeof have, out);
            pymic2__py_format_shape(want, sizeof want, ndim, shape);
            return PyErr_Format(PyExc_ValueError, "matmul: out has shape %s, the result is %s",
                                have, want);
        }
        Py_INCREF(out);
    } else {
        out = pymic2__py_array_new(Py_TYPE(a), pymic2__py_op_stream(a), a->dtype, ndim, shape,
                                   0);
        if (out == NULL)
            return NULL;
    }

    pymic2_gemm_desc desc;
    memset(&desc, 0, sizeof(desc)); /* beta = 0: out is only written */
    PyObject *one = PyLong_FromLong(1);
    int failed = one == NULL || pymic2__py_scalar_from_object(one, a->dtype, &desc.alpha) < 0 ||
                 (accumulate && pymic2__py_scalar_from_object(one, a->dtype, &desc.beta) < 0) ||
                 pymic2__py_array_operand(a, &desc.a) < 0 ||
                 pymic2__py_array_operand(b, &desc.b) < 0 ||
                 pymic2__py_array_output(out, &desc.c) < 0;
    Py_XDECREF(one);
    if (!failed && pymic2__py_array_size(out) > 0) {
        int status = pymic2_gemm(pymic2__py_op_stream(out)->stream, &desc);
        if (status < 0) {
            pymic2__py_raise(status);
            failed = 1;
        }
    }
    if (failed) {
        Py_DECREF(out);
        return NULL;
    }
    return (PyObject *)out;
}
