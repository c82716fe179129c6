"""What one Llama decoder block keeps for its backward, per GPU, at the per-rank shapes of tensor parallelism t with
and without sequence parallelism (SP), bf16, fused (cuDNN) attention. One JSON object on stdout and in
$OUT/llama_block_memory.json.

Two ways of writing the block:
- 'megatron': as Megatron-Core / Transformer Engine run it. RMSNorm as one autograd function keeping its input and the
  fp32 1/rms per token (TE / apex fused norms); column-parallel linears keeping their SP-sharded input and gathering
  it again in the backward (Korthikanti et al. 2022, §4.2.2), or their whole input without SP; rotary embedding as a
  function keeping only the cos/sin tables (it is linear in q and k); SDPA (cuDNN) keeping q, k, v, O and the
  log-sum-exp; SwiGLU as Megatron's fused bias_swiglu keeping fc1's output [gate, up] only; row-parallel linears
  keeping their input; residual adds keeping nothing.
- 'naive': plain PyTorch autograd over the same maths: the gathered input kept by each column linear, RMSNorm's fp32
  intermediates, silu(gate) kept beside gate and up.

Counting: torch.autograd.graph.saved_tensors_hooks sees every tensor any backward node saves (custom functions' too);
each storage is counted once (a view keeps its whole storage alive), parameters and the rotary tables left out (not
per micro-batch). Beside it, memory_allocated after the forward minus before it (the block's input exists before,
its output is counted in the delta). Collectives are simulated on one GPU with the same shapes (the all-gather as t
copies of the shard, the reduce-scatter as a sum of t slices), which changes no kept tensor.
A small fp32 case checks that the 'megatron' functions give the naive block's gradients from what they keep.
"""
import json, os, sys, traceback
import torch
import torch.nn.functional as F
from torch.nn.attention import sdpa_kernel, SDPBackend

dev = torch.device('cuda')
EPS = 1e-5


# ---- Megatron-style pieces (autograd functions keeping what the fused kernels keep) ----

def gather(x, t):          # SP all-gather along the sequence: [b, s/t, h] -> [b, s, h]
    return x if t == 1 else x.repeat(1, t, 1)


def scatter(y, t):         # SP reduce-scatter along the sequence: [b, s, h] -> [b, s/t, h]
    if t == 1:
        return y
    b, s, h = y.shape
    return y.view(b, t, s // t, h).sum(1)


class RMSNormFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w):
        xf = x.float()
        rs = torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + EPS)
        ctx.save_for_backward(x, w, rs)
        return (xf * rs).to(x.dtype) * w

    @staticmethod
    def backward(ctx, g):
        x, w, rs = ctx.saved_tensors
        xf, gf = x.float(), g.float()
        n = xf * rs
        gn = gf * w.float()
        dx = rs * (gn - n * (gn * n).mean(-1, keepdim=True))
        dw = (gf * n).sum(dim=tuple(range(g.dim() - 1)))
        return dx.to(x.dtype), dw.to(w.dtype)


class ColumnFn(torch.autograd.Function):
    """y = gather(x) @ w.T; keeps x as it came (SP: the shard), gathers it again for the weight gradient."""
    @staticmethod
    def forward(ctx, x, w, t, sp):
        ctx.save_for_backward(x, w)
        ctx.t, ctx.sp = t, sp
        return gather(x, t) @ w.t() if sp else x @ w.t()

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        xt = gather(x, ctx.t) if ctx.sp else x
        dx = g @ w
        if ctx.sp:
            dx = scatter(dx, ctx.t)
        dw = g.reshape(-1, g.shape[-1]).t() @ xt.reshape(-1, xt.shape[-1])
        return dx, dw, None, None


class RowFn(torch.autograd.Function):
    """y = scatter(x @ w.T) (SP) or x @ w.T (all-reduce); keeps x."""
    @staticmethod
    def forward(ctx, x, w, t, sp):
        ctx.save_for_backward(x, w)
        ctx.t, ctx.sp = t, sp
        y = x @ w.t()
        return scatter(y, t) if sp else y

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        gt = gather(g, ctx.t) if ctx.sp else g
        dx = gt @ w
        dw = gt.reshape(-1, gt.shape[-1]).t() @ x.reshape(-1, x.shape[-1])
        return dx, dw, None, None


def rotate(x):
    x1, x2 = x.chunk(2, -1)
    return torch.cat((-x2, x1), -1)


def rotate_t(y):           # the transpose of rotate
    y1, y2 = y.chunk(2, -1)
    return torch.cat((y2, -y1), -1)


class RopeFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, cos, sin):
        ctx.save_for_backward(cos, sin)
        return x * cos + rotate(x) * sin

    @staticmethod
    def backward(ctx, g):
        cos, sin = ctx.saved_tensors
        return g * cos + rotate_t(g * sin), None, None


class SwiGLUFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, y):
        ctx.save_for_backward(y)
        a, b = y.chunk(2, -1)
        return F.silu(a) * b

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        a, b = y.float().chunk(2, -1)
        s = torch.sigmoid(a)
        gf = g.float()
        return torch.cat((gf * s * (1 + a * (1 - s)) * b, gf * a * s), -1).to(y.dtype)


class LayerNormFn(torch.autograd.Function):
    """apex FusedLayerNorm / TE LayerNorm: keeps the input and an fp32 mean and 1/sigma per row."""
    @staticmethod
    def forward(ctx, x, w, b):
        y, mean, rstd = torch.native_layer_norm(x.float(), (x.shape[-1],), None, None, EPS)
        ctx.save_for_backward(x, w, mean, rstd)
        return y.to(x.dtype) * w + b

    @staticmethod
    def backward(ctx, g):
        x, w, mean, rstd = ctx.saved_tensors
        n = (x.float() - mean) * rstd
        gf = g.float()
        gn = gf * w.float()
        dx = rstd * (gn - gn.mean(-1, keepdim=True) - n * (gn * n).mean(-1, keepdim=True))
        dims = tuple(range(g.dim() - 1))
        return dx.to(x.dtype), (gf * n).sum(dims).to(w.dtype), gf.sum(dims).to(w.dtype)


class BiasGeluFn(torch.autograd.Function):
    """Megatron's fused bias_gelu: keeps the input and the bias, recomputes the tanh GELU's pieces."""
    @staticmethod
    def forward(ctx, y, bias):
        ctx.save_for_backward(y, bias)
        return F.gelu(y + bias, approximate='tanh')

    @staticmethod
    def backward(ctx, g):
        y, bias = ctx.saved_tensors
        x = (y + bias).float()
        t = torch.tanh(0.79788456 * x * (1 + 0.044715 * x * x))
        d = 0.5 * x * ((1 - t * t) * (0.79788456 + 0.1070322243 * x * x)) + 0.5 * (1 + t)
        gx = (g.float() * d).to(y.dtype)
        return gx, gx.reshape(-1, gx.shape[-1]).sum(0)


class CausalSoftmaxFn(torch.autograd.Function):
    """Megatron's ScaledUpperTriangMaskedSoftmax: scale, causal mask and softmax in one kernel, keeping its output."""
    @staticmethod
    def forward(ctx, scores, scale):
        n = scores.shape[-1]
        mask = torch.ones(n, n, dtype=torch.bool, device=scores.device).triu(1)
        p = torch.softmax((scores.float() * scale).masked_fill(mask, float('-inf')), -1).to(scores.dtype)
        ctx.save_for_backward(p)
        ctx.scale = scale
        return p

    @staticmethod
    def backward(ctx, g):
        (p,) = ctx.saved_tensors
        pf, gf = p.float(), g.float()
        return (ctx.scale * pf * (gf - (gf * pf).sum(-1, keepdim=True))).to(p.dtype), None


def gpt_block(x, w, c, style, tag):
    """GPT (LayerNorm, fused qkv with bias, attention with materialised probabilities as on V100, GELU MLP)."""
    t, sp = c['tp'], c['sp']
    b = x.shape[0]
    s, d, hq = c['seq'], c['head_dim'], c['heads_per_rank']
    mega = style == 'megatron'

    def norm(v, wn, bn, name):
        tag[0] = name
        return LayerNormFn.apply(v, wn, bn) if mega else F.layer_norm(v, (v.shape[-1],), wn, bn, EPS)

    def column(v, wc, name):
        tag[0] = name
        if mega:
            return ColumnFn.apply(v, wc, t, sp)
        return F.linear(gather(v, t) if sp else v, wc)

    def row(v, wr, name):
        tag[0] = name
        if mega:
            return RowFn.apply(v, wr, t, sp)
        y = F.linear(v, wr)
        return scatter(y, t) if sp else y

    h1 = norm(x, w['ln1'], w['ln1b'], 'ln_1')
    qkv = column(h1, w['qkv'], 'qkv') + w['qkv_b']
    q, k, v = qkv.view(b, s, 3, hq, d).permute(2, 0, 3, 1, 4)     # each [b, hq, s, d], views of qkv
    tag[0] = 'attention'
    scores = q @ k.transpose(-1, -2)
    if mega:
        p = CausalSoftmaxFn.apply(scores, d ** -0.5)
    else:
        mask = torch.ones(s, s, dtype=torch.bool, device=x.device).triu(1)
        p = torch.softmax((scores * d ** -0.5).masked_fill(mask, float('-inf')), -1)
    o = (p @ v).transpose(1, 2).reshape(b, s, hq * d)              # a copy: [b, s, h/t]
    x1 = x + row(o, w['o'], 'proj') + w['o_b']
    h2 = norm(x1, w['ln2'], w['ln2b'], 'ln_2')
    y = column(h2, w['fc1'], 'fc1')
    tag[0] = 'gelu'
    a = BiasGeluFn.apply(y, w['fc1_b']) if mega else F.gelu(y + w['fc1_b'], approximate='tanh')
    out = x1 + row(a, w['fc2'], 'fc2') + w['fc2_b']
    tag[0] = 'residual'
    return out


def make_gpt_weights(c, dtype):
    h, d, hq, f = c['hidden'], c['head_dim'], c['heads_per_rank'], c['ffn_per_rank']
    g = torch.Generator(device=dev).manual_seed(0)
    r = lambda *shape: (torch.randn(*shape, device=dev, dtype=dtype, generator=g) * shape[-1] ** -0.5).requires_grad_()
    z = lambda n: torch.zeros(n, device=dev, dtype=dtype, requires_grad=True)
    o = lambda n: torch.ones(n, device=dev, dtype=dtype, requires_grad=True)
    return {'ln1': o(h), 'ln1b': z(h), 'ln2': o(h), 'ln2b': z(h), 'qkv': r(3 * hq * d, h), 'qkv_b': z(3 * hq * d),
            'o': r(h, hq * d), 'o_b': z(h), 'fc1': r(f, h), 'fc1_b': z(f), 'fc2': r(h, f), 'fc2_b': z(h)}


# ---- the block ----

def make_weights(c, dtype):
    h, d, hq, hkv, f = c['hidden'], c['head_dim'], c['heads_per_rank'], c['kv_heads_per_rank'], c['ffn_per_rank']
    g = torch.Generator(device=dev).manual_seed(0)
    r = lambda *shape: (torch.randn(*shape, device=dev, dtype=dtype, generator=g) * shape[-1] ** -0.5).requires_grad_()
    w = {'norm1': torch.ones(h, device=dev, dtype=dtype, requires_grad=True),
         'norm2': torch.ones(h, device=dev, dtype=dtype, requires_grad=True),
         'qkv': r((hq + 2 * hkv) * d, h), 'o': r(h, hq * d), 'fc1': r(2 * f, h), 'fc2': r(h, f)}
    s = c['seq']
    pos = torch.arange(s, device=dev, dtype=torch.float32)[:, None]
    inv = 10000 ** (-torch.arange(0, d, 2, device=dev, dtype=torch.float32) / d)
    ang = torch.cat((pos * inv, pos * inv), -1)                  # [s, d]
    w['cos'] = ang.cos().to(dtype)[:, None, :]                   # [s, 1, d]: broadcast over heads of [b, s, heads, d]
    w['sin'] = ang.sin().to(dtype)[:, None, :]
    return w


LAST = {}


def attention(q, k, v, backend):
    # q [b, s, hq, d], k/v [b, s, hkv, d] -> O [b, s, hq*d]; SDPA takes [b, heads, s, d] (views; cuDNN writes O in q's layout)
    kw = {'is_causal': True, 'enable_gqa': q.shape[2] != k.shape[2]}
    with sdpa_kernel([backend]):
        o = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), **kw)
    LAST['o_in_q_layout'] = o.transpose(1, 2).is_contiguous()   # else the reshape below copies O (kept twice)
    return o.transpose(1, 2).reshape(q.shape[0], q.shape[1], -1)


def block(x, w, c, style, backend, tag, v_copy=True):
    """x: the residual stream this rank holds ([b, s/t, h] with SP, else [b, s, h]); returns the next one."""
    t, sp = c['tp'], c['sp']
    b = x.shape[0]
    s, d, hq, hkv = c['seq'], c['head_dim'], c['heads_per_rank'], c['kv_heads_per_rank']
    mega = style == 'megatron'

    def norm(v, wn, name):
        tag[0] = name
        if mega:
            return RMSNormFn.apply(v, wn)
        vf = v.float()
        return (vf * torch.rsqrt(vf.pow(2).mean(-1, keepdim=True) + EPS)).to(v.dtype) * wn

    def column(v, wc, name):
        tag[0] = name
        if mega:
            return ColumnFn.apply(v, wc, t, sp)
        return F.linear(gather(v, t) if sp else v, wc)

    def row(v, wr, name):
        tag[0] = name
        if mega:
            return RowFn.apply(v, wr, t, sp)
        y = F.linear(v, wr)
        return scatter(y, t) if sp else y

    h1 = norm(x, w['norm1'], 'input_norm')
    qkv = column(h1, w['qkv'], 'qkv')                               # [b, s, (hq + 2 hkv) d]
    q, k, v = qkv.split([hq * d, hkv * d, hkv * d], -1)
    q, k, v = q.view(b, s, hq, d), k.view(b, s, hkv, d), v.view(b, s, hkv, d)
    tag[0] = 'rope'
    if mega:
        q, k = RopeFn.apply(q, w['cos'], w['sin']), RopeFn.apply(k, w['cos'], w['sin'])
    else:
        q, k = q * w['cos'] + rotate(q) * w['sin'], k * w['cos'] + rotate(k) * w['sin']
    if v_copy:
        v = v.contiguous()
    tag[0] = 'attention'
    o = attention(q, k, v, backend)
    x1 = x + row(o, w['o'], 'o_proj')
    h2 = norm(x1, w['norm2'], 'post_norm')
    y = column(h2, w['fc1'], 'fc1')                                 # [b, s, 2 f]: gate and up
    tag[0] = 'swiglu'
    if mega:
        a = SwiGLUFn.apply(y)
    else:
        g_, u_ = y.chunk(2, -1)
        a = F.silu(g_) * u_
    out = x1 + row(a, w['fc2'], 'fc2')
    tag[0] = 'residual'
    return out


def measure(c, style, backend, v_copy=True):
    torch.cuda.synchronize(); torch.cuda.empty_cache()
    gpt = c.get('family') == 'gpt'
    w = (make_gpt_weights if gpt else make_weights)(c, torch.bfloat16)
    run = (lambda: gpt_block(x, w, c, style, tag)) if gpt else (lambda: block(x, w, c, style, backend, tag, v_copy))
    skip = {p.untyped_storage().data_ptr() for p in w.values()}
    t, sp, b, s, h = c['tp'], c['sp'], c['batch'], c['seq'], c['hidden']
    x = torch.randn(b, s // t if sp else s, h, device=dev, dtype=torch.bfloat16, requires_grad=True)
    tag = ['']
    seen = {}

    def pack(tensor):
        st = tensor.untyped_storage()
        ptr = st.data_ptr()
        if ptr not in skip and ptr not in seen:
            seen[ptr] = {'op': tag[0], 'bytes': st.nbytes(), 'shape': list(tensor.shape), 'dtype': str(tensor.dtype).replace('torch.', '')}
        return tensor

    # warm-up (cuDNN plans), then the measured forward
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda u: u):
        y = run()
    y.backward(torch.ones_like(y)); del y
    for p in list(w.values()) + [x]:
        p.grad = None
    seen.clear()
    torch.cuda.synchronize(); torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda u: u):
        y = run()
    torch.cuda.synchronize()
    delta = torch.cuda.memory_allocated() - base
    fwd_peak = torch.cuda.max_memory_allocated() - base
    y.backward(torch.ones_like(y)); torch.cuda.synchronize()
    peak = torch.cuda.max_memory_allocated() - base
    saved = sum(v['bytes'] for v in seen.values())
    by_op = {}
    for v in seen.values():
        by_op[v['op']] = by_op.get(v['op'], 0) + v['bytes']
    row = {'model': c['model'], 'tp': t, 'sp': sp, 'batch': b, 'seq': s, 'style': style, 'v_copy': v_copy,
           'backend': str(backend).split('.')[-1], 'o_in_q_layout': LAST.get('o_in_q_layout'), 'shapes': c,
           'saved_bytes': saved, 'input_bytes': x.numel() * 2, 'output_bytes': y.numel() * 2,
           'allocated_delta_bytes': delta, 'forward_peak_bytes': fwd_peak, 'forward_backward_peak_bytes': peak,
           'saved_by_op': by_op, 'saved_tensors': sorted(seen.values(), key=lambda v: -v['bytes'])}
    del y, x, w
    return row


def check_gradients(backend):
    """Small fp32-accumulated check: the Megatron-style functions' gradients equal plain autograd's."""
    c = {'model': 'check', 'hidden': 256, 'heads_per_rank': 4, 'kv_heads_per_rank': 2, 'head_dim': 64, 'ffn_per_rank': 384,
         'tp': 2, 'sp': True, 'seq': 256, 'batch': 2}
    res = {}
    for style in ('megatron', 'naive'):
        w = make_weights(c, torch.bfloat16)
        x = torch.randn(2, 128, 256, device=dev, dtype=torch.bfloat16, generator=torch.Generator(device=dev).manual_seed(1), requires_grad=True)
        y = block(x, w, c, style, backend, [''])
        y.float().pow(2).sum().backward()
        res[style] = {'x': x.grad.float(), **{k: w[k].grad.float() for k in ('qkv', 'o', 'fc1', 'fc2', 'norm1', 'norm2')}}
    out = {k: float((res['megatron'][k] - res['naive'][k]).norm() / res['naive'][k].norm().clamp_min(1e-30)) for k in res['naive']}
    c = {'model': 'check-gpt', 'family': 'gpt', 'hidden': 256, 'heads_per_rank': 2, 'head_dim': 64, 'ffn_per_rank': 512,
         'tp': 2, 'sp': True, 'seq': 256, 'batch': 2}
    for style in ('megatron', 'naive'):
        w = make_gpt_weights(c, torch.bfloat16)
        x = torch.randn(2, 128, 256, device=dev, dtype=torch.bfloat16, generator=torch.Generator(device=dev).manual_seed(1), requires_grad=True)
        y = gpt_block(x, w, c, style, [''])
        y.float().pow(2).sum().backward()
        res[style] = {'x': x.grad.float(), **{k: w[k].grad.float() for k in ('qkv', 'o', 'fc1', 'fc2', 'ln1', 'ln2', 'fc1_b', 'ln1b')}}
    out.update({'gpt ' + k: float((res['megatron'][k] - res['naive'][k]).norm() / res['naive'][k].norm().clamp_min(1e-30)) for k in res['naive']})
    return out


def shapes(model, h, heads, kv, ffn, tp, sp, seq=8192, batch=1):
    return {'model': model, 'hidden': h, 'head_dim': h // heads, 'heads_per_rank': heads // tp, 'kv_heads_per_rank': max(1, kv // tp),
            'ffn_per_rank': ffn // tp, 'tp': tp, 'sp': sp, 'seq': seq, 'batch': batch}


def gpt_shapes(model, h, heads, tp, sp, seq, batch=1):
    return {'model': model, 'family': 'gpt', 'hidden': h, 'head_dim': h // heads, 'heads_per_rank': heads // tp,
            'ffn_per_rank': 4 * h // tp, 'tp': tp, 'sp': sp, 'seq': seq, 'batch': batch}


CASES = [
    shapes('llama-3-405B', 16384, 128, 8, 53248, 8, True),
    shapes('llama-3-70B', 8192, 64, 8, 28672, 8, True),
    shapes('llama-3-70B', 8192, 64, 8, 28672, 8, True, batch=2),
    shapes('llama-3-70B', 8192, 64, 8, 28672, 4, False),
    shapes('llama-3-8B', 4096, 32, 8, 14336, 1, False),
    shapes('llama-3-8B', 4096, 32, 8, 14336, 2, True),
    gpt_shapes('gpt-175B', 12288, 96, 8, False, 2048),
    gpt_shapes('gpt-175B', 12288, 96, 8, True, 2048),
    gpt_shapes('gpt-2.6B', 2560, 32, 2, False, 1024, batch=4),
]


def main():
    props = torch.cuda.get_device_properties(0)
    out = {'gpu': props.name, 'mem_gib': props.total_memory / 2**30, 'torch': torch.__version__,
           'cudnn': torch.backends.cudnn.version(), 'rows': [], 'errors': []}
    print(out['gpu'], out['torch'], out['cudnn'], flush=True)
    backend = SDPBackend.CUDNN_ATTENTION
    try:
        out['gradient_check'] = check_gradients(backend)
    except Exception as e:  # cuDNN refusing the small shape: check with flash
        out['errors'].append({'what': 'gradient_check cudnn', 'error': str(e).splitlines()[0][:300]})
        backend = SDPBackend.FLASH_ATTENTION
        out['gradient_check'] = check_gradients(backend)
    out['backend'] = str(backend).split('.')[-1]
    print('gradient check', out['gradient_check'], flush=True)
    runs = [(c, 'megatron', True) for c in CASES] + [(c, 'naive', True) for c in CASES] + [(CASES[0], 'megatron', False), (CASES[1], 'megatron', False)]
    for c, style, v_copy in runs:
        try:
            try:
                row = measure(c, style, backend, v_copy)
            except RuntimeError as e:  # a backend refusing the shape or strides: flash attention instead
                out['errors'].append({'model': c['model'], 'tp': c['tp'], 'style': style, 'retry': 'flash', 'error': str(e).splitlines()[0][:300]})
                row = measure(c, style, SDPBackend.FLASH_ATTENTION, v_copy)
            out['rows'].append(row)
            print({k: v for k, v in row.items() if k != 'saved_tensors'}, flush=True)
        except Exception as e:
            out['errors'].append({'model': c['model'], 'tp': c['tp'], 'style': style, 'error': traceback.format_exc()[-600:]})
            print('ERROR', c['model'], style, e, flush=True)
    text = json.dumps(out, indent=1)
    if os.environ.get('OUT'):
        with open(os.path.join(os.environ['OUT'], 'llama_block_memory.json'), 'w') as f:
            f.write(text)
    print(text[:2000])


if __name__ == '__main__':
    sys.exit(main())
