#!/usr/bin/env python3
"""Summarises gemm-run.sh's tarballs (XLA's optimised HLO of GPT-350M b8's step and one step's kernel trace, with
remat and without) into h100x1-gemm-kernels.json: every kernel that reads or writes an attention-score-sized tensor
([8,16,1024,1024] = [128,1024,1024]), with its calls, time, the loop it runs in and its score-sized bytes per score
element (operands + output, from the HLO's fused computation). Runs here (no GPU): python3 gemm_kernels.py OUT.json
"""
import glob, gzip, io, json, re, sys, tarfile, os
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
BYTES = {'pred': 1, 'bf16': 2, 'f16': 2, 'f32': 4, 's32': 4}


def elements(shape):
    n = 1
    for d in shape.split(','):
        n *= int(d) if d else 1
    return n


def score_bytes(shapes, SCORE, layers):
    """Bytes per score element of the score-sized tensors among `shapes` ('bf16[128,1024,1024]', ...); a stacked
    [layers, ...] residual counts one layer's slice (what one call touches)."""
    total = 0
    for s in shapes:
        m = re.match(r'(\w+)\[([\d,]*)\]', s)
        if not m:
            continue
        n = elements(m.group(2))
        dims = [int(d) for d in m.group(2).split(',') if d]
        if n == SCORE:
            total += BYTES.get(m.group(1), 0)
        elif dims and dims[0] == layers and n == layers * SCORE:
            total += BYTES.get(m.group(1), 0)
    return total


def program(tgz, score, layers=24):
    SCORE = score
    tf = tarfile.open(tgz)
    hlo = next(m for m in tf.getmembers() if 'jit_step' in m.name and m.name.endswith('after_optimizations.txt'))
    txt = tf.extractfile(hlo).read().decode()
    trace = next(m for m in tf.getmembers() if 'perfetto' in m.name)
    ev = json.load(gzip.open(io.BytesIO(tf.extractfile(trace).read()), 'rt'))
    ev = ev['traceEvents'] if isinstance(ev, dict) else ev
    comps, cur = {}, None
    for line in txt.split('\n'):
        m = re.match(r'^(?:ENTRY )?%?([\w.\-]+) .*\{$', line)
        if m:
            cur = m.group(1)
            comps[cur] = []
        elif cur and line.startswith('  '):
            comps[cur].append(line.strip())
    bodies = re.findall(r'body=%?([\w.\-]+)', txt)
    loops = {b: ('forward' if i == 0 else 'backward') for i, b in enumerate(bodies)}
    fusions = {}
    for c, lines in comps.items():
        for l in lines:
            m = re.match(r'(?:ROOT )?%?([\w.\-]+) = (\S+) fusion\(.*calls=%?([\w.\-]+)', l)
            if not m:
                continue
            params = [re.match(r'%?[\w.\-]+ = (\S+) parameter', il).group(1) for il in comps.get(m.group(3), []) if ' parameter(' in il]
            b = score_bytes(params + [m.group(2)], SCORE, layers)
            if b:
                fusions[m.group(1).replace('.', '_')] = {'loop': loops.get(c, 'step'), 'bytesPerScoreElement': b,
                                                         'output': m.group(2).split('{')[0], 'operands': [p.split('{')[0] for p in params]}
    gpu = {e['pid'] for e in ev if e.get('ph') == 'M' and e.get('name') == 'process_name'
           and re.search(r'/device:GPU:\d+', e['args'].get('name', ''))}
    agg = defaultdict(lambda: [0, 0.0])
    for e in ev:
        if e.get('ph') == 'X' and e.get('pid') in gpu:
            agg[e['name']][0] += 1
            agg[e['name']][1] += float(e['dur']) / 1e3
    kernels = []
    for name, f in fusions.items():
        if name in agg:
            calls, ms = agg[name]
            kernels.append({'name': name, **f, 'calls': calls, 'ms': round(ms, 3), 'msPerCall': round(ms / calls, 4)})
    gemm = {k: v for k, v in agg.items() if 'gemm' in k or 'nvjet' in k}
    return {'kernelMs': round(sum(v[1] for v in agg.values()), 2), 'scoreElements': SCORE, 'scoreKernels': kernels,
            'gemmCalls': sum(v[0] for v in gemm.values()), 'gemmMs': round(sum(v[1] for v in gemm.values()), 3)}


def main(out):
    E = 1024 * 1024  # seq 1024: a score tensor is batch x heads x 2^20 elements
    res = {'what': 'GPT-350M b8 seq 1024 bf16-adam32 on one H100 (gemm-run.sh): the score-sized fusions per program',
           'rematOn': program(os.path.join(HERE, 'h100x1-gemm-hlo-remat-on.tgz'), 8 * 16 * E),
           'rematOff': program(os.path.join(HERE, 'h100x1-gemm-hlo-remat-off.tgz'), 8 * 16 * E),
           # gemm-run.sh T: three more remat rows (batch x heads: 16 x 16, 8 x 16, 8 x 32)
           'gpt-350M b16 remat=on': program(os.path.join(HERE, 'h100x1-gemm-hlo-gpt-350M_b16_remat-on.tgz'), 16 * 16 * E),
           'gpt-760M b8 remat=on': program(os.path.join(HERE, 'h100x1-gemm-hlo-gpt-760M_b8_remat-on.tgz'), 8 * 16 * E),
           'gpt-1.3B b8 remat=on': program(os.path.join(HERE, 'h100x1-gemm-hlo-gpt-1.3B_b8_remat-on.tgz'), 8 * 32 * E)}
    with open(out, 'w') as f:
        json.dump(res, f, indent=1)
    for k in res:
        if k == 'what':
            continue
        print(k, res[k]['gemmCalls'], res[k]['gemmMs'], res[k]['kernelMs'])
        for x in res[k]['scoreKernels']:
            print(k, x['name'], x['loop'], x['calls'], x['msPerCall'], x['bytesPerScoreElement'], x['output'], x['operands'])


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, 'h100x1-gemm-kernels.json'))
