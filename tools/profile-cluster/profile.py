#!/usr/bin/env python3
"""Profile the GPUs of this machine into one cluster JSON that Meshplan imports (`meshplan plan --cluster FILE`, the
page's Cluster panel): GEMM time by shape and dtype, HBM bandwidth of memory-bound kernels, kernel launch overhead,
and, with several GPUs, NCCL collective curves (all-reduce, all-gather, reduce-scatter, all-to-all, send/recv) per
group size inside the node. On one GPU the collective curves are absent and the JSON says so.

  python3 tools/profile-cluster/profile.py OUT.json [--quick]

PyTorch with CUDA; times are CUDA-event means over back-to-back calls after warm-up (see README.md).
"""
import json
import os
import sys
import time

import torch

FORMAT, VERSION = 'meshplan.cluster-profile', 1
MIB = 2 ** 20
DTYPES = {'bfloat16': torch.bfloat16, 'float16': torch.float16, 'float32': torch.float32, 'tf32': torch.float32}
TOKENS = (1024, 8192, 32768)
# (n, k) of transformer GEMMs (hidden h: h x h, h x 3h, h x 4h, 4h x h) and squares.
TRANSFORMER_NK = ((768, 768), (2304, 768), (3072, 768), (768, 3072), (2048, 2048), (6144, 2048), (8192, 2048), (2048, 8192),
                  (4096, 4096), (12288, 4096), (16384, 4096), (4096, 16384), (12288, 12288))
SQUARES = (256, 512, 1024, 2048, 4096, 8192, 16384)


def timed(fn, min_seconds=0.02, max_reps=200, reps=None):
    """Mean seconds of one call of fn, back to back, CUDA events around the batch (after 3 warm-up calls); the
    number of calls fills min_seconds unless given (collectives: every rank must make the same calls)."""
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    if reps is None:
        start.record()
        fn()
        end.record()
        end.synchronize()
        one = max(start.elapsed_time(end) / 1e3, 1e-6)
        reps = int(min(max_reps, max(5, min_seconds / one)))
    start.record()
    for _ in range(reps):
        fn()
    end.record()
    end.synchronize()
    return start.elapsed_time(end) / 1e3 / reps


def gemms(quick):
    rows = []
    shapes = [(s, s, s) for s in SQUARES] + [(m, n, k) for m in TOKENS for n, k in TRANSFORMER_NK]
    for name, dtype in DTYPES.items():
        torch.backends.cuda.matmul.allow_tf32 = name == 'tf32'
        for m, n, k in shapes:
            if name in ('float32', 'tf32') and (quick or m * n * k > 8192 ** 3):
                continue
            if quick and name == 'float16':
                continue
            a = torch.randn(m, k, device='cuda', dtype=dtype)
            b = torch.randn(k, n, device='cuda', dtype=dtype)
            s = timed(lambda: a @ b)
            rows.append({'dtype': name, 'm': m, 'n': n, 'k': k, 's': s, 'tflops': 2 * m * n * k / s / 1e12})
            del a, b
    torch.backends.cuda.matmul.allow_tf32 = False
    return rows


def bandwidth():
    """Effective bandwidth (bytes read + written per second) of memory-bound kernels on bf16 tensors."""
    rows = []
    for mib in (1, 16, 256, 1024):
        n = mib * MIB // 2
        x = torch.randn(n, device='cuda', dtype=torch.bfloat16)
        x2 = torch.randn(n, device='cuda', dtype=torch.bfloat16)
        y = torch.empty_like(x)
        rows2d = x.view(-1, 1024)
        ln = torch.nn.LayerNorm(1024, device='cuda', dtype=torch.bfloat16)
        kernels = {
            'copy': (lambda: y.copy_(x), 2),
            'add': (lambda: torch.add(x, x2, out=y), 3),
            'gelu': (lambda: torch.nn.functional.gelu(x), 2),
            'softmax': (lambda: torch.softmax(rows2d, dim=-1), 2),
            'layernorm': (lambda: ln(rows2d), 2),
        }
        with torch.no_grad():
            for op, (fn, passes) in kernels.items():
                s = timed(fn)
                rows.append({'op': op, 'mib': mib, 's': s, 'gbps': passes * mib * MIB / s / 1e9, 'framework': 'torch'})
        del x, x2, y, rows2d
    return rows


def xla_bandwidth():
    """The same kernel classes as XLA fusions (jax.jit), which is what plans under --runtime xla run; absent
    without JAX. Timed back to back: 20 calls dispatched, then one wait, the mean (one call at a time, each
    synchronised, times JAX's dispatch and the host round trip too: 64 MiB copies read 0.7 TB/s on an H100 so)."""
    # Beside PyTorch in one process: JAX must not preallocate 75% of the GPU (its default).
    os.environ.setdefault('XLA_PYTHON_CLIENT_PREALLOCATE', 'false')
    torch.cuda.empty_cache()
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return []
    rows = []
    for mib in (64, 256, 1024):
        n = mib * MIB // 2
        x = jax.random.normal(jax.random.PRNGKey(0), (n // 1024, 1024), jnp.bfloat16)
        x2 = jax.random.normal(jax.random.PRNGKey(1), (n // 1024, 1024), jnp.bfloat16)
        s, b = jnp.ones((1024,), jnp.bfloat16), jnp.zeros((1024,), jnp.bfloat16)

        def ln(x):
            xf = x.astype(jnp.float32)
            mu = xf.mean(-1, keepdims=True)
            var = jnp.square(xf - mu).mean(-1, keepdims=True)
            return ((xf - mu) * jax.lax.rsqrt(var + 1e-5) * s + b).astype(x.dtype)

        kernels = {
            'copy': (jax.jit(lambda x: x * 1), 2), 'add': (jax.jit(lambda x, y: x + y), 3), 'gelu': (jax.jit(jax.nn.gelu), 2),
            'softmax': (jax.jit(lambda x: jax.nn.softmax(x.astype(jnp.float32), -1).astype(x.dtype)), 2), 'layernorm': (jax.jit(ln), 2),
        }
        for op, (fn, passes) in kernels.items():
            args = (x, x2) if op == 'add' else (x,)
            for _ in range(3):
                fn(*args).block_until_ready()
            t = time.perf_counter()
            for _ in range(20):
                out = fn(*args)
            out.block_until_ready()
            sec = (time.perf_counter() - t) / 20
            rows.append({'op': op, 'mib': mib, 's': sec, 'gbps': passes * mib * MIB / sec / 1e9, 'framework': 'xla',
                         'timing': 'back-to-back'})
    return rows


def launch():
    """Seconds per tiny kernel back to back (what a launch costs the GPU) and a launch + synchronise round trip."""
    x = torch.zeros(1, device='cuda')
    per_kernel = timed(lambda: x.add_(1), min_seconds=0.01, max_reps=2000)
    torch.cuda.synchronize()
    t = time.perf_counter()
    for _ in range(200):
        x.add_(1)
        torch.cuda.synchronize()
    return per_kernel, (time.perf_counter() - t) / 200


def collective_worker(rank, world, sizes, port, out):
    import torch.distributed as dist
    os.environ.update({'MASTER_ADDR': '127.0.0.1', 'MASTER_PORT': str(port), 'NCCL_NVLS_ENABLE': '0'})
    torch.cuda.set_device(rank)
    dist.init_process_group('nccl', rank=rank, world_size=world)
    rows = []
    groups = sorted({g for g in (2, 4, 8, world) if g <= world})
    for g in groups:
        group = dist.new_group(list(range(g)))
        for size in sizes:
            if rank >= g:
                continue
            n = size // 2
            x = torch.ones(n, device='cuda', dtype=torch.bfloat16)
            parts = torch.empty(n * g, device='cuda', dtype=torch.bfloat16)
            shard = torch.empty(max(n // g, 1), device='cuda', dtype=torch.bfloat16)
            ops = {
                'all-reduce': lambda: dist.all_reduce(x, group=group),
                'all-gather': lambda: dist.all_gather_into_tensor(parts, x, group=group),
                'reduce-scatter': lambda: dist.reduce_scatter_tensor(shard, x[:shard.numel() * g], group=group),
                'all-to-all': lambda: dist.all_to_all_single(torch.empty_like(x[:n // g * g]), x[:n // g * g], group=group),
            }
            if g == 2:
                peer = 1 - rank
                ops['send-recv'] = lambda: dist.send(x, peer) if rank == 0 else dist.recv(x, peer)
            for kind, fn in ops.items():
                s = timed(fn, reps=20 if size <= 64 * MIB else 5)
                # bytes: the whole message as Meshplan's cost model counts it (the gathered tensor; for
                # all-to-all the tensor summed over the group's devices; else one device's tensor)
                full = size * g if kind in ('all-gather', 'all-to-all') else size
                rows.append({'op': kind, 'group': g, 'bytes': full, 's': s})
            del x, parts, shard
        dist.barrier()
    if rank == 0:
        with open(out, 'w') as f:
            json.dump(rows, f)
    dist.destroy_process_group()


def collectives(count, quick):
    if count < 2:
        return {'absent': True, 'reason': 'one GPU visible: no collective curves (the importer keeps the preset link figures)'}
    import tempfile
    import torch.multiprocessing as mp
    sizes = [2 ** p for p in range(10, 31, 2 if not quick else 4)]
    out = os.path.join(tempfile.mkdtemp(), 'collectives.json')
    mp.spawn(collective_worker, args=(count, sizes, 29500 + os.getpid() % 1000, out), nprocs=count, join=True)
    with open(out) as f:
        return {'absent': False, 'gpusPerNode': count, 'nodes': 1, 'rows': json.load(f)}


def main(argv):
    if not argv:
        sys.exit(__doc__)
    out, quick = argv[0], '--quick' in argv
    props = torch.cuda.get_device_properties(0)
    count = torch.cuda.device_count()
    t = time.time()
    per_kernel, roundtrip = launch()
    result = {
        'format': FORMAT, 'version': VERSION,
        'gpu': {'name': props.name, 'multiprocessors': props.multi_processor_count, 'memoryBytes': props.total_memory, 'count': count},
        'software': {'torch': torch.__version__, 'cuda': torch.version.cuda},
        'launchSeconds': per_kernel, 'syncRoundTripSeconds': roundtrip,
        'bandwidth': bandwidth(),
        'matmul': gemms(quick),
    }
    result['bandwidth'] += xla_bandwidth()  # last: JAX's allocator then shares the GPU with PyTorch's cache
    result['collectives'] = collectives(count, quick)
    result['profileSeconds'] = time.time() - t
    with open(out, 'w') as f:
        json.dump(result, f, indent=1)
    print('profiled %s x%d: %d GEMMs, %d bandwidth rows, launch %.1f us, collectives %s, %.0f s' % (
        props.name, count, len(result['matmul']), len(result['bandwidth']), per_kernel * 1e6,
        'absent' if result['collectives']['absent'] else len(result['collectives']['rows']), result['profileSeconds']))


if __name__ == '__main__':
    main(sys.argv[1:])
