"""Per-call time of XLA's collectives over 2 GPUs (jit + shard_map), by kind and message size, and which NCCL
kernel (protocol) ran: the rate the step profiles' collectives should be priced at under XLA.

  python3 bench/fidelity/jax/collectives.py OUT_JSON
"""
import json
import statistics
import sys
import time
from functools import partial

import jax
import jax.numpy as jnp
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P

try:
    from jax import shard_map
except ImportError:  # older JAX
    from jax.experimental.shard_map import shard_map

mesh = Mesh(jax.devices()[:2], ('x',))
MB = 1 << 20


def timed(f, x, reps=30):
    y = f(x)
    jax.block_until_ready(y)
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        jax.block_until_ready(f(x))
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def kinds():
    sm = lambda body, out: jax.jit(shard_map(body, mesh=mesh, in_specs=P('x'), out_specs=out))
    return {
        # message = the full (gathered / reduced) buffer in bytes, as the cost model counts it
        'all-reduce': (sm(lambda a: jax.lax.psum(a, 'x'), P('x')), 1.0),
        'all-gather': (sm(lambda a: jax.lax.all_gather(a, 'x', tiled=True), P('x')), 0.5),
        'reduce-scatter': (sm(lambda a: jax.lax.psum_scatter(a.reshape(2, -1), 'x', scatter_dimension=0, tiled=True).reshape(-1), P('x')), 1.0),
        'all-to-all': (sm(lambda a: jax.lax.all_to_all(a.reshape(2, -1), 'x', 0, 0, tiled=True).reshape(-1), P('x')), 1.0),
    }


def main():
    out = []
    ks = kinds()
    for name, (f, per_device_fraction) in ks.items():
        for mb in (1, 4, 16, 25, 64, 256, 1024):
            # per-device input elements: the message is mb MB of bf16 per device for all-reduce / reduce-scatter /
            # all-to-all, and the gathered result mb MB for all-gather
            n = int(mb * MB / 2 * per_device_fraction) * 2  # global elements (2 devices)
            x = jax.device_put(jnp.ones((n,), jnp.bfloat16), NamedSharding(mesh, P('x')))
            try:
                s = timed(f, x)
                row = {'kind': name, 'message_mib': mb, 'seconds': s}
                try:  # the kernel's own time and name (protocol), from a profile of 5 calls
                    import os
                    sys.path.insert(0, os.path.dirname(__file__))
                    from steps import profile_breakdown
                    prof = profile_breakdown(lambda: [jax.block_until_ready(f(x)) for _ in range(5)], f'/tmp/prof_coll/{name}_{mb}')
                    nccl = [k for k in prof.get('top_kernels', []) if 'nccl' in k['name'].lower()]
                    row['kernels'] = [{'name': k['name'][:70], 'us_per_call': k['ms'] * 1e3 / k['count'], 'count': k['count']} for k in nccl[:3]]
                except Exception as e:  # noqa: BLE001
                    row['profile_error'] = repr(e)[:200]
                out.append(row)
                print(name, mb, 'MiB', '%.1f us' % (s * 1e6), row.get('kernels', row.get('profile_error')), flush=True)
            except Exception as e:  # noqa: BLE001
                out.append({'kind': name, 'message_mib': mb, 'error': repr(e)[:300]})
                print(name, mb, 'ERROR', repr(e)[:200], flush=True)
    json.dump({'device': str(jax.devices()[0].device_kind), 'jax': jax.__version__, 'rows': out}, open(sys.argv[1], 'w'), indent=1)


if __name__ == '__main__':
    main()
