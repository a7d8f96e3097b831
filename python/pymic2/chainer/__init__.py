"""pymic2.chainer: Chainer 7.8.1 training on pyMIC2 devices.

    import pymic2.chainer
    pymic2.chainer.enable()                 # once; idempotent
    import chainer
    model.to_device("@pymic2:host:0")       # or chainer.get_device("@pymic2")
    optimizer.update(model, x, t)           # forward, backward and update on the device

Importing this package imports Chainer, under NumPy 2 through the shim in _numpy2 (plain
Chainer on NumPy works the same after it). enable() patches Chainer's array-type checks and
device functions (see its docstring); nothing is patched before it is called.
"""

from ._numpy2 import import_chainer
from ._device import PyMIC2Device
from ._patches import enable, is_enabled

__all__ = ["PyMIC2Device", "enable", "import_chainer", "is_enabled"]
