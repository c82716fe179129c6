from numpy import *  # noqa: F401,F403
import numpy as _np

bfloat16 = _np.float32


def zeros(shape, dtype=_np.float32):
    return _np.zeros(shape, dtype)


def ones(shape, dtype=_np.float32):
    return _np.ones(shape, dtype)
