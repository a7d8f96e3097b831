/*
 * fft.c - the FFT family in _core, on the stream of ops on the input (pymic2__py_op_stream):
 *   fft(x, out, kind, inverse=False, scale=1.0): transforms the rows (last axis) of x into
 *     out, an array of the right shape and dtype (see pymic2_fft); kind is FFT_C2C, FFT_R2C
 *     or FFT_C2R. Returns None.
 */
#include "pymic2py.h"

#include <string.h>

static PyObject *fft(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"x", "out", "kind", "inverse", "scale", NULL};
    pymic2__py_array *x, *out;
    int kind, inverse = 0;
    double scale = 1.0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!O!i|pd:fft", keywords,
                                     &pymic2__py_array_type, &x, &pymic2__py_array_type, &out,
                                     &kind, &inverse, &scale))
        return NULL;
    pymic2_fft_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.kind = (pymic2_fft_kind)kind;
    desc.inverse = inverse;
    desc.scale = scale;
    if (pymic2__py_array_operand(x, &desc.in) < 0 || pymic2__py_array_output(out, &desc.out) < 0)
        return NULL;
    int status = pymic2_fft(pymic2__py_op_stream(x)->stream, &desc);
    if (status < 0)
        return pymic2__py_raise(status), NULL;
    Py_RETURN_NONE;
}

PyMethodDef pymic2__py_fft_methods[] = {
    {"fft", (PyCFunction)(void (*)(void))fft, METH_VARARGS | METH_KEYWORDS,
     "fft(x, out, kind, inverse=False, scale=1.0): discrete Fourier transforms of the rows "
     "of x into out (kind FFT_C2C, FFT_R2C or FFT_C2R)."},
    {NULL, NULL, 0, NULL},
};
