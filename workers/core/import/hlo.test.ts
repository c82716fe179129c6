/**
 * XLA HLO text (fixtures/wild/hlo: the gpt-scan JAX programs compiled by XLA, beside their StableHLO): parameters
 * exact, one layer per while-loop trip, forward FLOPs equal to the StableHLO import of the same program, the
 * collectives of the partitioned program named; and the HLO constructs one at a time on small programs.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { inspectGraph } from '../ir/inspect.ts';
import type { ModelGraph } from '../ir/types.ts';
import { importModel } from './index.ts';
import { sniff } from './sniff.ts';

const WILD = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/wild/hlo');
const load = (f: string) => new Uint8Array(readFileSync(resolve(WILD, f)));
const text = (s: string) => new TextEncoder().encode(s);

async function imported(file: string, data = load(file)): Promise<{ graph: ModelGraph; warnings: string[] }> {
  const r = await importModel(file, data);
  if (!r.ok) throw new Error(`${r.error.message} (line ${r.error.line})`);
  return r;
}
const flops = (g: ModelGraph, pred: (o: ModelGraph['ops'][number]) => boolean) => g.ops.filter(pred).reduce((s, o) => s + o.flops, 0);
const PARAMS = 3_450_112;

describe('HLO text of the gpt-scan programs (CPU backend)', () => {
  it('forward: parameters of the JAX tree, 4 layers from the while trips, FLOPs within 2% of the StableHLO import', async () => {
    const { graph: g, warnings } = await imported('gpt-scan.forward.hlo.txt');
    const { graph: ref } = await imported('gpt-scan.forward.mlir');
    const s = inspectGraph(g);
    expect(s.params).toBe(PARAMS);
    expect(s.layers).toBe(4);
    expect([g.batch, g.seq]).toEqual([4, 128]);
    expect(g.source).toBe('hlo:gpt-scan.forward.hlo.txt');
    expect(Math.abs(s.forwardFlops / inspectGraph(ref).forwardFlops - 1)).toBeLessThan(0.02);
    // Each trip's dots (opened from their fusions) are one layer's: qkv, scores, context, out, fc1, fc2.
    for (let i = 0; i < 4; i++) {
      const dots = g.ops.filter((o) => o.kind === 'dot' && o.path.startsWith(`gpt-scan_forward/layers.${i}/`));
      expect(dots.length).toBe(6);
      expect(dots.every((o) => /fused_computation/.test(o.path))).toBe(true);
    }
    expect(g.tensors.find((t) => t.name === '%ids.1')?.kind).toBe('input');
    expect(warnings).toEqual([]);
  });

  it('train: parameters apart from data, forward FLOPs as StableHLO, the whole step about 3x forward', async () => {
    const { graph: g, warnings } = await imported('gpt-scan.train.hlo.txt');
    const { graph: ref } = await imported('gpt-scan.train.mlir');
    const s = inspectGraph(g);
    expect(s.params).toBe(PARAMS);
    expect(s.layers).toBe(4);
    expect(g.training).toEqual({ optimizer: 'sgd', explicitBackward: true });
    expect(Math.abs(s.forwardFlops / inspectGraph(ref).forwardFlops - 1)).toBeLessThan(0.02);
    expect(s.flopsPerStep / s.forwardFlops).toBeGreaterThan(2.9);
    expect(s.flopsPerStep / s.forwardFlops).toBeLessThan(3.1);
    expect(g.ops.some((o) => o.phase === 'update')).toBe(true);
    // The backward scan (a loop of backward ops alone) runs the layers in reverse: each trip pairs with its layer.
    for (let i = 0; i < 4; i++) {
      const layer = `gpt-scan_train/layers.${i}`;
      const ratio = flops(g, (o) => o.phase === 'backward' && o.pairedPath === layer) / flops(g, (o) => o.phase === 'forward' && o.path.startsWith(`${layer}/`));
      expect(ratio).toBeGreaterThan(1.9);
      expect(ratio).toBeLessThan(2.1);
    }
    expect(g.ops.filter((o) => o.phase === 'forward' && o.kind === 'dot' && o.path.startsWith('gpt-scan_train/head/')).length).toBe(1);
    expect(warnings).toEqual([]);
  });

  it('tp4dp2 train: one device\'s share, the whole model\'s parameters from the shardings, the collectives named', async () => {
    const { graph: g, warnings } = await imported('gpt-scan-tp4dp2.train.hlo.txt');
    const { graph: ref } = await imported('gpt-scan-tp4dp2.train.mlir');
    expect(warnings[0]).toBe("hlo: the program is partitioned for 8 devices (num_partitions=8) and imported as one device's share: 1,085,440 parameters here, 3,450,112 in the whole model (from the parameters' shardings)");
    expect(warnings[1]).toBe('hlo: the program already holds 17 collectives over 8 devices: collective-permute x7 (2 source-target pairs; 6 source-target pairs; 4 source-target pairs), all-reduce x6 (groups of 4; groups of 2), all-to-all x4 (groups of 4)');
    expect(warnings).toHaveLength(2);
    expect(inspectGraph(g).params).toBe(1_085_440);
    expect(inspectGraph(g).layers).toBe(4);
    // A layer's dots on one device: an eighth of the global layer's (data 2 x model 4).
    const layerDots = (x: ModelGraph) => flops(x, (o) => o.phase === 'forward' && o.kind === 'dot' && /\/layers\.\d+\//.test(o.path));
    expect(Math.abs((8 * layerDots(g)) / layerDots(ref) - 1)).toBeLessThan(0.02);
    // The all-reduces XLA combined into one op of several operands come apart: the loss does not read the gradients.
    expect(flops(g, (o) => o.phase === 'backward') / flops(g, (o) => o.phase === 'forward')).toBeGreaterThan(1.5);
    const collectives = g.ops.filter((o) => /^(all_reduce|all_to_all|collective_permute) /.test(o.name));
    expect(collectives.length).toBeGreaterThanOrEqual(17);
  });
});

describe('HLO text in other forms and of other models (CPU backend, fixtures/wild/make_hlo_cpu.py)', () => {
  it.each([['gpt-scan.forward.dump.hlo.txt'], ['gpt-scan.forward.unopt.hlo.txt']])('%s (what --xla_dump_to writes; before optimizations): as the StableHLO', async (file) => {
    const { graph: g, warnings } = await imported(file);
    const { graph: ref } = await imported('gpt-scan.forward.mlir');
    const s = inspectGraph(g);
    expect([s.params, s.layers]).toEqual([PARAMS, 4]);
    expect(Math.abs(s.forwardFlops / inspectGraph(ref).forwardFlops - 1)).toBeLessThan(0.02);
    expect(warnings).toEqual([]);
  });

  it('the GPT unrolled (per-layer weights, as flax models are): layers from the repeating parameter shapes, step 3x forward', async () => {
    const { graph: g, warnings } = await imported('gpt-unrolled.train.hlo.txt');
    const { graph: ref } = await imported('gpt-scan.train.mlir');
    const s = inspectGraph(g);
    expect([s.params, s.layers]).toEqual([PARAMS, 4]);
    expect(Math.abs(s.forwardFlops / inspectGraph(ref).forwardFlops - 1)).toBeLessThan(0.02);
    expect(s.flopsPerStep / s.forwardFlops).toBeGreaterThan(2.9);
    expect(s.flopsPerStep / s.forwardFlops).toBeLessThan(3.1);
    for (let i = 0; i < 4; i++) {
      const layer = `gpt-unrolled_train/layers.${i}`;
      const fwd = flops(g, (o) => o.phase === 'forward' && o.path.startsWith(`${layer}/`));
      // A block's matmuls: 2 T 12 H^2 (qkv, out, fc1, fc2) + 4 B S^2 H (scores, context), T = B S = 512, H = 256.
      expect(flops(g, (o) => o.phase === 'forward' && o.kind === 'dot' && o.path.startsWith(`${layer}/`))).toBe(2 * 512 * 12 * 256 * 256 + 4 * 4 * 128 * 128 * 256);
      const ratio = flops(g, (o) => o.phase === 'backward' && o.pairedPath === layer) / fwd;
      expect(ratio).toBeGreaterThan(1.8);
      expect(ratio).toBeLessThan(2.2);
    }
    expect(warnings).toEqual([]);
  });

  it('a CNN: the JAX tree\'s parameters (images are data), convolution FLOPs as counted by hand, a training step with its backward convolutions', async () => {
    const conv1 = 2 * 8 * 32 * 32 * 16 * 3 * 9, conv2 = 2 * 8 * 16 * 16 * 32 * 16 * 9;
    const { graph: fwd } = await imported('cnn.forward.cpu.hlo.txt');
    expect(inspectGraph(fwd).params).toBe(3 * 3 * 3 * 16 + 16 + 3 * 3 * 16 * 32 + 32 + 32 * 10 + 10);
    expect(fwd.ops.filter((o) => o.kind === 'conv').map((o) => o.flops)).toEqual([conv1, conv2]);
    const { graph: train } = await imported('cnn.train.cpu.hlo.txt');
    expect(inspectGraph(train).params).toBe(5418);
    // Backward: conv2's weight and input gradients (the latter an input-dilated convolution: its zeros not counted), conv1's weight gradient.
    const convs = train.ops.filter((o) => o.kind === 'conv');
    expect(convs.filter((o) => o.phase === 'forward').map((o) => o.flops).sort()).toEqual([conv1, conv2].sort());
    expect(convs.filter((o) => o.phase !== 'forward').map((o) => o.flops).sort((a, b) => a - b)).toEqual([conv1, conv2, conv2]);
    // XLA's own cost analysis of the two programs (fixtures/wild/hlo/cpu-manifest.json) within 5%.
    const xla = (JSON.parse(readFileSync(resolve(WILD, 'cpu-manifest.json'), 'utf8')) as Record<string, number>[])[1]!;
    expect(Math.abs(inspectGraph(fwd).forwardFlops / xla['cnn.forward.xla_flops']! - 1)).toBeLessThan(0.05);
    expect(Math.abs(inspectGraph(train).flopsPerStep / xla['cnn.train.xla_flops']! - 1)).toBeLessThan(0.05);
    // The same training step as StableHLO imports too (its input-dilated convolution used to be refused as inconsistent).
    const { graph: ref } = await imported('cnn.train.mlir');
    expect(ref.ops.filter((o) => o.kind === 'conv' && o.phase !== 'forward').map((o) => o.flops).sort((a, b) => a - b)).toEqual([conv1, conv2, conv2]);
  });
});

const MODULE = (body: string, extra = '') => `HloModule jit_f, entry_computation_layout={(f32[8,16]{1,0})->f32[8,32]{1,0}}${extra}

FileNames
1 "/tmp/f.py"

${body}
`;

const FUSED_DOT = MODULE(`%fused_dot (p0: f32[8,16], p1: f32[16,32]) -> f32[8,32] {
  %p0 = f32[8,16]{1,0} parameter(0)
  %p1 = f32[16,32]{1,0} parameter(1)
  ROOT %dot.1 = f32[8,32]{1,0} dot(%p0, %p1), lhs_contracting_dims={1}, rhs_contracting_dims={0}, metadata={op_name="jit(f)/dot_general"}
}

%small (a: f32[8,32]) -> f32[8,32] {
  %a = f32[8,32]{1,0} parameter(0)
  ROOT %neg = f32[8,32]{1,0} negate(%a)
}

%big (b: f32[8,32]) -> f32[8,32] {
  %b = f32[8,32]{1,0} parameter(0)
  %t = f32[8,32]{1,0} tanh(%b)
  ROOT %e = f32[8,32]{1,0} exponential(%t)
}

ENTRY %main.9 (x.1: f32[8,16], w.1: f32[16,32], flag.1: pred[]) -> f32[8,32] {
  %x.1 = f32[8,16]{1,0} parameter(0), metadata={op_name="x"}
  %w.1 = f32[16,32]{1,0} parameter(1), metadata={op_name="params['w']"}
  %flag.1 = pred[] parameter(2)
  %fusion = f32[8,32]{1,0} fusion(%x.1, %w.1), kind=kOutput, calls=%fused_dot
  %tup = (f32[8,32]{1,0}, f32[16,32]{1,0}) tuple(%fusion, %w.1)
  %gte = f32[8,32]{1,0} get-tuple-element(%tup), index=0
  %cond = f32[8,32]{1,0} conditional(%flag.1, %gte, %gte), true_computation=%small, false_computation=%big
  ROOT %call = f32[8,32]{1,0} call(%cond), to_apply=%small
}`);

describe('HLO constructs', () => {
  it('a fusion is opened (its dot counts), tuples vanish, a conditional runs its largest branch, calls are inlined', async () => {
    expect(sniff(text(FUSED_DOT))).toBe('hlo');
    const { graph: g } = await imported('f.hlo.txt', text(FUSED_DOT));
    expect(g.ops.map((o) => `${o.kind} ${o.path}`)).toEqual([
      'dot f/embed/fused_dot/dot_general', 'elementwise f/embed/big/tanh', 'elementwise f/embed/big/exponential', 'elementwise f/embed/small/negate',
    ]);
    expect(g.ops[0]!.flops).toBe(2 * 8 * 32 * 16);
    expect(g.ops[0]!.attrs).toEqual({ kind: 'dot', lhsBatch: [], rhsBatch: [], lhsContract: [1], rhsContract: [0] });
    expect(inspectGraph(g).params).toBe(16 * 32);
  });

  it('a while loop without known_trip_count takes its trips from the condition: one layer per trip', async () => {
    const loop = MODULE(`%body (p: (s32[], f32[8,16], f32[4,16,16])) -> (s32[], f32[8,16], f32[4,16,16]) {
  %p = (s32[], f32[8,16]{1,0}, f32[4,16,16]{2,1,0}) parameter(0)
  %i = s32[] get-tuple-element(%p), index=0
  %h = f32[8,16]{1,0} get-tuple-element(%p), index=1
  %ws = f32[4,16,16]{2,1,0} get-tuple-element(%p), index=2
  %zero = s32[] constant(0)
  %ds = f32[1,16,16]{2,1,0} dynamic-slice(%ws, %i, %zero, %zero), dynamic_slice_sizes={1,16,16}
  %w = f32[16,16]{1,0} bitcast(%ds)
  %d = f32[8,16]{1,0} dot(%h, %w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
  %one = s32[] constant(1)
  %next = s32[] add(%i, %one)
  ROOT %out = (s32[], f32[8,16]{1,0}, f32[4,16,16]{2,1,0}) tuple(%next, %d, %ws)
}

%cond (q: (s32[], f32[8,16], f32[4,16,16])) -> pred[] {
  %q = (s32[], f32[8,16]{1,0}, f32[4,16,16]{2,1,0}) parameter(0)
  %j = s32[] get-tuple-element(%q), index=0
  %n = s32[] constant(4)
  ROOT %lt = pred[] compare(%j, %n), direction=LT
}

ENTRY %main (x: f32[8,16], ws: f32[4,16,16]) -> f32[8,16] {
  %x = f32[8,16]{1,0} parameter(0), metadata={op_name="x"}
  %ws = f32[4,16,16]{2,1,0} parameter(1)
  %c0 = s32[] constant(0)
  %init = (s32[], f32[8,16]{1,0}, f32[4,16,16]{2,1,0}) tuple(%c0, %x, %ws)
  %loop = (s32[], f32[8,16]{1,0}, f32[4,16,16]{2,1,0}) while(%init), condition=%cond, body=%body
  ROOT %r = f32[8,16]{1,0} get-tuple-element(%loop), index=1
}`);
    const { graph: g, warnings } = await imported('loop.hlo', text(loop));
    expect(g.ops.filter((o) => o.kind === 'dot').map((o) => o.path)).toEqual([0, 1, 2, 3].map((i) => `loop/layers.${i}/dot_general`));
    expect(inspectGraph(g).layers).toBe(4);
    expect(inspectGraph(g).params).toBe(4 * 16 * 16);
    expect(warnings).toEqual([]);
  });

  it('cuBLAS gemm custom-calls are the dots of their backend_config (with C added when beta is 1), cuDNN convolutions convolutions', async () => {
    const gemm = MODULE(`ENTRY %main (a: f32[2,8,16], b: f32[2,16,32], c: f32[2,8,32], img: f32[4,32,32,3], k: f32[3,3,3,8]) -> f32[2,8,32] {
  %a = f32[2,8,16]{2,1,0} parameter(0), metadata={op_name="x"}
  %b = f32[2,16,32]{2,1,0} parameter(1)
  %c = f32[2,8,32]{2,1,0} parameter(2)
  %img = f32[4,32,32,3]{3,2,1,0} parameter(3), metadata={op_name="images"}
  %k = f32[3,3,3,8]{3,2,1,0} parameter(4)
  %g = (f32[2,8,32]{2,1,0}, s8[4194304]{0}) custom-call(%a, %b, %c), custom_call_target="__cublas$gemm", backend_config={"operation_queue_id":"0","gemm_backend_config":{"alpha_real":1,"beta":1,"dot_dimension_numbers":{"lhs_contracting_dimensions":["2"],"rhs_contracting_dimensions":["1"],"lhs_batch_dimensions":["0"],"rhs_batch_dimensions":["0"]},"epilogue":"DEFAULT"}}
  %lt = (f32[2,8,32]{2,1,0}, s8[1024]{0}) custom-call(%a, %b), custom_call_target="__cublas$lt$matmul", backend_config={"gemm_backend_config":{"beta":0,"dot_dimension_numbers":{"lhs_contracting_dimensions":["2"],"rhs_contracting_dimensions":["1"],"lhs_batch_dimensions":["0"],"rhs_batch_dimensions":["0"]},"epilogue":"DEFAULT"}}
  %cv = (f32[4,16,16,8]{3,2,1,0}, u8[0]{0}) custom-call(%img, %k), window={size=3x3 stride=2x2 pad=0_1x0_1}, dim_labels=b01f_01io->b01f, custom_call_target="__cudnn$convForward", backend_config={"cudnn_conv_backend_config":{"conv_result_scale":1}}
  %m = f32[2,8,32]{2,1,0} get-tuple-element(%g), index=0
  %n = f32[2,8,32]{2,1,0} get-tuple-element(%lt), index=0
  ROOT %sum = f32[2,8,32]{2,1,0} add(%m, %n)
}`);
    const { graph: g, warnings } = await imported('gemm.hlo.txt', text(gemm));
    const dots = g.ops.filter((o) => o.kind === 'dot');
    expect(dots.map((o) => o.flops)).toEqual([2 * 2 * 8 * 32 * 16, 2 * 2 * 8 * 32 * 16]);
    expect(dots[0]!.attrs).toEqual({ kind: 'dot', lhsBatch: [0], rhsBatch: [0], lhsContract: [2], rhsContract: [1] });
    expect(g.ops.filter((o) => o.kind === 'elementwise').length).toBe(2); // C added, then the root add
    const conv = g.ops.find((o) => o.kind === 'conv')!;
    expect(conv.flops).toBe(2 * 4 * 16 * 16 * 8 * 3 * 9);
    expect(conv.attrs).toMatchObject({ strides: [2, 2], padding: [[0, 1], [0, 1]], inputFeatureDim: 3, kernelInputFeatureDim: 2, kernelOutputFeatureDim: 3 });
    expect(warnings).toEqual([]);
  });

  it('cuDNN fused attention (forward and backward custom-calls) is priced as the two matmuls around its scores', async () => {
    const cfg = (n: number) => `backend_config={"operation_queue_id": "0", "cudnn_fmha_backend_config": {"fmha_scale": 1.0, "dropout_rate": 0, "intermediate_tensor_shape": {"element_type": "BF16", "dimensions": ["4", "4", "${n}", "${n}"]}}}`;
    const attn = `HloModule jit_attn

ENTRY %main (q: bf16[4,1024,4,64], k: bf16[4,1024,4,64], v: bf16[4,1024,4,64], dout: bf16[4,1024,4,64]) -> bf16[4,4,1024,64] {
  %q = bf16[4,1024,4,64]{3,2,1,0} parameter(0), metadata={op_name="x"}
  %k = bf16[4,1024,4,64]{3,2,1,0} parameter(1)
  %v = bf16[4,1024,4,64]{3,2,1,0} parameter(2)
  %dout = bf16[4,1024,4,64]{3,2,1,0} parameter(3), metadata={op_name="data"}
  %fwd = (bf16[4,4,1024,64]{3,1,2,0}, f32[4,4,1024]{2,1,0}, u8[0]{0}) custom-call(%q, %k, %v), custom_call_target="__cudnn$fmhaSoftmax", ${cfg(1024)}
  %o = bf16[4,4,1024,64]{3,1,2,0} get-tuple-element(%fwd), index=0
  %stats = f32[4,4,1024]{2,1,0} get-tuple-element(%fwd), index=1
  %bwd = (bf16[4,1024,4,64]{3,2,1,0}, bf16[4,1024,4,64]{3,2,1,0}, bf16[4,1024,4,64]{3,2,1,0}, u8[0]{0}) custom-call(%q, %k, %v, %stats, %dout, %o), custom_call_target="__cudnn$fmhaSoftmaxBackward", ${cfg(1024)}
  %dq = bf16[4,1024,4,64]{3,2,1,0} get-tuple-element(%bwd), index=0
  ROOT %sum = bf16[4,1024,4,64]{3,2,1,0} add(%dq, %dout)
}`;
    const { graph: g, warnings } = await imported('attn.hlo', text(attn));
    const fwd = 4 * 4 * 1024 * 1024 * 64 * 2 * 2;
    expect(g.ops.filter((o) => o.name.startsWith('cudnn_attention')).map((o) => [o.name.split(' ')[0], o.flops, o.outputs.length])).toEqual([
      ['cudnn_attention', fwd, 2], ['cudnn_attention_backward', 2.5 * fwd, 3],
    ]);
    expect(warnings).toEqual([]);
  });

  it('hand-written HLO as in XLA\'s own tests: names without %, instructions over several lines, the gemm config bare', async () => {
    const hand = `HloModule cublas

ENTRY e {
  arg0 = f32[32, 64]{1,0} parameter(0)
  arg1 = f32[64, 16]{1,0} parameter(1)
  img = f32[3,56,56,16]{2,1,0,3} parameter(2)
  filter = f32[3,3,16,64]{2,1,0,3} parameter(3)
  gemm = (f32[32,16]{1,0}, s8[0]{0}) custom-call(arg0, arg1),
    custom_call_target="__cublas$gemm",
    backend_config={"alpha_real":1,"beta":0,"dot_dimension_numbers":{"lhs_contracting_dimensions":[1],"rhs_contracting_dimensions":[0],"lhs_batch_dimensions":[],"rhs_batch_dimensions":[]},"epilogue":"DEFAULT"}
  conv = (f32[3,54,54,64]{3,2,1,0}, u8[0]{0})
    custom-call(img, filter), custom_call_target="__cudnn$convForward",
    window={size=3x3},
    dim_labels=b01f_01io->b01f,
    backend_config={
      "cudnn_conv_backend_config":{
        "conv_result_scale":1
      }
    }
  c = f32[3,54,54,64]{3,2,1,0} get-tuple-element(conv), index=0
  ROOT g = f32[32,16]{1,0} get-tuple-element((f32[32,16]{1,0}, s8[0]{0}) gemm), index=0
}`;
    const { graph: g } = await imported('hand.hlo', text(hand));
    expect(g.ops.map((o) => [o.kind, o.flops])).toEqual([['dot', 2 * 32 * 16 * 64], ['conv', 2 * 3 * 54 * 54 * 64 * 16 * 9]]);
  });

  it('collectives are named with their kinds and group sizes; an all-gather grows its dimension', async () => {
    const coll = MODULE(`%sum (x: f32[], y: f32[]) -> f32[] {
  %x = f32[] parameter(0)
  %y = f32[] parameter(1)
  ROOT %s = f32[] add(%x, %y)
}

ENTRY %main (a: f32[8,16]) -> f32[8,64] {
  %a = f32[8,16]{1,0} parameter(0), metadata={op_name="x"}
  %ar = f32[8,16]{1,0} all-reduce(%a), channel_id=1, replica_groups={{0,1},{2,3}}, to_apply=%sum
  %ags = (f32[8,16]{1,0}, f32[8,64]{1,0}) all-gather-start(%ar), channel_id=2, replica_groups=[1,4]<=[4], dimensions={1}
  %ag = f32[8,64]{1,0} all-gather-done(%ags)
  %rs = f32[8,16]{1,0} reduce-scatter(%ag), channel_id=3, replica_groups={}, dimensions={1}, to_apply=%sum
  %cp = f32[8,16]{1,0} collective-permute(%rs), source_target_pairs={{0,1},{1,2},{2,3},{3,0}}
  %ars = (f32[8,16]{1,0}, f32[8,16]{1,0}) all-reduce-start(%cp, %a), channel_id=4, replica_groups=[2,2]<=[4], to_apply=%sum
  %ard = (f32[8,16]{1,0}, f32[8,16]{1,0}) all-reduce-done(%ars)
  %r1 = f32[8,16]{1,0} get-tuple-element(%ard), index=1
  %cs = (f32[8,16]{1,0}, f32[8,16]{1,0}, u32[]) copy-start(%r1)
  %cd = f32[8,16]{1,0} copy-done(%cs)
  %sum2 = f32[8,16]{1,0} add(%cd, %cp)
  ROOT %ag2 = f32[8,64]{1,0} all-gather(%sum2), replica_groups=[1,4]<=[4], dimensions={1}
}`, ', num_partitions=4');
    const { graph: g, warnings } = await imported('coll.hlo.txt', text(coll));
    expect(warnings).toContain('hlo: the program already holds 6 collectives over 4 devices: all-reduce x2 (groups of 2), all-gather x2 (groups of 4), reduce-scatter x1 (groups of 4), collective-permute x1 (4 source-target pairs)');
    expect(g.ops.map((o) => `${o.kind} ${o.name.split(' ')[0]}`)).toEqual([
      'reshape all_reduce', 'concatenate all_gather', 'slice reduce_scatter', 'reshape collective_permute',
      'reshape all_reduce', 'reshape all_reduce', 'elementwise add', 'concatenate all_gather',
    ]);
    // The combined async all-reduce comes apart per operand; the add reads the second one's result through the copy.
    const byOut = new Map(g.ops.flatMap((o) => o.outputs.map((t) => [t, o] as const)));
    expect(byOut.get(g.ops[6]!.inputs[0]!)).toBe(g.ops[5]);
    expect(warnings).toHaveLength(2);
    expect(g.ops[1]!.attrs).toEqual({ kind: 'axis', axis: 1 });
  });

  it('malformed HLO is a one-line error naming the line; an undefined operand too', async () => {
    const bad = FUSED_DOT.replace('%gte = f32[8,32]{1,0} get-tuple-element(%tup), index=0', '%gte = f32[8,32]{1,0} get-tuple-element(%tup, index=0');
    const r = await importModel('bad.hlo.txt', text(bad));
    const line = bad.split('\n').findIndex((l) => l.includes('get-tuple-element(%tup, index')) + 1;
    expect(r.ok ? undefined : [r.error.format, r.error.line, r.error.message]).toEqual(['hlo', line, `line ${line}: unclosed '(' after get-tuple-element in '%gte = f32[8,32]{1,0} get-tuple-element(%tup, index=0'`]);
    const undef = await importModel('u.hlo.txt', text(FUSED_DOT.replace('call(%cond)', 'call(%nope)')));
    const callLine = FUSED_DOT.split('\n').findIndex((l) => l.includes('call(%cond)')) + 1;
    expect(undef.ok ? undefined : [undef.error.line, undef.error.message]).toEqual([callLine, `line ${callLine}: use of undefined value %nope in call %call`]);
    const truncated = await importModel('t.hlo.txt', load('gpt-scan.forward.hlo.txt').subarray(0, 40_000));
    expect(truncated.ok ? undefined : truncated.error.message).toMatch(/^line \d+: /);
    for (const e of [r, undef, truncated]) expect(e.ok ? '' : e.error.message).not.toContain('\n');
  });

  it('unknown ops and custom-calls are warned about with their counts, not thrown', async () => {
    const odd = FUSED_DOT.replace('ROOT %call = f32[8,32]{1,0} call(%cond), to_apply=%small', `%ch = f32[8,32]{1,0} cholesky(%cond), lower=true
  %cc = f32[8,32]{1,0} custom-call(%ch), custom_call_target="my_kernel"
  ROOT %call = f32[8,32]{1,0} call(%cc), to_apply=%small`);
    const { warnings } = await imported('odd.hlo.txt', text(odd));
    expect(warnings.join('\n')).toMatch(/hlo\.cholesky/);
    expect(warnings.join('\n')).toMatch(/custom-call my_kernel/);
  });

  it('the file is told by its first line: .txt and .hlo open as HLO, a .mlir holding HLO is refused by name', async () => {
    expect((await importModel('dump.txt', text(FUSED_DOT))).ok).toBe(true);
    expect((await importModel('dump.hlo', text(FUSED_DOT))).ok).toBe(true);
    const r = await importModel('dump.mlir', text(FUSED_DOT));
    expect(r.ok ? '' : r.error.message).toMatch(/holds XLA HLO text/);
  });
});
