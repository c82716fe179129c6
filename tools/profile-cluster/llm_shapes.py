"""Per-GPU GEMM shapes of Llama-3-405B (TP 8, 8,192 tokens) and GPT-3 175B (TP 8, 2,048 tokens) in bf16, and
flash attention (torch SDPA) at their per-GPU head counts: what the cost model prices (meshplan, published brief)."""
import json, os, sys, time, statistics
import torch
import torch.nn.functional as F
from torch.nn.attention import sdpa_kernel, SDPBackend

dev = torch.device('cuda')
props = torch.cuda.get_device_properties(0)
out = {'gpu': props.name, 'sm': props.multi_processor_count, 'mem_gib': props.total_memory / 2**30, 'torch': torch.__version__,
       'cudnn': torch.backends.cudnn.version(), 'matmul': [], 'sustained': [], 'attention': []}
print(out['gpu'], out['sm'], out['torch'], flush=True)

def timed(fn, reps):
    for _ in range(3): fn()
    torch.cuda.synchronize()
    ts = []
    for _ in range(reps):
        a = torch.cuda.Event(enable_timing=True); b = torch.cuda.Event(enable_timing=True)
        a.record(); fn(); b.record(); b.synchronize(); ts.append(a.elapsed_time(b) / 1e3)
    return statistics.median(ts)

def gemm(m, n, k, tag, reps=15):
    # two input sets, alternated, so that L2 never holds the operands
    xs = [torch.randn(m, k, device=dev, dtype=torch.bfloat16) for _ in range(2)]
    ws = [torch.randn(k, n, device=dev, dtype=torch.bfloat16) for _ in range(2)]
    i = [0]
    def f():
        i[0] ^= 1
        return xs[i[0]] @ ws[i[0]]
    s = timed(f, reps)
    row = {'tag': tag, 'dtype': 'bfloat16', 'm': m, 'n': n, 'k': k, 's': s, 'tflops': 2 * m * n * k / s / 1e12}
    out['matmul'].append(row); print(row, flush=True)
    del xs, ws

def sustained(m, n, k, seconds=2.0):
    x = torch.randn(m, k, device=dev, dtype=torch.bfloat16); w = torch.randn(k, n, device=dev, dtype=torch.bfloat16)
    for _ in range(3): x @ w
    torch.cuda.synchronize(); t0 = time.perf_counter(); calls = 0
    while time.perf_counter() - t0 < seconds:
        for _ in range(20): x @ w
        torch.cuda.synchronize(); calls += 20
    s = (time.perf_counter() - t0) / calls
    row = {'m': m, 'n': n, 'k': k, 'seconds': seconds, 'calls': calls, 's': s, 'tflops': 2 * m * n * k / s / 1e12}
    out['sustained'].append(row); print('sustained', row, flush=True)

L405 = [(8192, 2048, 16384, 'q'), (8192, 128, 16384, 'k/v'), (8192, 2304, 16384, 'qkv fused'), (8192, 16384, 2048, 'o / dX q'),
        (8192, 6656, 16384, 'gate/up'), (8192, 13312, 16384, 'gate+up fused'), (8192, 16384, 6656, 'down / dX gate'),
        (8192, 16384, 13312, 'dX gate+up'), (16384, 2048, 8192, 'dW q'), (16384, 6656, 8192, 'dW gate'), (6656, 16384, 8192, 'dW down'),
        (2048, 16384, 8192, 'dW o')]
G175 = [(2048, 4608, 12288, 'qkv'), (2048, 12288, 1536, 'proj / dX qkv... '), (2048, 6144, 12288, 'fc1'), (2048, 12288, 6144, 'fc2'),
        (12288, 4608, 2048, 'dW qkv'), (12288, 6144, 2048, 'dW fc1'), (6144, 12288, 2048, 'dW fc2'), (1536, 12288, 2048, 'dW proj')]
SQUARE = [(4096, 4096, 4096, 'square'), (8192, 8192, 8192, 'square'), (16384, 16384, 16384, 'square')]
for m, n, k, t in L405: gemm(m, n, k, '405B tp8 ' + t)
for m, n, k, t in G175: gemm(m, n, k, '175B tp8 ' + t)
for m, n, k, t in SQUARE: gemm(m, n, k, t, reps=8)
sustained(8192, 6656, 16384); sustained(8192, 8192, 8192)

def attention(tag, b, hq, hkv, s, d, causal, backend):
    q = torch.randn(b, hq, s, d, device=dev, dtype=torch.bfloat16, requires_grad=True)
    k = torch.randn(b, hkv, s, d, device=dev, dtype=torch.bfloat16, requires_grad=True)
    v = torch.randn(b, hkv, s, d, device=dev, dtype=torch.bfloat16, requires_grad=True)
    gqa = hq != hkv
    # full (non-causal) score + context FLOPs, as the graph counts them
    full = 4 * b * hq * s * s * d
    try:
        with sdpa_kernel([backend]):
            fwd = lambda: F.scaled_dot_product_attention(q, k, v, is_causal=causal, enable_gqa=gqa)
            o = fwd(); g = torch.randn_like(o)
            tf = timed(fwd, 10)
            def fb():
                y = F.scaled_dot_product_attention(q, k, v, is_causal=causal, enable_gqa=gqa)
                y.backward(g)
            tfb = timed(fb, 10)
        row = {'tag': tag, 'backend': str(backend).split('.')[-1], 'batch': b, 'heads': hq, 'kv_heads': hkv, 'seq': s, 'head_dim': d,
               'causal': causal, 'fwd_s': tf, 'bwd_s': tfb - tf, 'full_fwd_flops': full,
               'fwd_tflops_full': full / tf / 1e12, 'bwd_tflops_full': 2.5 * full / (tfb - tf) / 1e12}
    except Exception as e:  # a backend that refuses the shape
        row = {'tag': tag, 'backend': str(backend).split('.')[-1], 'causal': causal, 'error': str(e).splitlines()[0][:200]}
    out['attention'].append(row); print(row, flush=True)

for backend in (SDPBackend.FLASH_ATTENTION, SDPBackend.CUDNN_ATTENTION):
    for causal in (True, False):
        attention('405B tp8', 1, 16, 1, 8192, 128, causal, backend)
    attention('175B tp8', 1, 12, 12, 2048, 128, True, backend)
    attention('175B tp8 mb2', 2, 12, 12, 2048, 128, True, backend)
    attention('gpt-760m', 8, 16, 16, 1024, 96, True, backend)
json.dump(out, open(os.path.join(os.environ.get('OUT', '.'), 'measure.json'), 'w'), indent=1)
print('done', flush=True)
