# Fused (flash / cuDNN / memory-efficient SDPA) vs naive attention: memory kept after forward, peak of
# forward+backward, and time, at a few sequence lengths. One JSON object on stdout and in $OUT/attn_mem.json.
import json, os, sys, time
import torch
import torch.nn.functional as F
from torch.nn.attention import sdpa_kernel, SDPBackend

dev = torch.device('cuda')
B, A, D = 1, 32, 128           # Llama-3-8B: 32 heads of 128
DT = torch.bfloat16
BACKENDS = {'flash': SDPBackend.FLASH_ATTENTION, 'cudnn': SDPBackend.CUDNN_ATTENTION,
            'efficient': SDPBackend.EFFICIENT_ATTENTION}

def naive(q, k, v, causal):
    s = torch.matmul(q, k.transpose(-1, -2)) * (q.shape[-1] ** -0.5)
    if causal:
        n = q.shape[-2]
        mask = torch.ones(n, n, dtype=torch.bool, device=q.device).triu(1)
        s = s.masked_fill(mask, float('-inf'))
    p = torch.softmax(s, dim=-1)
    return torch.matmul(p, v)

def run(impl, S, causal, reps):
    torch.cuda.synchronize(); torch.cuda.empty_cache()
    q, k, v = (torch.randn(B, A, S, D, device=dev, dtype=DT, requires_grad=True) for _ in range(3))
    g = torch.randn(B, A, S, D, device=dev, dtype=DT)
    def fwd():
        if impl == 'naive':
            return naive(q, k, v, causal)
        with sdpa_kernel([BACKENDS[impl]]):
            return F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    # one untimed pass (warm-up, cuDNN plan build)
    o = fwd(); o.backward(g); del o
    q.grad = k.grad = v.grad = None
    torch.cuda.synchronize(); torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    o = fwd(); torch.cuda.synchronize()
    kept = torch.cuda.memory_allocated() - base            # output + what autograd saved
    fwd_peak = torch.cuda.max_memory_allocated() - base
    o.backward(g); torch.cuda.synchronize()
    peak = torch.cuda.max_memory_allocated() - base        # transient peak of fwd+bwd above q,k,v,g
    del o
    q.grad = k.grad = v.grad = None
    ts_f, ts_fb = [], []
    for _ in range(reps):
        e0, e1, e2 = (torch.cuda.Event(enable_timing=True) for _ in range(3))
        e0.record(); o = fwd(); e1.record(); o.backward(g); e2.record(); torch.cuda.synchronize()
        ts_f.append(e0.elapsed_time(e1)); ts_fb.append(e0.elapsed_time(e2))
        del o; q.grad = k.grad = v.grad = None
    med = lambda xs: sorted(xs)[len(xs) // 2]
    del q, k, v, g
    return {'impl': impl, 'seq': S, 'causal': causal, 'keptBytes': kept, 'forwardPeakBytes': fwd_peak,
            'peakBytes': peak, 'forwardMs': med(ts_f), 'forwardBackwardMs': med(ts_fb), 'reps': reps}

def main():
    out = os.environ.get('OUT', '.')
    rows, errors = [], []
    info = {'gpu': torch.cuda.get_device_name(0), 'torch': torch.__version__,
            'cudnn': torch.backends.cudnn.version(), 'batch': B, 'heads': A, 'headDim': D, 'dtype': 'bfloat16'}
    print(json.dumps(info), flush=True)
    plan = []
    for causal in (False, True):
        for S in (1024, 2048, 4096, 8192):
            plan.append(('naive', S, causal))
        for impl in ('flash', 'cudnn', 'efficient'):
            for S in (1024, 2048, 4096, 8192, 16384, 32768):
                plan.append((impl, S, causal))
    t0 = time.time()
    for impl, S, causal in plan:
        if time.time() - t0 > 150: errors.append(f'skipped {impl} {S} {causal}: time'); continue
        try:
            r = run(impl, S, causal, reps=5 if S <= 8192 else 3)
            rows.append(r); print(json.dumps(r), flush=True)
        except Exception as e:  # a backend may refuse a shape
            errors.append(f'{impl} seq {S} causal {causal}: {type(e).__name__}: {str(e)[:200]}')
            print(errors[-1], flush=True)
            torch.cuda.empty_cache()
    res = {**info, 'rows': rows, 'errors': errors, 'seconds': time.time() - t0}
    with open(os.path.join(out, 'attn_mem.json'), 'w') as f: json.dump(res, f, indent=1)
    print(json.dumps({'done': len(rows), 'errors': len(errors), 'seconds': res['seconds']}))

main()
