import math
import numpy as _np


def softmax(x, axis=-1):
    e = _np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    m = x.max(axis=axis, keepdims=True)
    return x - m - _np.log(_np.exp(x - m).sum(axis=axis, keepdims=True))


def gelu(x):
    return 0.5 * x * (1 + _np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def silu(x):
    return x / (1 + _np.exp(-x))
