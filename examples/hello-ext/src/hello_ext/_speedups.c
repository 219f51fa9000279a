/* The smallest useful CPython extension: two functions, no state. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *add(PyObject *self, PyObject *args) {
    long a, b;
    if (!PyArg_ParseTuple(args, "ll", &a, &b)) return NULL;
    return PyLong_FromLong(a + b);
}

static PyObject *greeting(PyObject *self, PyObject *args) {
    const char *name = "world";
    if (!PyArg_ParseTuple(args, "|s", &name)) return NULL;
    return PyUnicode_FromFormat("hello, %s, from C", name);
}

static PyMethodDef methods[] = {
    {"add", add, METH_VARARGS, "Add two integers."},
    {"greeting", greeting, METH_VARARGS, "Return a greeting."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_speedups", "C part of hello-ext.", -1, methods};

PyMODINIT_FUNC PyInit__speedups(void) { return PyModule_Create(&module); }
