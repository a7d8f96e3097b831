/*
 * nn.c - the NN family's bindings.
 *
 * _core.windows(op, image, cols, indexes, kh, kw, sy, sx, ph, pw, dy, dx): one
 * pymic2_windows pass (op: WINDOWS_IM2COL, ...) into the arrays the caller made, on the
 * stream of ops on image; indexes may be None for the passes without them.
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

PyMethodDef pymic2__py_nn_methods[] = {
    {"windows", windows, METH_VARARGS,
     "windows(op, image, cols, indexes, kh, kw, sy, sx, ph, pw, dy, dx): im2col, col2im or a "
     "2-d pooling pass (op: WINDOWS_*) into the given arrays."},
    {"softmax_cross_entropy", (PyCFunction)(void (*)(void))softmax_cross_entropy,
     METH_VARARGS | METH_KEYWORDS,
     "softmax_cross_entropy(x, labels, ignore_label=-1, normalize=True, gloss=None): Chainer's "
     "softmax cross entropy: the 0-d loss, or with gloss the gradient for x."},
    {NULL, NULL, 0, NULL},
};
