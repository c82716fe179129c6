import numpy as _np


def PRNGKey(seed):
    return _np.array([seed, 0], _np.uint32)


def split(key, n=2):
    return [_np.array([int(key[0]), i + 1], _np.uint32) for i in range(n)]


def normal(key, shape, dtype=_np.float32):
    return _np.random.default_rng(int(key[0]) * 1000 + int(key[1])).standard_normal(shape).astype(dtype)
