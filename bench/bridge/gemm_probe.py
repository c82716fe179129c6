#!/usr/bin/env python3
"""Why the bridge rows' GEMMs run 11-23% faster than Meshplan prices them (bench/bridge/README.md "GEMM probe").

The GEMM curve was fitted to tools/profile-cluster/profile.py: PyTorch `a @ b`, both operands randn, NN layout only.
The steps run XLA's dots: forward NN, the backward's dgrad (dy W^T, NT) and wgrad (x^T dy, TN), attention's batched
einsums, on weights of scale 0.02. This times each GEMM of the GPT-350M and GPT-1.3B steps (8 x 1024 tokens) both
ways, on randn and on 0.02-scaled weights, bf16 and fp16, and with JAX's autotuning as the process's XLA_FLAGS
set it (run it twice: default, --xla_gpu_autotune_level=0). One JSON line per (framework, shape, layout, inputs).

  python3 gemm_probe.py OUT.jsonl [--torch] [--jax] [--quick] [--randn-only]
"""
import json
import os
import sys
import time

TOKENS = 8192
# (model, hidden, heads): the step's linear GEMMs are [tokens, k] x [k, n] for these (name, n, k)
MODELS = (('gpt-350M', 1024, 16), ('gpt-1.3B', 2048, 32))
SEQ, HEAD_DIM, BATCH = 1024, 64, 8


def linear_shapes(h):
    return (('qkv', 3 * h, h), ('proj', h, h), ('fc', 4 * h, h), ('fc2', h, 4 * h))


def cases(quick=False):
    """(model, op, layout, m, n, k, batch) of every GEMM a step runs per layer (and the LM head once)."""
    out = []
    for model, h, heads in MODELS[:1] if quick else MODELS:
        for op, n, k in linear_shapes(h):
            out.append((model, op, 'fwd-NN', TOKENS, n, k, 1))
            out.append((model, op, 'dgrad-NT', TOKENS, k, n, 1))   # dy [m, n] . W[k, n]^T
            out.append((model, op, 'wgrad-TN', k, n, TOKENS, 1))   # x[m, k]^T . dy [m, n]
        b = BATCH * heads
        out.append((model, 'scores', 'einsum', SEQ, SEQ, HEAD_DIM, b))   # bqhd,bkhd->bhqk
        out.append((model, 'context', 'einsum', SEQ, HEAD_DIM, SEQ, b))  # bhqk,bkhd->bqhd
        if not quick:
            out.append((model, 'head', 'fwd-NN', TOKENS, 51200, h, 1))
    return out


def flops(m, n, k, b):
    return 2.0 * m * n * k * b


def jax_rows(quick, all_inputs=True):
    import jax
    import jax.numpy as jnp
    from jax import lax
    rows = []
    key = jax.random.PRNGKey(0)
    dtypes = (('bfloat16', jnp.bfloat16),) if quick else (('bfloat16', jnp.bfloat16), ('float16', jnp.float16))
    # one jitted function per layout: randn and scaled inputs of one shape share a compilation (and its autotuning)
    jitted = {
        'scores': jax.jit(lambda x, y: jnp.einsum('bqhd,bkhd->bhqk', x, y)),
        'context': jax.jit(lambda x, y: jnp.einsum('bhqk,bkhd->bqhd', x, y)),
        'fwd-NN': jax.jit(lambda x, y: lax.dot_general(x, y, (((1,), (0,)), ((), ())))),
        'dgrad-NT': jax.jit(lambda x, y: lax.dot_general(x, y, (((1,), (1,)), ((), ())))),
        'wgrad-TN': jax.jit(lambda x, y: lax.dot_general(x, y, (((0,), (0,)), ((), ())))),
    }
    for model, op, layout, m, n, k, b in cases(quick):
        for dname, dt in dtypes:
            if dname == 'float16' and op not in ('fc', 'scores', 'context'):
                continue
            for inputs in ('randn', 'weights-0.02') if all_inputs else ('randn',):
                k1, k2 = jax.random.split(jax.random.fold_in(key, len(rows)))
                w = 0.02 if inputs == 'weights-0.02' else 1.0
                if layout == 'einsum':
                    if op == 'scores':   # q, k: [b/heads, s, heads, d] as the export's 'bqhd,bkhd->bhqk'
                        hh = b // BATCH
                        x = jax.random.normal(k1, (BATCH, SEQ, hh, HEAD_DIM), dt)
                        y = jax.random.normal(k2, (BATCH, SEQ, hh, HEAD_DIM), dt) * w
                    else:                # probs [b, h, q, k] x v [b, k, h, d]
                        hh = b // BATCH
                        x = jax.nn.softmax(jax.random.normal(k1, (BATCH, hh, SEQ, SEQ), jnp.float32), -1).astype(dt)
                        y = jax.random.normal(k2, (BATCH, SEQ, hh, HEAD_DIM), dt) * w
                elif layout == 'fwd-NN':
                    x = jax.random.normal(k1, (m, k), dt)
                    y = jax.random.normal(k2, (k, n), dt) * w
                elif layout == 'dgrad-NT':   # dy [m, n'=contract] . W [k'=n, contract]^T; m,n,k named as the GEMM
                    x = jax.random.normal(k1, (m, k), dt)
                    y = jax.random.normal(k2, (n, k), dt) * w
                else:                         # wgrad: x [contract, m]^T . dy [contract, n]
                    x = jax.random.normal(k1, (k, m), dt)
                    y = jax.random.normal(k2, (k, n), dt) * w
                s = jax_time(jitted[op if layout == 'einsum' else layout], x, y)
                rows.append(row('jax', model, op, layout, m, n, k, b, dname, inputs, s))
                del x, y
    return rows


def jax_time(fn, x, y, reps=30):
    """Mean seconds a call, back to back: `reps` calls dispatched, one wait (after 3 warm-ups)."""
    for _ in range(3):
        fn(x, y).block_until_ready()
    t = time.perf_counter()
    for _ in range(reps):
        out = fn(x, y)
    out.block_until_ready()
    return (time.perf_counter() - t) / reps


def torch_rows(quick):
    import torch
    rows = []
    dtypes = (('bfloat16', torch.bfloat16),) if quick else (('bfloat16', torch.bfloat16), ('float16', torch.float16))
    for model, op, layout, m, n, k, b in cases(quick):
        for dname, dt in dtypes:
            if dname == 'float16' and op not in ('fc', 'scores', 'context'):
                continue
            for inputs in ('randn', 'weights-0.02'):
                w = 0.02 if inputs == 'weights-0.02' else 1.0
                if layout == 'einsum':
                    x = torch.randn(b, m, k, device='cuda', dtype=dt)
                    y = torch.randn(b, k, n, device='cuda', dtype=dt) * w
                    fn = lambda: torch.bmm(x, y)
                elif layout == 'fwd-NN':
                    x = torch.randn(m, k, device='cuda', dtype=dt)
                    y = torch.randn(k, n, device='cuda', dtype=dt) * w
                    fn = lambda: x @ y
                elif layout == 'dgrad-NT':
                    x = torch.randn(m, k, device='cuda', dtype=dt)
                    y = torch.randn(n, k, device='cuda', dtype=dt) * w
                    fn = lambda: x @ y.t()
                else:
                    x = torch.randn(k, m, device='cuda', dtype=dt)
                    y = torch.randn(k, n, device='cuda', dtype=dt) * w
                    fn = lambda: x.t() @ y
                s = torch_time(torch, fn)
                rows.append(row('torch', model, op, layout, m, n, k, b, dname, inputs, s))
                del x, y
    return rows


def torch_time(torch, fn, reps=30):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    a, z = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    a.record()
    for _ in range(reps):
        fn()
    z.record()
    z.synchronize()
    return a.elapsed_time(z) / 1e3 / reps


OUT = {'file': None}


def row(framework, model, op, layout, m, n, k, b, dtype, inputs, s):
    r = {'framework': framework, 'xlaFlags': os.environ.get('XLA_FLAGS', '') if framework == 'jax' else '',
            'model': model, 'op': op, 'layout': layout, 'batch': b, 'm': m, 'n': n, 'k': k, 'dtype': dtype,
            'inputs': inputs, 's': s, 'tflops': flops(m, n, k, b) / s / 1e12}
    if OUT['file']:  # written as measured: a time-out keeps what was done
        with open(OUT['file'], 'a') as f:
            f.write(json.dumps(r) + '\n')
    return r


def main(argv):
    out = argv[0]
    quick = '--quick' in argv
    want_torch, want_jax = '--torch' in argv, '--jax' in argv
    if not (want_torch or want_jax):
        want_torch = want_jax = True
    os.environ.setdefault('XLA_PYTHON_CLIENT_PREALLOCATE', 'false')
    OUT['file'] = out
    rows = []
    if want_torch:
        rows += torch_rows(quick)
    if want_jax:
        rows += jax_rows(quick, '--randn-only' not in argv)
    print('%d rows -> %s' % (len(rows), out))


if __name__ == '__main__':
    main(sys.argv[1:])
