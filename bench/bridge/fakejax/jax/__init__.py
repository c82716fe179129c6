"""A stand-in for JAX made of NumPy, to run exported scripts' Python where JAX is not installed (tests only): the
forward pass computes for real (shapes, einsums, reshapes), jit / checkpoint / sharding are pass-throughs, and
gradients are zeros of the right structure. It checks a script's control flow and shapes, not JAX's semantics."""
import os

import numpy as _np

from . import numpy, nn, lax, random, tree, sharding, tree_util  # noqa: F401

__version__ = 'fake-numpy'


class _Device:
    def __init__(self, i):
        self.id = i
        self.device_kind = 'fake cpu'

    def memory_stats(self):
        return None

    def __repr__(self):
        return 'FakeDevice(%d)' % self.id


_DEVICES = [_Device(i) for i in range(8)]


def devices():
    return list(_DEVICES)


class _Compiled:
    def __init__(self, fn):
        self.fn = fn

    def __call__(self, *a):
        return self.fn(*a)

    def as_text(self):
        return 'all-reduce( all-gather('

    def memory_analysis(self):
        return None


class _Lowered:
    def __init__(self, fn):
        self.fn = fn

    def compile(self):
        return _Compiled(self.fn)


def _has_partial(x):
    if isinstance(x, tree_util.Partial):
        return True
    if isinstance(x, (list, tuple)):
        return any(_has_partial(a) for a in x)
    if isinstance(x, dict):
        return any(_has_partial(a) for a in x.values())
    return False


class _Jitted:
    def __init__(self, fn):
        self.fn = fn

    def __call__(self, *a, **k):
        out = self.fn(*a, **k)
        # FAKEJAX_NO_FUNCTION_OUTPUTS: act as a JAX whose jit cannot return a VJP function (the scripts' fallback).
        if os.environ.get('FAKEJAX_NO_FUNCTION_OUTPUTS') and _has_partial(out):
            raise TypeError('jit output is not a valid JAX type: Partial')
        return out

    def lower(self, *a, **k):
        return _Lowered(self.fn)


def jit(fn=None, **kw):
    return _Jitted(fn)


def checkpoint(fn, **kw):
    return fn


def device_put(x, sharding=None):
    return tree.map(lambda a: _np.array(a), x)


def block_until_ready(x):
    return x


def _zeros(x):
    return tree.map(lambda a: _np.zeros_like(_np.asarray(a)), x)


def vjp(f, *primals):
    out = f(*primals)
    return out, tree_util.Partial(lambda g: tuple(_zeros(p) for p in primals))


def value_and_grad(f):
    def g(p, *a):
        return f(p, *a), _zeros(p)
    return g


class ShapeDtypeStruct:
    def __init__(self, shape, dtype, sharding=None):
        self.shape, self.dtype = shape, dtype
