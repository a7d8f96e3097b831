"""The package's shape (issue #12): modules import each other without cycles and without
imports inside functions; pymic2 and pymic2.numpy export public names only; pymic2.linalg and
pymic2.fft are namespaces; ufunc.reduce and ufunc.accumulate follow the core's one mapping."""

import ast
import os

import numpy
import pytest

import pymic2
from pymic2 import _core

PACKAGE_DIR = os.path.dirname(os.path.abspath(pymic2.__file__))
#: Command-line tools that import their optional dependencies (Chainer) when run.
TOOLS = {"mnist"}


def _modules():
    names = sorted(f[:-3] for f in os.listdir(PACKAGE_DIR) if f.endswith(".py"))
    return {name: ast.parse(open(os.path.join(PACKAGE_DIR, name + ".py")).read())
            for name in names if name not in TOOLS}


def _imported_modules(node, package_modules):
    """The package modules an import statement at module level names."""
    if not isinstance(node, ast.ImportFrom) or node.level != 1:
        return set()
    if node.module:
        return {node.module.split(".")[0]}
    return {alias.name for alias in node.names if alias.name in package_modules}


def test_the_modules_import_each_other_without_cycles():
    modules = _modules()
    graph = {name: set() for name in modules}
    for name, tree in modules.items():
        for node in tree.body:
            graph[name] |= _imported_modules(node, modules) & set(modules)
    done, visiting = set(), []

    def visit(name):
        if name in visiting:
            raise AssertionError("import cycle: " + " -> ".join(visiting + [name]))
        if name not in done:
            visiting.append(name)
            for target in sorted(graph[name]):
                visit(target)
            visiting.pop()
            done.add(name)

    for name in graph:
        visit(name)


def test_no_module_imports_inside_functions():
    for name, tree in _modules().items():
        for function in ast.walk(tree):
            if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(function):
                    assert not isinstance(node, (ast.Import, ast.ImportFrom)), \
                        f"{name}.py:{node.lineno} imports inside {function.name}()"


#: pyMIC's and pyMIC2's own public names (README), beside NumPy's.
OWN_NAMES = {
    "Event", "MemoryPool", "OffloadArray", "OffloadDevice", "OffloadError", "OffloadLibrary",
    "OffloadStream", "add_at", "asnumpy", "default_device", "devices", "get_array_module",
    "get_current_stream", "get_device", "get_elapsed_time", "get_include", "get_lib",
    "number_of_devices", "to_device", "using_device", "using_stream",
    "numpy", "SUPPORTED_API_VERSIONS",  # the array namespace module, the array API's
    "bench", "chainer", "datasets", "mnist",  # subpackages, bound once imported
}
HELPERS = ["getitem", "setitem", "is_advanced", "masked_reduce", "masked_mean", "where_mask",
           "matmul_operator", "norm", "lookup", "stream_for", "normalize_axis", "upload"]


@pytest.mark.parametrize("namespace", [pymic2, pymic2.numpy], ids=["pymic2", "pymic2.numpy"])
def test_namespaces_export_public_names_only(namespace):
    public = {n for n in dir(namespace) if not n.startswith("_")}
    public |= {n for n in getattr(namespace, "__all__", ())}
    assert public - set(dir(numpy)) - OWN_NAMES == set()
    for name in HELPERS:
        assert not hasattr(namespace, name), name
        with pytest.raises(AttributeError, match=name):
            getattr(namespace, name)


def test_linalg_is_a_namespace():
    assert pymic2.linalg is pymic2.numpy.linalg
    x = numpy.arange(12.0).reshape(3, 4) - 5
    a = pymic2.asarray(x)
    numpy.testing.assert_allclose(pymic2.linalg.norm(a).get(), numpy.linalg.norm(x))
    numpy.testing.assert_allclose(numpy.linalg.norm(a, axis=1).get(),
                                  numpy.linalg.norm(x, axis=1))
    b = pymic2.asarray(x.T.copy())
    for name, args, host_args in [("matmul", (a, b), (x, x.T)),
                                  ("tensordot", (a, a), (x, x)),
                                  ("vecdot", (a, a), (x, x)),
                                  ("matrix_transpose", (a,), (x,))]:
        expected = getattr(numpy.linalg, name)(*host_args)
        for function in (getattr(pymic2.linalg, name), getattr(numpy.linalg, name)):
            result = function(*args)
            assert isinstance(result, pymic2.ndarray), name
            numpy.testing.assert_allclose(result.get(), expected)
    with pytest.raises(AttributeError, match="numpy.linalg.matrix_exp"):
        pymic2.linalg.matrix_exp  # noqa: B018


def test_fft_is_the_namespace_of_both_modules_and_names_what_is_missing():
    assert pymic2.fft is pymic2.numpy.fft
    assert pymic2.fft.rfft is pymic2.numpy.fft.rfft
    with pytest.raises(AttributeError, match=r"numpy\.fft\.fft_everything"):
        pymic2.fft.fft_everything  # noqa: B018


def test_ufunc_reduce_and_accumulate_follow_the_core_mapping():
    """Every pair the core publishes is NumPy's reduce/accumulate of that ufunc, and the
    ufuncs outside it refuse."""
    assert _core.UFUNC_REDUCE == {
        _core.OP_ADD: _core.REDUCE_SUM, _core.OP_MULTIPLY: _core.REDUCE_PROD,
        _core.OP_MAXIMUM: _core.REDUCE_MAX, _core.OP_MINIMUM: _core.REDUCE_MIN,
        _core.OP_LOGICAL_AND: _core.REDUCE_ALL, _core.OP_LOGICAL_OR: _core.REDUCE_ANY}
    assert _core.UFUNC_ACCUMULATE == {_core.OP_ADD: _core.REDUCE_CUMSUM,
                                      _core.OP_MULTIPLY: _core.REDUCE_CUMPROD}
    x = numpy.array([[1, 0, 3], [2, 5, 0]], numpy.int64)
    a = pymic2.asarray(x)
    for name in ("add", "multiply", "maximum", "minimum", "logical_and", "logical_or"):
        for axis in (0, 1):
            numpy.testing.assert_array_equal(getattr(pymic2, name).reduce(a, axis=axis).get(),
                                             getattr(numpy, name).reduce(x, axis=axis))
            numpy.testing.assert_array_equal(
                getattr(pymic2, name).reduce(a, axis=axis, initial=4).get(),
                getattr(numpy, name).reduce(x, axis=axis, initial=4))
    for name in ("add", "multiply"):
        numpy.testing.assert_array_equal(getattr(pymic2, name).accumulate(a, axis=1).get(),
                                         getattr(numpy, name).accumulate(x, axis=1))
    with pytest.raises(TypeError, match=r"subtract\.reduce"):
        pymic2.subtract.reduce(a)
    with pytest.raises(TypeError, match=r"maximum\.accumulate"):
        pymic2.maximum.accumulate(a)
