/*
 * reduce.c - _core.reduce(reduction, input, axes, keepdims=False, out=None): one reduction
 * of pymic2_ops.h's PYMIC2_REDUCTION_TABLE over the input dimensions in the bit mask `axes`,
 * with the output allocated from the pool (or given) and launched with pymic2_op_launch.
 *
 * Axis normalisation, NumPy's dtype rules (sum of int8 is int64, dtype=, mean, var) and
 * casting into an `out` of another dtype are the caller's (pymic2._statistics); the input
 * arrives in the dtype the reduction runs in.
 */
#include "pymic2py.h"

#include <string.h>

/* The output dtype of each reduction given its input's (the table's last column). */
typedef enum { OUT_SAME, OUT_BOOL, OUT_INT64 } reduce_out;

static const reduce_out reduce_outs[PYMIC2_NUM_REDUCTIONS] = {
#define REDUCE_OUT(NAME, name, OP, OUT) [PYMIC2_REDUCE_##NAME] = OUT_##OUT,
    PYMIC2_REDUCTION_TABLE(REDUCE_OUT)
#undef REDUCE_OUT
};

static int is_cumulative(pymic2_reduction reduction)
{
    return reduction == PYMIC2_REDUCE_CUMSUM || reduction == PYMIC2_REDUCE_CUMPROD;
}

PyObject *pymic2__py_reduce(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"reduction", "input", "axes", "keepdims", "out", NULL};
    int reduction, keepdims = 0;
    PyObject *input_object, *out_object = Py_None;
    unsigned long axes;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "iO!k|pO:reduce", keywords, &reduction,
                                     &pymic2__py_array_type, &input_object, &axes, &keepdims,
                                     &out_object))
        return NULL;
    if (reduction <= PYMIC2_REDUCE_NONE || reduction >= PYMIC2_NUM_REDUCTIONS)
        return PyErr_Format(PyExc_ValueError, "reduce: unknown reduction %d", reduction);
    pymic2__py_array *input = (pymic2__py_array *)input_object;
    if (axes >> input->ndim != 0)
        return PyErr_Format(PyExc_ValueError,
                            "reduce: axes 0x%lx name dimensions a %d-d input does not have",
                            axes, input->ndim);

    pymic2_dtype out_dtype = reduce_outs[reduction] == OUT_BOOL    ? PYMIC2_BOOL
                             : reduce_outs[reduction] == OUT_INT64 ? PYMIC2_INT64
                                                                   : input->dtype;
    pymic2__py_array *out;
    if (out_object != Py_None) {
        if (!PYMIC2__PY_ARRAY_CHECK(out_object))
            return PyErr_Format(PyExc_TypeError, "reduce: out must be a pymic2 array, not "
                                "'%.100s'", Py_TYPE(out_object)->tp_name);
        out = (pymic2__py_array *)out_object;
        Py_INCREF(out);
    } else {
        int ndim = 0;
        int64_t shape[PYMIC2_MAX_DIMS];
        for (int d = 0; d < input->ndim; d++) {
            if (!(axes >> d & 1) || is_cumulative((pymic2_reduction)reduction))
                shape[ndim++] = input->shape[d];
            else if (keepdims)
                shape[ndim++] = 1;
        }
        out = pymic2__py_array_new(Py_TYPE(input), pymic2__py_op_stream(input), out_dtype, ndim,
                                   shape, 0);
        if (out == NULL)
            return NULL;
    }

    /* the output must not overlap the input (pymic2_ops.h): one in the input's buffer is
     * computed in a temporary and copied */
    pymic2__py_array *target = out;
    if (out->buffer == input->buffer) {
        target = pymic2__py_array_new(Py_TYPE(out), pymic2__py_op_stream(out), out->dtype,
                                      out->ndim, out->shape, 0);
        if (target == NULL) {
            Py_DECREF(out);
            return NULL;
        }
    }
    pymic2_op_desc desc;
    memset(&desc, 0, sizeof(desc));
    desc.noperands = 2;
    desc.reduction = (pymic2_reduction)reduction;
    desc.axes = (uint32_t)axes;
    if (pymic2__py_array_operand(input, &desc.operands[0]) < 0) {
        if (target != out)
            Py_DECREF(target);
        Py_DECREF(out);
        return NULL;
    }
    return pymic2__py_launch_into(&desc, 1, target, out);
}
