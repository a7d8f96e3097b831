/*
 * nn.c - the NN family's bindings.
 *
 * _core.windows(op, image, cols, indexes, kh, kw, sy, sx, ph, pw, dy, dx): one
 * pymic2_windows pass (op: WINDOWS_IM2COL, ...) into the arrays the caller made, on the
 * stream of ops on image; indexes may be None for the passes without them.
 *
 * _core.fused(op, operands, sizes, params, seed=0, counter=0): one pymic2_fused op on the
 * stream of ops on its first array operand; returns the generator's next counter.
 *
 * _core.softmax_cross_entropy(x, labels, ignore_label=-1, normalize=True, gloss=None):
 * Chainer's softmax cross entropy through pymic2_softmax_cross_entropy, on the stream of ops
 * on x (pymic2__py_op_stream). Without gloss it returns the loss (a new 0-d array); with gloss
 * (a 0-d array or a float) the gradient with respect to x (a new array of x's shape). The
 * fused elementwise ops of a layer (bias_relu, relu_grad) go through _core.elementwise like
 * every op row.
 */
#include "pymic2py.h"

#include <string.h>

static PyObject *softmax_cross_entropy(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"x", "labels", "ignore_label", "normalize", "gloss", NULL};
    pymic2__py_array *x, *labels;
    long long ignore_label = -1;
    int normalize = 1;
    PyObject *gloss = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!O!|LpO:softmax_cross_entropy", keywords,
                                     &pymic2__py_array_type, &x, &pymic2__py_array_type, &labels,
                                     &ignore_label, &normalize, &gloss))
        return NULL;
    pymic2_softmax_cross_entropy_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.pass = gloss == Py_None ? PYMIC2_SOFTMAX_CROSS_ENTROPY_FORWARD
                                 : PYMIC2_SOFTMAX_CROSS_ENTROPY_BACKWARD;
    desc.ignore_label = ignore_label;
    desc.normalize = normalize;
    if (pymic2__py_array_operand(x, &desc.x) < 0 ||
        pymic2__py_array_operand(labels, &desc.labels) < 0)
        return NULL;

    pymic2__py_array *out;
    if (desc.pass == PYMIC2_SOFTMAX_CROSS_ENTROPY_FORWARD) {
        out = pymic2__py_array_new(Py_TYPE(x), pymic2__py_op_stream(x), x->dtype, 0, NULL, 0);
        if (out == NULL)
            return NULL;
        if (pymic2__py_array_operand(out, &desc.loss) < 0)
            goto fail;
    } else {
        if (PYMIC2__PY_ARRAY_CHECK(gloss)) {
            if (pymic2__py_array_operand((pymic2__py_array *)gloss, &desc.loss) < 0)
                return NULL;
        } else {
            pymic2_scalar value;
            if (pymic2__py_scalar_from_object(gloss, x->dtype, &value) < 0)
                return NULL;
            pymic2_operand_scalar(&desc.loss, x->dtype, value);
        }
        out = pymic2__py_array_new(Py_TYPE(x), pymic2__py_op_stream(x), x->dtype, x->ndim,
                                   x->shape, 0);
        if (out == NULL)
            return NULL;
        if (pymic2__py_array_operand(out, &desc.grad) < 0)
            goto fail;
    }
    int status = pymic2_softmax_cross_entropy(pymic2__py_op_stream(x)->stream, &desc);
    if (status < 0) {
        pymic2__py_raise(status);
        goto fail;
    }
    return (PyObject *)out;
fail:
    Py_DECREF(out);
    return NULL;
}

static PyObject *windows(PyObject *module, PyObject *args)
{
    (void)module;
    pymic2_windows_desc desc;
    memset(&desc, 0, sizeof desc);
    int op;
    pymic2__py_array *image, *cols;
    PyObject *indexes;
    long long geometry[8];
    if (!PyArg_ParseTuple(args, "iO!O!OLLLLLLLL:windows", &op, &pymic2__py_array_type, &image,
                          &pymic2__py_array_type, &cols, &indexes, &geometry[0], &geometry[1],
                          &geometry[2], &geometry[3], &geometry[4], &geometry[5], &geometry[6],
                          &geometry[7]))
        return NULL;
    desc.op = (pymic2_windows_op)op;
    desc.kh = geometry[0];
    desc.kw = geometry[1];
    desc.sy = geometry[2];
    desc.sx = geometry[3];
    desc.ph = geometry[4];
    desc.pw = geometry[5];
    desc.dy = geometry[6];
    desc.dx = geometry[7];
    if (pymic2__py_array_operand(image, &desc.image) < 0 ||
        pymic2__py_array_operand(cols, &desc.cols) < 0)
        return NULL;
    if (indexes != Py_None) {
        if (!PYMIC2__PY_ARRAY_CHECK(indexes)) {
            PyErr_Format(PyExc_TypeError, "windows: indexes must be a pymic2 array or None, "
                         "not %s", Py_TYPE(indexes)->tp_name);
            return NULL;
        }
        if (pymic2__py_array_operand((pymic2__py_array *)indexes, &desc.indexes) < 0)
            return NULL;
    }
    int status = pymic2_windows(pymic2__py_op_stream(image)->stream, &desc);
    if (status < 0)
        return pymic2__py_raise(status);
    Py_RETURN_NONE;
}

/* The written operands of each fused op (bit k: operand k), from the table. */
static const unsigned fused_written[] = {
#define FUSED_WRITTEN(NAME, name, kinds, written, optional, params) written,
    PYMIC2_FUSED_TABLE(FUSED_WRITTEN)
#undef FUSED_WRITTEN
};

static PyObject *fused(PyObject *module, PyObject *args)
{
    (void)module;
    pymic2_fused_args fused_args;
    memset(&fused_args, 0, sizeof fused_args);
    int op;
    PyObject *operands;
    long long sizes[4];
    double *p = fused_args.params;
    unsigned long long seed = 0, counter = 0;
    if (!PyArg_ParseTuple(args, "iO(LLLL)(dddddd)|KK:fused", &op, &operands, &sizes[0],
                          &sizes[1], &sizes[2], &sizes[3], &p[0], &p[1], &p[2], &p[3], &p[4],
                          &p[5], &seed, &counter))
        return NULL;
    if (op < 0 || op >= PYMIC2_FUSED_COUNT)
        return PyErr_Format(PyExc_ValueError, "fused: op %d is not a FUSED_* constant", op);
    PyObject *sequence = PySequence_Fast(operands, "fused: operands must be a sequence");
    if (sequence == NULL)
        return NULL;
    const Py_ssize_t count = PySequence_Fast_GET_SIZE(sequence);
    if (count < 1 || count > PYMIC2_FUSED_MAX_OPERANDS) {
        Py_DECREF(sequence);
        return PyErr_Format(PyExc_ValueError, "fused: %zd operands; 1 to %d", count,
                            PYMIC2_FUSED_MAX_OPERANDS);
    }
    pymic2__py_array *first = NULL;
    for (Py_ssize_t k = 0; k < count; k++) {
        PyObject *item = PySequence_Fast_GET_ITEM(sequence, k);
        if (item == Py_None)
            continue;
        if (!PYMIC2__PY_ARRAY_CHECK(item)) {
            Py_DECREF(sequence);
            return PyErr_Format(PyExc_TypeError, "fused: operand %zd must be a pymic2 array "
                                "or None, not %s", k, Py_TYPE(item)->tp_name);
        }
        pymic2__py_array *array = (pymic2__py_array *)item;
        first = first == NULL ? array : first;
        int status = fused_written[op] >> k & 1
                         ? pymic2__py_array_output(array, &fused_args.operands[k])
                         : pymic2__py_array_operand(array, &fused_args.operands[k]);
        if (status < 0) {
            Py_DECREF(sequence);
            return NULL;
        }
    }
    Py_DECREF(sequence);
    if (first == NULL)
        return PyErr_Format(PyExc_ValueError, "fused: every operand is None");
    fused_args.op = (pymic2_fused_op)op;
    for (int k = 0; k < 4; k++)
        fused_args.sizes[k] = sizes[k];
    fused_args.seed = seed;
    fused_args.counter = counter;
    uint64_t next = counter;
    int status = pymic2_fused(pymic2__py_op_stream(first)->stream, &fused_args, &next);
    if (status < 0)
        return pymic2__py_raise(status);
    return PyLong_FromUnsignedLongLong(next);
}

PyMethodDef pymic2__py_nn_methods[] = {
    {"fused", fused, METH_VARARGS,
     "fused(op, operands, sizes, params, seed=0, counter=0): one pymic2_fused op (FUSED_*) "
     "on the operands' arrays (None for an absent optional one), 4 sizes and 6 parameters; "
     "returns the Philox counter after it (DROPOUT advances it)."},
    {"windows", windows, METH_VARARGS,
     "windows(op, image, cols, indexes, kh, kw, sy, sx, ph, pw, dy, dx): im2col, col2im or a "
     "2-d pooling pass (op: WINDOWS_*) into the given arrays."},
    {"softmax_cross_entropy", (PyCFunction)(void (*)(void))softmax_cross_entropy,
     METH_VARARGS | METH_KEYWORDS,
     "softmax_cross_entropy(x, labels, ignore_label=-1, normalize=True, gloss=None): Chainer's "
     "softmax cross entropy: the 0-d loss, or with gloss the gradient for x."},
    {NULL, NULL, 0, NULL},
};
