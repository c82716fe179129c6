"""Re-measure rows of workers/core/cost/calibration/h100-e2e-steps.json on a GPU pair with JAX/XLA, and break each
step down by GPU kernel class (GEMM, fused memory-bound, copies / dynamic-update-slice, NCCL) from a profiler trace.

It builds the GPT the file describes (pre-LN; separate q, k, v with biases; causal attention materialised; softmax
and layer norm in fp32; GELU MLP 4h; learned positions; tied embedding, logits in fp32; blocks under lax.scan,
jax.checkpoint per block with remat) with bf16 parameters and fp32 Adam moments, and times one step under the
plans single / dp2 / tp2 / fsdp2. Used to find which terms the cost model misses (bench/fidelity/README.md).

  python3 bench/fidelity/jax/steps.py OUT_DIR CONFIG [CONFIG ...]     CONFIG = model:batch:plan:remat, e.g.
  gpt-760m:8:dp2:0
"""
import glob
import gzip
import json
import os
import re
import statistics
import sys
import time
import traceback
from functools import partial

import jax
import jax.numpy as jnp
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P

CONFIGS = {'gpt-tiny': (256, 2, 4), 'gpt-125m': (768, 12, 12), 'gpt-760m': (1536, 24, 16)}
VOCAB, SEQ = 51200, 1024


def init(hidden, layers, key):
    k = iter(jax.random.split(key, 16))
    h, L = hidden, layers
    n = lambda shape: (jax.random.normal(next(k), shape, jnp.float32) * 0.02).astype(jnp.bfloat16)
    z = lambda shape: jnp.zeros(shape, jnp.bfloat16)
    o = lambda shape: jnp.ones(shape, jnp.bfloat16)
    blocks = {
        'ln1_s': o((L, h)), 'ln1_b': z((L, h)),
        'wq': n((L, h, h)), 'bq': z((L, h)), 'wk': n((L, h, h)), 'bk': z((L, h)), 'wv': n((L, h, h)), 'bv': z((L, h)),
        'wo': n((L, h, h)), 'bo': z((L, h)),
        'ln2_s': o((L, h)), 'ln2_b': z((L, h)),
        'w1': n((L, h, 4 * h)), 'b1': z((L, 4 * h)), 'w2': n((L, 4 * h, h)), 'b2': z((L, h)),
    }
    return {'wte': n((VOCAB, h)), 'wpe': n((SEQ, h)), 'blocks': blocks, 'lnf_s': o((h,)), 'lnf_b': z((h,))}


def layer_norm(x, s, b):
    xf = x.astype(jnp.float32)
    mu = xf.mean(-1, keepdims=True)
    var = ((xf - mu) ** 2).mean(-1, keepdims=True)
    y = (xf - mu) * jax.lax.rsqrt(var + 1e-5)
    return (y * s.astype(jnp.float32) + b.astype(jnp.float32)).astype(x.dtype)


def block(x, p, heads):
    B, S, h = x.shape
    d = h // heads
    a = layer_norm(x, p['ln1_s'], p['ln1_b'])
    q = (a @ p['wq'] + p['bq']).reshape(B, S, heads, d)
    k = (a @ p['wk'] + p['bk']).reshape(B, S, heads, d)
    v = (a @ p['wv'] + p['bv']).reshape(B, S, heads, d)
    scores = jnp.einsum('bqhd,bkhd->bhqk', q, k) / jnp.sqrt(d).astype(x.dtype)
    mask = jnp.tril(jnp.ones((S, S), bool))
    scores = jnp.where(mask, scores.astype(jnp.float32), -1e9)
    probs = jax.nn.softmax(scores, axis=-1).astype(x.dtype)
    att = jnp.einsum('bhqk,bkhd->bqhd', probs, v).reshape(B, S, h)
    x = x + att @ p['wo'] + p['bo']
    m = layer_norm(x, p['ln2_s'], p['ln2_b'])
    m = jax.nn.gelu(m @ p['w1'] + p['b1'])
    return x + m @ p['w2'] + p['b2']


def loss_fn(params, tokens, heads, remat):
    B, S = tokens.shape
    x = params['wte'][tokens] + params['wpe'][None, :S]
    body = lambda c, p: (block(c, p, heads), None)
    if remat:
        body = jax.checkpoint(body)
    x, _ = jax.lax.scan(body, x, params['blocks'])
    x = layer_norm(x, params['lnf_s'], params['lnf_b'])
    logits = x.astype(jnp.float32) @ params['wte'].astype(jnp.float32).T
    labels = jnp.roll(tokens, -1, axis=1)
    logp = jax.nn.log_softmax(logits, axis=-1)
    return -jnp.take_along_axis(logp, labels[..., None], axis=-1).mean()


def adam(params, grads, m, v, step, lr=1e-4, b1=0.9, b2=0.95, eps=1e-8):
    m = jax.tree.map(lambda m, g: b1 * m + (1 - b1) * g.astype(jnp.float32), m, grads)
    v = jax.tree.map(lambda v, g: b2 * v + (1 - b2) * jnp.square(g.astype(jnp.float32)), v, grads)
    c1, c2 = 1 - b1 ** step, 1 - b2 ** step
    params = jax.tree.map(lambda p, m, v: (p.astype(jnp.float32) - lr * (m / c1) / (jnp.sqrt(v / c2) + eps)).astype(p.dtype), params, m, v)
    return params, m, v


def specs(params, plan):
    """PartitionSpec per parameter under the plan (mesh axis 'x' of 2 devices)."""
    def tp(path, leaf):
        name = path[-1].key
        if name == 'wte': return P('x', None)
        if name in ('wq', 'wk', 'wv', 'w1'): return P(None, None, 'x')
        if name in ('bq', 'bk', 'bv', 'b1'): return P(None, 'x')
        if name in ('wo', 'w2'): return P(None, 'x', None)
        return P()

    def fsdp(path, leaf):
        dims = list(leaf.shape)
        i = dims.index(max(dims))
        return P(*[('x' if j == i else None) for j in range(len(dims))])

    rule = {'single': lambda p, l: P(), 'dp2': lambda p, l: P(), 'tp2': tp, 'fsdp2': fsdp}[plan]
    return jax.tree_util.tree_map_with_path(rule, params)


def categorise(name):
    n = name.lower()
    if 'nccl' in n or 'all-reduce' in n or 'allreduce' in n or 'all_gather' in n or 'reduce_scatter' in n or 'alltoall' in n:
        return 'nccl'
    if any(s in n for s in ('gemm', 'cutlass', 'xmma', 'cublas', 'nvjet', 'sm90', 'triton_gemm', 'matmul')):
        return 'gemm'
    if 'dynamic_update_slice' in n or 'dynamic-update-slice' in n:
        return 'dus'
    if n.startswith('memcpyd2d') or n.startswith('memset'):
        return 'copy_engine'
    if n.startswith('copy') or 'copy' in n or 'memcpy' in n:
        return 'copy'
    if 'fusion' in n or 'reduce' in n or 'loop' in n or 'input' in n:
        return 'fusion'
    return 'other'


def profile_breakdown(run_step, logdir):
    jax.profiler.start_trace(logdir, create_perfetto_trace=True)
    run_step()
    jax.profiler.stop_trace()
    files = glob.glob(os.path.join(logdir, '**', '*perfetto*.json.gz'), recursive=True) or glob.glob(os.path.join(logdir, '**', '*.json.gz'), recursive=True)
    if not files:
        return {'error': 'no trace file', 'files': glob.glob(os.path.join(logdir, '**', '*'), recursive=True)[:20]}
    with gzip.open(files[0], 'rt') as f:
        trace = json.load(f)
    events = trace['traceEvents'] if isinstance(trace, dict) else trace
    pname, tname = {}, {}
    for e in events:
        if e.get('ph') == 'M' and e.get('name') == 'process_name':
            pname[e['pid']] = e['args'].get('name', '')
        if e.get('ph') == 'M' and e.get('name') == 'thread_name':
            tname[(e['pid'], e['tid'])] = e['args'].get('name', '')
    gpu_pids = [pid for pid, n in pname.items() if re.search(r'GPU:0|/device:GPU:0\b|device:0', n)]
    if not gpu_pids:
        return {'error': 'no GPU:0 process', 'processes': list(pname.values())[:30]}
    by_cat, by_name, streams, stream_cat = {}, {}, {}, {}
    t0, t1 = float('inf'), 0.0
    for e in events:
        if e.get('ph') != 'X' or e.get('pid') not in gpu_pids:
            continue
        d = float(e.get('dur', 0))
        name = e.get('name', '')
        cat = categorise(name)
        by_cat[cat] = by_cat.get(cat, 0.0) + d
        key = re.sub(r'\.\d+$', '', name)[:80]
        c, cnt = by_name.get(key, (0.0, 0))
        by_name[key] = (c + d, cnt + 1)
        s = tname.get((e['pid'], e['tid']), str(e['tid']))
        streams[s] = streams.get(s, 0.0) + d
        sc = stream_cat.setdefault(s, {})
        sc[cat] = sc.get(cat, 0.0) + d
        t0, t1 = min(t0, float(e['ts'])), max(t1, float(e['ts']) + d)
    top = sorted(by_name.items(), key=lambda kv: -kv[1][0])[:40]
    return {
        'gpu_process': [pname[p] for p in gpu_pids],
        'span_ms': (t1 - t0) / 1e3,
        'by_category_ms': {k: v / 1e3 for k, v in sorted(by_cat.items(), key=lambda kv: -kv[1])},
        'by_stream_ms': {k: v / 1e3 for k, v in streams.items()},
        'by_stream_category_ms': {k: {c: v / 1e3 for c, v in cs.items()} for k, cs in stream_cat.items()},
        'top_kernels': [{'name': k, 'ms': v[0] / 1e3, 'count': v[1]} for k, v in top],
    }


def hlo_summary(text):
    out = {}
    for op in ('all-reduce-start', 'all-reduce', 'all-gather-start', 'all-gather', 'reduce-scatter', 'all-to-all', 'dynamic-update-slice', 'copy-start', 'copy'):
        out[op] = len(re.findall(r'= [^=]*\b' + re.escape(op) + r'\(', text))
    ars = re.findall(r'= ((?:\([^)]*\))|(?:\S+)) all-reduce(?:-start)?\(', text)
    out['all_reduce_shapes'] = ars[:20]
    return out


def run_config(cfg, outdir):
    model, batch, plan, remat = cfg.split(':')
    batch, remat = int(batch), remat == '1'
    hidden, layers, heads = CONFIGS[model]
    ndev = 1 if plan == 'single' else 2
    devices = jax.devices()[:ndev]
    mesh = Mesh(devices, ('x',))
    params = init(hidden, layers, jax.random.PRNGKey(0))
    pspec = specs(params, plan)
    shard = lambda spec: NamedSharding(mesh, spec)
    p_sh = jax.tree.map(shard, pspec, is_leaf=lambda x: isinstance(x, P))
    data_spec = P('x', None) if plan in ('dp2', 'fsdp2') else P()
    t_sh = shard(data_spec)
    params = jax.device_put(params, p_sh)
    m = jax.device_put(jax.tree.map(lambda p: jnp.zeros(p.shape, jnp.float32), params), p_sh)
    v = jax.device_put(jax.tree.map(lambda p: jnp.zeros(p.shape, jnp.float32), params), p_sh)
    tokens = jax.device_put(jax.random.randint(jax.random.PRNGKey(1), (batch, SEQ), 0, VOCAB), t_sh)

    @partial(jax.jit, in_shardings=(p_sh, p_sh, p_sh, t_sh, None), out_shardings=(p_sh, p_sh, p_sh, None), donate_argnums=(0, 1, 2))
    def step(params, m, v, tokens, i):
        loss, grads = jax.value_and_grad(loss_fn)(params, tokens, heads, remat)
        params, m, v = adam(params, grads, m, v, i)
        return params, m, v, loss

    t = time.time()
    lowered = step.lower(params, m, v, tokens, jnp.float32(1))
    compiled = lowered.compile()
    compile_s = time.time() - t
    mem = compiled.memory_analysis()
    memory = {k: getattr(mem, k) for k in ('argument_size_in_bytes', 'output_size_in_bytes', 'temp_size_in_bytes', 'alias_size_in_bytes')} if mem else None
    text = compiled.as_text()
    with open(os.path.join(outdir, cfg.replace(':', '_') + '.hlo.txt'), 'w') as f:
        f.write(text)
    state = [params, m, v]
    times = []
    for i in range(13):
        t = time.perf_counter()
        state[0], state[1], state[2], loss = compiled(state[0], state[1], state[2], tokens, jnp.float32(i + 1))
        loss.block_until_ready()
        jax.block_until_ready(state)
        if i >= 3:
            times.append(time.perf_counter() - t)

    def one():
        state[0], state[1], state[2], loss = compiled(state[0], state[1], state[2], tokens, jnp.float32(20))
        jax.block_until_ready((state, loss))

    try:
        prof = profile_breakdown(one, os.path.join('/tmp/prof', cfg.replace(':', '_')))
    except Exception as e:  # noqa: BLE001
        prof = {'error': repr(e)}
    return {'config': cfg, 'step_ms_median': statistics.median(times) * 1e3, 'step_ms_min': min(times) * 1e3,
            'compile_s': compile_s, 'memory': memory, 'hlo': hlo_summary(text), 'profile': prof, 'loss': float(loss)}


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    print('jax', jax.__version__, jax.devices(), flush=True)
    results = []
    for cfg in sys.argv[2:]:
        try:
            r = run_config(cfg, outdir)
        except Exception as e:  # noqa: BLE001
            r = {'config': cfg, 'error': repr(e)[:2000], 'trace': traceback.format_exc()[-3000:]}
        results.append(r)
        with open(os.path.join(outdir, 'steps.json'), 'w') as f:
            json.dump(results, f, indent=1)
        cats = r.get('profile', {}).get('by_category_ms', {}) if isinstance(r.get('profile'), dict) else {}
        print(cfg, 'step %.1f ms' % r['step_ms_median'] if 'step_ms_median' in r else r.get('error'),
              ' '.join('%s %.1f' % kv for kv in cats.items()), flush=True)
        jax.clear_caches()


if __name__ == '__main__':
    main()
