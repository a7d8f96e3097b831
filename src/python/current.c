/*
 * current.c - the calling thread's current stream of each device (CuPy's `with stream:`).
 *
 * Every op on arrays of a device runs on the thread's current stream of that device when one
 * is set, and new arrays made for the op belong to it; otherwise ops run on their array's
 * stream. pymic2._stream keeps the `with stream:` blocks and sets the entries here.
 *
 * The table (a list of streams or None, one per device) lives in the thread state's dict, so
 * it is released with the thread like threading.local data; a thread-local pointer to it
 * makes the lookup of every op one thread-local read. The pointer is only trusted for the
 * thread state that created it: a thread state made and deleted again on the same OS thread
 * (PyGILState_Ensure/Release in foreign-thread callbacks) would otherwise leave it dangling.
 */
#include "pymic2py.h"

static PyObject *table_key; /* the table's key in the thread state's dict */

static _Thread_local PyObject *thread_table; /* borrowed from the dict; NULL if none */
static _Thread_local PyThreadState *table_state;
static _Thread_local uint64_t table_state_id;

/* The calling thread's table (borrowed), or NULL if it has none. */
static PyObject *current_table(void)
{
    PyObject *table = thread_table;
    if (table == NULL)
        return NULL;
    PyThreadState *state = PyThreadState_Get();
    if (state != table_state || PyThreadState_GetID(state) != table_state_id) {
        thread_table = NULL; /* a previous thread state's, released with it */
        return NULL;
    }
    return table;
}

/* The calling thread's table, created (all None) on first use; borrowed. */
static PyObject *current_table_get_or_create(void)
{
    PyObject *table = current_table();
    if (table != NULL)
        return table;
    PyObject *dict = PyThreadState_GetDict();
    if (dict == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "current stream: the thread has no state dict");
        return NULL;
    }
    table = PyDict_GetItemWithError(dict, table_key);
    if (table == NULL) {
        if (PyErr_Occurred())
            return NULL;
        int count;
        int status = pymic2_device_count(&count);
        if (status < 0)
            return pymic2__py_raise(status);
        table = PyList_New(count);
        if (table == NULL)
            return NULL;
        for (int i = 0; i < count; i++) {
            Py_INCREF(Py_None);
            PyList_SET_ITEM(table, i, Py_None);
        }
        int failed = PyDict_SetItem(dict, table_key, table);
        Py_DECREF(table); /* the dict holds it */
        if (failed < 0)
            return NULL;
    }
    PyThreadState *state = PyThreadState_Get();
    thread_table = table;
    table_state = state;
    table_state_id = PyThreadState_GetID(state);
    return table;
}

/* The thread's current stream of device (borrowed), or NULL if none is set. */
static pymic2__py_stream *current_of(const pymic2__py_device *device)
{
    PyObject *table = current_table();
    if (table == NULL)
        return NULL;
    PyObject *stream = PyList_GET_ITEM(table, device->index);
    return stream == Py_None ? NULL : (pymic2__py_stream *)stream;
}

pymic2__py_stream *pymic2__py_current_stream(pymic2__py_device *device)
{
    pymic2__py_stream *current = current_of(device);
    return current != NULL ? current : (pymic2__py_stream *)device->default_stream;
}

pymic2__py_stream *pymic2__py_op_stream(const pymic2__py_array *array)
{
    pymic2__py_stream *current = current_of(array->stream->device);
    return current != NULL ? current : array->stream;
}

/* ---------------------------------------------------------------- module functions */

static PyObject *current_stream(PyObject *module, PyObject *device)
{
    (void)module;
    if (!PyObject_TypeCheck(device, &pymic2__py_device_type))
        return PyErr_Format(PyExc_TypeError, "current_stream needs a Device, not '%.100s'",
                            Py_TYPE(device)->tp_name);
    PyObject *current = (PyObject *)current_of((pymic2__py_device *)device);
    if (current == NULL)
        current = Py_None;
    Py_INCREF(current);
    return current;
}

static PyObject *set_current_stream(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *device, *stream;
    if (!PyArg_ParseTuple(args, "O!O:set_current_stream", &pymic2__py_device_type, &device,
                          &stream))
        return NULL;
    if (stream != Py_None) {
        if (!PyObject_TypeCheck(stream, &pymic2__py_stream_type))
            return PyErr_Format(PyExc_TypeError, "set_current_stream needs a Stream or None, "
                                "not '%.100s'", Py_TYPE(stream)->tp_name);
        if ((PyObject *)((pymic2__py_stream *)stream)->device != device)
            return PyErr_Format(PyExc_ValueError, "a stream of %S cannot be the current stream "
                                "of %S", (PyObject *)((pymic2__py_stream *)stream)->device,
                                device);
    }
    PyObject *table = current_table_get_or_create();
    if (table == NULL)
        return NULL;
    Py_INCREF(stream);
    if (PyList_SetItem(table, ((pymic2__py_device *)device)->index, stream) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef current_methods[] = {
    {"current_stream", current_stream, METH_O,
     "current_stream(device) -> the calling thread's current Stream of device, or None."},
    {"set_current_stream", set_current_stream, METH_VARARGS,
     "set_current_stream(device, stream): makes stream (a Stream of device, or None for none) "
     "the calling thread's current stream of device."},
    {NULL, NULL, 0, NULL},
};

int pymic2__py_current_init(PyObject *module)
{
    table_key = PyUnicode_InternFromString("pymic2._core.current_streams");
    if (table_key == NULL)
        return -1;
    return PyModule_AddFunctions(module, current_methods);
}
