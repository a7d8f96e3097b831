"""The functions of the array namespace, by name: what pymic2.numpy (and so pymic2) offers
and what NumPy's protocols dispatch to. Each function module lists its public names in
__all__; those and nothing else make up the namespace (helpers shared between the modules
are not part of it)."""

from . import (_building, _correlating, _creation, _differences, _einsum, _floating_point,
               _functional, _histograms, _indexing, _io, _linalg, _manipulation, _math,
               _nanfunctions, _rearranging, _reduction, _sets, _sorting, _special, _statistics,
               fft, linalg)

#: The modules whose __all__ make up the namespace, in look-up order.
NAMESPACE_MODULES = (_creation, _building, _manipulation, _rearranging, _math, _reduction,
                     _statistics, _nanfunctions, _correlating, _histograms, _differences,
                     _linalg, _einsum, _indexing, _functional, _io, _floating_point,
                     _sorting, _sets, _special)

#: The submodules a dotted name looks in ("linalg.norm").
SUBMODULES = {"linalg": linalg, "fft": fft}

_FUNCTIONS = {}
for _module in reversed(NAMESPACE_MODULES):  # the first module that has a name wins
    _FUNCTIONS.update((name, getattr(_module, name)) for name in _module.__all__)
for _prefix, _module in SUBMODULES.items():
    _FUNCTIONS.update((f"{_prefix}.{name}", getattr(_module, name)) for name in _module.__all__)


def lookup(name):
    """The pymic2 function of this name ("sum", "linalg.norm"), or None."""
    return _FUNCTIONS.get(name)


def namespace_names():
    """Every public name of the namespace modules (not those of the submodules)."""
    return {name for name in _FUNCTIONS if "." not in name}
