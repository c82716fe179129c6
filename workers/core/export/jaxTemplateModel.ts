/**
 * The Python of an exported JAX script, first half: the plan as JSON, meshes, parameter placement, the GPT and
 * Llama blocks in plain JAX, Adam. jaxScript.ts fills __TITLE__ and __PLAN__; the second half is jaxTemplateRun.ts.
 * Kept as text (not a .py file) so that the page's bundle carries it too.
 */
export const JAX_TEMPLATE_MODEL = String.raw`#!/usr/bin/env python3
"""__TITLE__

Written by meshplan export --format jax: runs the plan's training step in JAX/XLA and prints one JSON line with
the median step time, the peak device memory (memory_stats()) and the compiled programs' collectives, next to
Meshplan's prediction. Self-contained: the model is rebuilt here in plain JAX with random weights.

  python3 THIS.py [--steps N] [--warmup N] [--out FILE] [--fold] [--async] [--trace DIR]

--fold runs a multi-stage plan on fewer devices; --async times steps dispatched back to back (one wait at the end);
--trace DIR profiles one more step (jax.profiler) and adds GPU kernel time by class (GEMM, fusion, copy, NCCL).

What it does: one jax.sharding.Mesh per stage with the plan's logical mesh shape (axes 'x', 'y'); parameters and
optimizer state placed by NamedSharding(mesh, PartitionSpec) from the plan's per-tensor specs (the repeated blocks
of a stage stacked under lax.scan, with the stage's first block's specs); activations pinned with
with_sharding_constraint to the plan's specs (XLA reshards where a consumer wants another); jax.checkpoint on every
block of a stage the plan rematerialises; the global batch split into the plan's micro-batches, gradients
accumulated. A single-stage plan is one jitted step. A multi-stage plan runs each stage's forward and backward as
jitted programs on its own mesh in the schedule's order, one micro-batch at a time, moving activations and their
gradients between meshes with jax.device_put. It does not overlap: transfers with compute (device_put waits for
the sender), or a stage's gradient reduction with the next micro-batch (the SPMD partitioner reduces each
micro-batch's gradients inside its backward program); stages on different devices do run concurrently as far as
JAX's asynchronous dispatch lets them.
"""
import json
import math
import os
import re
import statistics
import sys
import time

import numpy as np
import jax
import jax.numpy as jnp
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P

PLAN = json.loads(r'''__PLAN__''')

CFG = PLAN['model']
FAMILY = CFG['family']
DTYPES = {'bf16': jnp.bfloat16, 'f16': jnp.float16, 'f32': jnp.float32}
DT = DTYPES[PLAN['precision']['params']]
MASTER = PLAN['precision']['master']
M = PLAN['microbatches']
B, S = PLAN['globalBatch'], CFG['seq']
FOLD = {'on': False}  # --fold: plan device d runs on jax.devices()[d % count] (a multi-stage plan on fewer GPUs)
COLLECTIVES = ('all-reduce', 'all-gather', 'reduce-scatter', 'all-to-all', 'collective-permute')


def spec(s):
    return P(*[tuple(d) if isinstance(d, list) else d for d in s])


def block_shapes():
    h = CFG['hidden']
    if FAMILY == 'gpt':
        f = CFG['mlpFactor'] * h
        return {'ln_1/scale': (h,), 'ln_1/bias': (h,), 'attn/qkv/kernel': (h, 3 * h), 'attn/qkv/bias': (3 * h,),
                'attn/proj/kernel': (h, h), 'attn/proj/bias': (h,), 'ln_2/scale': (h,), 'ln_2/bias': (h,),
                'mlp/fc/kernel': (h, f), 'mlp/fc/bias': (f,), 'mlp/proj/kernel': (f, h), 'mlp/proj/bias': (h,)}
    dh, nh, kv, inter = CFG['headDim'], CFG['heads'], CFG['kvHeads'], CFG['intermediate']
    return {'input_layernorm/scale': (h,), 'self_attn/q_proj/kernel': (h, nh * dh), 'self_attn/k_proj/kernel': (h, kv * dh),
            'self_attn/v_proj/kernel': (h, kv * dh), 'self_attn/o_proj/kernel': (nh * dh, h),
            'post_attention_layernorm/scale': (h,), 'mlp/gate_proj/kernel': (h, inter), 'mlp/up_proj/kernel': (h, inter),
            'mlp/down_proj/kernel': (inter, h)}


def outer_shapes(stage):
    h, V = CFG['hidden'], CFG['vocab']
    out = {}
    if FAMILY == 'gpt':
        if stage['pre'] or stage['post']:
            out['wte'] = (V, h)
        if stage['pre']:
            out['wpe'] = (S, h)
        if stage['post']:
            out.update({'ln_f/scale': (h,), 'ln_f/bias': (h,), 'logits/bias': (V,)})
    else:
        if stage['pre']:
            out['embed'] = (V, h)
        if stage['post']:
            out.update({'norm/scale': (h,), 'lm_head/kernel': (h, V)})
    return out


def init_value(name, shape, key):
    if name.endswith('scale'):
        return jnp.ones(shape, DT)
    if name.endswith('bias'):
        return jnp.zeros(shape, DT)
    return (jax.random.normal(key, shape, DT) * 0.02).astype(DT)


def device_of(d):
    devs = jax.devices()
    return devs[d % len(devs)] if FOLD['on'] else devs[d]


class Stage:
    def __init__(self, st):
        self.st = st
        n0, n1 = st['mesh']
        mine = [device_of(d) for d in st['devices']]
        if len(set(mine)) < len(mine):
            raise ValueError('stage %d: --fold puts two of its mesh devices on one device' % st['index'])
        self.mesh = Mesh(np.array(mine).reshape(n0, n1), ('x', 'y'))
        self.ns = lambda s: NamedSharding(self.mesh, spec(s))
        def placement(outer, seg_key):
            return {'outer': {k: self.ns(outer.get(k, st['outer'].get(k, [None] * len(v)))) for k, v in outer_shapes(st).items()},
                    'segments': [{k: self.ns([None] + seg[seg_key].get(k, seg['params'].get(k, [None] * len(v))))
                                  for k, v in block_shapes().items()} for seg in st['segments']]}
        shardings = placement({}, 'params')
        self.param_sharding = shardings
        opt_sharding = placement(st['outerOpt'], 'opt')  # ZeRO: optimizer state split further than the parameters

        def init(key):
            keys = iter(jax.random.split(key, 1 + len(outer_shapes(st)) + len(block_shapes()) * len(st['segments'])))
            outer = {k: init_value(k, v, next(keys)) for k, v in outer_shapes(st).items()}
            segs = [{k: init_value(k, (seg['blocks'][1] - seg['blocks'][0],) + v, next(keys)) for k, v in block_shapes().items()}
                    for seg in st['segments']]
            return {'outer': outer, 'segments': segs}

        self.params = jax.jit(init, out_shardings=shardings)(jax.random.PRNGKey(st['index']))
        f32 = lambda p: jnp.zeros(p.shape, jnp.float32)
        zeros = jax.jit(lambda p: jax.tree.map(f32, p), out_shardings=opt_sharding)
        self.opt = {'m': zeros(self.params), 'v': zeros(self.params)}
        if MASTER:
            self.opt['master'] = jax.jit(lambda p: jax.tree.map(lambda a: a.astype(jnp.float32), p), out_shardings=opt_sharding)(self.params)
        self.opt_sharding = {k: opt_sharding for k in self.opt}
        self.tokens_sharding = self.ns(st['tokens'])
        self.input_sharding = self.ns(st['input'])
        self.output_sharding = self.ns(st['output'])

    def constrain(self, acts):
        def c(name, t):
            s = acts.get(name)
            return jax.lax.with_sharding_constraint(t, self.ns(s)) if s is not None and len(s) == t.ndim else t
        return c

    def forward(self, params, x, tokens):
        """The stage's part of the model on one micro-batch: activations in, activations (or the loss) out."""
        st = self.st
        c0 = self.constrain(st['outerActs'])
        if st['pre']:
            x = embed(params['outer'], tokens, c0)
        x = jax.lax.with_sharding_constraint(x, self.input_sharding) if not st['pre'] else x
        for seg, p in zip(st['segments'], params['segments']):
            c = self.constrain(seg['acts'])
            body = lambda carry, layer: (BLOCK(carry, layer, c), None)
            if st['remat']:
                body = jax.checkpoint(body)
            x, _ = jax.lax.scan(body, x, p)
        if st['post']:
            return head_loss(params['outer'], x, tokens, c0)
        return jax.lax.with_sharding_constraint(x, self.output_sharding)


def layer_norm(x, s, b):
    xf = x.astype(jnp.float32)
    mu = xf.mean(-1, keepdims=True)
    var = jnp.square(xf - mu).mean(-1, keepdims=True)
    return ((xf - mu) * jax.lax.rsqrt(var + 1e-5) * s.astype(jnp.float32) + b.astype(jnp.float32)).astype(x.dtype)


def rms_norm(x, s):
    xf = x.astype(jnp.float32)
    return (xf * jax.lax.rsqrt(jnp.square(xf).mean(-1, keepdims=True) + 1e-6) * s.astype(jnp.float32)).astype(x.dtype)


def attention(q, k, v, c, softmax_name):
    """Causal attention with materialised scores, softmax in fp32; q [b,s,h,d], k/v [b,s,kv,d] (GQA: h = kv*g)."""
    b, s, h, d = q.shape
    kv = k.shape[2]
    mask = jnp.tril(jnp.ones((s, s), bool))
    if kv == h:  # multi-head: scores [b, heads, q, k] straight from the einsum, scaled in the activation dtype
        scores = jnp.einsum('bqhd,bkhd->bhqk', q, k) / jnp.sqrt(d).astype(q.dtype)
        probs = jax.nn.softmax(jnp.where(mask, scores.astype(jnp.float32), -1e9), axis=-1).astype(q.dtype)
        probs = c(softmax_name, probs)
        return jnp.einsum('bhqk,bkhd->bqhd', probs, v).reshape(b, s, h * d)
    # grouped: q as [b, kv, g, q, d] so the scores come out [b, kv, g, q, k] in the dot's own order (from
    # 'bqkgd' they came out [b, kv, q, g, k] and were transposed, score-sized, forward and backward)
    qg = q.reshape(b, s, kv, h // kv, d).transpose(0, 2, 3, 1, 4)
    scores = jnp.einsum('bkgqd,bskd->bkgqs', qg, k) / jnp.sqrt(d).astype(q.dtype)
    probs = jax.nn.softmax(jnp.where(mask, scores.astype(jnp.float32), -1e9), axis=-1).astype(q.dtype)
    ctx = jnp.einsum('bkgqs,bskd->bkgqd', probs, v)
    return ctx.transpose(0, 3, 1, 2, 4).reshape(b, s, h * d)


def gpt_block(x, p, c):
    b, s, hid = x.shape
    nh = CFG['heads']
    a = c('ln_1', layer_norm(x, p['ln_1/scale'], p['ln_1/bias']))
    qkv = c('attn/qkv/bias_add', a @ p['attn/qkv/kernel'] + p['attn/qkv/bias']).reshape(b, s, 3 * nh, hid // nh)
    q, k, v = (c(n, t) for n, t in (('attn/q', qkv[:, :, :nh]), ('attn/k', qkv[:, :, nh:2 * nh]), ('attn/v', qkv[:, :, 2 * nh:])))
    ctx = c('attn/merge_heads', attention(q, k, v, c, 'attn/softmax'))
    x = c('attn/residual', x + ctx @ p['attn/proj/kernel'] + p['attn/proj/bias'])
    m = c('ln_2', layer_norm(x, p['ln_2/scale'], p['ln_2/bias']))
    m = c('mlp/gelu', jax.nn.gelu(m @ p['mlp/fc/kernel'] + p['mlp/fc/bias']))
    return c('mlp/residual', x + m @ p['mlp/proj/kernel'] + p['mlp/proj/bias'])


def rotary(t):
    s, d = t.shape[1], t.shape[-1]
    inv = 1.0 / (10000 ** (jnp.arange(0, d, 2, dtype=jnp.float32) / d))
    ang = jnp.arange(s, dtype=jnp.float32)[:, None] * inv[None, :]
    cos, sin = jnp.cos(ang)[None, :, None, :], jnp.sin(ang)[None, :, None, :]
    t1, t2 = jnp.split(t.astype(jnp.float32), 2, axis=-1)
    return jnp.concatenate([t1 * cos - t2 * sin, t1 * sin + t2 * cos], axis=-1).astype(t.dtype)


def llama_block(x, p, c):
    b, s, _ = x.shape
    nh, kv, dh = CFG['heads'], CFG['kvHeads'], CFG['headDim']
    a = c('input_layernorm', rms_norm(x, p['input_layernorm/scale']))
    q = c('self_attn/q_heads', (a @ p['self_attn/q_proj/kernel']).reshape(b, s, nh, dh))
    k = c('self_attn/k_heads', (a @ p['self_attn/k_proj/kernel']).reshape(b, s, kv, dh))
    v = c('self_attn/v_heads', (a @ p['self_attn/v_proj/kernel']).reshape(b, s, kv, dh))
    ctx = c('self_attn/merge_heads', attention(rotary(q), rotary(k), v, c, 'self_attn/softmax'))
    x = c('self_attn/residual', x + ctx @ p['self_attn/o_proj/kernel'])
    m = c('post_attention_layernorm', rms_norm(x, p['post_attention_layernorm/scale']))
    g = c('mlp/swiglu', jax.nn.silu(m @ p['mlp/gate_proj/kernel']) * (m @ p['mlp/up_proj/kernel']))
    return c('mlp/residual', x + g @ p['mlp/down_proj/kernel'])


BLOCK = gpt_block if FAMILY == 'gpt' else llama_block


def embed(p, tokens, c):
    if FAMILY == 'gpt':
        return c('embed', p['wte'][tokens] + p['wpe'][None, :tokens.shape[1]])
    return c('embed', p['embed'][tokens])


def head_loss(p, x, tokens, c):
    if FAMILY == 'gpt':
        y = layer_norm(x, p['ln_f/scale'], p['ln_f/bias'])
        logits = c('logits', y @ p['wte'].T + p['logits/bias'])
    else:
        logits = c('logits', rms_norm(x, p['norm/scale']) @ p['lm_head/kernel'])
    labels = jnp.roll(tokens, -1, axis=1)
    logp = jax.nn.log_softmax(logits.astype(jnp.float32), axis=-1)
    return -jnp.take_along_axis(logp, labels[..., None], axis=-1).mean()


def adam(params, opt, grads, step, lr=1e-4, b1=0.9, b2=0.95, eps=1e-8):
    g32 = jax.tree.map(lambda g: g.astype(jnp.float32), grads)
    m = jax.tree.map(lambda m, g: b1 * m + (1 - b1) * g, opt['m'], g32)
    v = jax.tree.map(lambda v, g: b2 * v + (1 - b2) * g * g, opt['v'], g32)
    c1, c2 = 1 - b1 ** step, 1 - b2 ** step
    delta = jax.tree.map(lambda m, v: lr * (m / c1) / (jnp.sqrt(v / c2) + eps), m, v)
    out = {'m': m, 'v': v}
    if MASTER:
        out['master'] = jax.tree.map(lambda w, d: w - d, opt['master'], delta)
        return jax.tree.map(lambda w: w.astype(DT), out['master']), out
    return jax.tree.map(lambda w, d: (w.astype(jnp.float32) - d).astype(w.dtype), params, delta), out


`;
