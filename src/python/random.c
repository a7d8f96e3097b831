/*
 * random.c - _core.random(out, distribution, seed, counter, a=0, b=1, low=0, high=1): fills a
 * device array through pymic2_random and returns the next counter. The generator state
 * (seed, counter) lives in pymic2.random.
 */
#include "pymic2py.h"

#include <string.h>

PyObject *pymic2__py_random(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"out", "distribution", "seed", "counter", "a", "b", "low", "high",
                               NULL};
    pymic2__py_array *out;
    int distribution;
    unsigned long long seed, counter;
    double a = 0.0, b = 1.0;
    long long low = 0, high = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!iKK|ddLL:random", keywords,
                                     &pymic2__py_array_type, &out, &distribution, &seed,
                                     &counter, &a, &b, &low, &high))
        return NULL;
    pymic2_random_desc desc;
    memset(&desc, 0, sizeof desc);
    if (pymic2__py_array_output(out, &desc.out) < 0)
        return NULL;
    desc.distribution = (pymic2_random_distribution)distribution;
    desc.seed = seed;
    desc.counter = counter;
    desc.a = a;
    desc.b = b;
    desc.low = low;
    desc.high = high;
    uint64_t next;
    int status = pymic2_random(pymic2__py_op_stream(out)->stream, &desc, &next);
    if (status < 0)
        return pymic2__py_raise(status);
    return PyLong_FromUnsignedLongLong(next);
}
