"""Where kernel libraries are found: the search path and the file names tried (the
OffloadLibrary class is _device's: libraries belong to devices)."""

import os

from ._core import OffloadError

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _candidates(name):
    """The file names to try for a library name: as given, then pyMIC's lib<name>.so."""
    yield name
    base = os.path.basename(name)
    if not base.endswith(".so") and os.sep not in name:
        yield "lib" + name + ".so"
        yield name + ".so"


def search_path():
    """Directories searched for relative library names, in order."""
    dirs = []
    for variable in ("PYMIC2_LIBRARY_PATH", "PYMIC_LIBRARY_PATH"):
        dirs.extend(d for d in os.environ.get(variable, "").split(os.pathsep) if d)
    dirs.append(os.getcwd())
    dirs.append(_PACKAGE_DIR)
    return dirs


def find_library(name):
    """The path of a library file; OffloadError naming it and the search path if absent."""
    name = os.fspath(name)
    if os.path.isabs(name):
        if os.path.isfile(name):
            return name
        raise OffloadError(f"cannot find library '{name}': no such file")
    dirs = search_path()
    for directory in dirs:
        for candidate in _candidates(name):
            path = os.path.join(directory, candidate)
            if os.path.isfile(path):
                return path
    raise OffloadError(f"cannot find library '{name}' in PYMIC2_LIBRARY_PATH, "
                       f"PYMIC_LIBRARY_PATH, the current directory or the package "
                       f"(searched: {os.pathsep.join(dirs)})")
