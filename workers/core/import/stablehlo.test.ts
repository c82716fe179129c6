import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { inspectGraph } from '../ir/inspect.ts';
import type { ModelGraph } from '../ir/types.ts';
import { importModel } from './index.ts';

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/fixtures');
const load = (f: string) => new Uint8Array(readFileSync(resolve(FIXTURES, f)));
const text = (s: string) => new TextEncoder().encode(s);

async function imported(file: string): Promise<ModelGraph> {
  const r = await importModel(file.replace(/^.*\//, ''), load(file));
  if (!r.ok) throw new Error(r.error.message);
  return r.graph;
}

const gptForward = (h: number, L: number, V: number, B: number, S: number) => 2 * (L * 12 * h * h + V * h) * B * S + 4 * B * S * S * h * L;
const sumFlops = (g: ModelGraph, pred: (o: ModelGraph['ops'][number]) => boolean) => g.ops.filter(pred).reduce((s, o) => s + o.flops, 0);

describe('StableHLO fixtures', () => {
  it('gpt-125m.forward: parameters of the JAX model, FLOPs within 5%, 12 layers from repeating parameter shapes', async () => {
    const g = await imported('stablehlo/gpt-125m.forward.mlir');
    const s = inspectGraph(g);
    expect(s.params).toBe(125_164_032);
    expect(Math.abs(s.forwardFlops / gptForward(768, 12, 51200, 8, 1024) - 1)).toBeLessThan(0.05);
    expect(s.layers).toBe(12);
    expect(g.training).toEqual({ optimizer: 'adam', explicitBackward: false });
    expect(g.ops.every((o) => o.phase === 'forward')).toBe(true);
    expect([g.batch, g.seq]).toEqual([8, 1024]);
  });

  it('gpt-125m.train: parameters apart from Adam moments, forward FLOPs within 5%, backward about twice forward', async () => {
    const g = await imported('stablehlo/gpt-125m.train.mlir');
    const s = inspectGraph(g);
    expect(s.params).toBe(125_164_032);
    const opt = g.tensors.filter((t) => t.kind === 'optimizer-state');
    expect(opt.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0)).toBe(2 * 125_164_032);
    expect(g.training).toEqual({ optimizer: 'adam', explicitBackward: true });
    const fwd = sumFlops(g, (o) => o.phase === 'forward');
    expect(Math.abs(fwd / gptForward(768, 12, 51200, 8, 1024) - 1)).toBeLessThan(0.05);
    const bwd = sumFlops(g, (o) => o.phase === 'backward');
    expect(bwd / fwd).toBeGreaterThan(1.9);
    expect(bwd / fwd).toBeLessThan(2.1);
    expect(g.ops.filter((o) => o.phase === 'update').length).toBeGreaterThan(148 * 5);
  });

  it('gpt-125m.train: every backward op pairs with the forward layer whose activations it reads', async () => {
    const g = await imported('stablehlo/gpt-125m.train.mlir');
    const producer = new Map(g.ops.flatMap((o) => o.outputs.map((t) => [t, o] as const)));
    for (let i = 0; i < 12; i++) {
      const layer = `gpt-125m_train/layers.${i}`;
      const fwd = sumFlops(g, (o) => o.phase === 'forward' && o.path.startsWith(`${layer}/`));
      const bwd = sumFlops(g, (o) => o.phase === 'backward' && o.pairedPath === layer);
      expect(bwd / fwd).toBeGreaterThan(1.9);
      expect(bwd / fwd).toBeLessThan(2.1);
      // The weight-gradient and input-gradient dots of layer i read that layer's forward activations.
      const dots = g.ops.filter((o) => o.phase === 'backward' && o.kind === 'dot' && o.pairedPath === layer);
      expect(dots.length).toBeGreaterThanOrEqual(8);
      const readsForward = dots.filter((o) => o.inputs.some((t) => producer.get(t)?.phase === 'forward' && producer.get(t)!.path.startsWith(`${layer}/`)));
      expect(readsForward.length).toBeGreaterThanOrEqual(4);
      expect(g.ops.some((o) => o.phase === 'update' && o.pairedPath === layer)).toBe(true);
    }
    // Backward runs from the head down: layer 11's gradient dots come before layer 0's.
    const firstDot = (i: number) => g.ops.findIndex((o) => o.phase === 'backward' && o.kind === 'dot' && o.pairedPath === `gpt-125m_train/layers.${i}`);
    const order = [11, 10, 5, 0].map(firstDot);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(g.ops.filter((o) => o.phase !== 'forward').every((o) => o.pairedPath !== undefined)).toBe(true);
  });

  it('gshard-moe-380m.train: parameters, forward FLOPs within 5% of the GShard count, 8 layers, pairing', async () => {
    const g = await imported('stablehlo/gshard-moe-380m.train.mlir');
    const s = inspectGraph(g);
    expect(s.params).toBe(365_216_256);
    expect(s.layers).toBe(8);
    const [h, E, V, B, S] = [768, 16, 32000, 8, 1024];
    const T = B * S, C = (2 * S) / E;
    const dense = 2 * 12 * h * h * T;
    const moeLayer = 2 * (4 * h * h + h * E) * T + 2 * 8 * h * h * (2 * T) + 2 * 2 * T * E * C * h;
    const analytic = 4 * dense + 4 * moeLayer + 8 * 4 * B * S * S * h + 2 * V * h * T;
    const fwd = sumFlops(g, (o) => o.phase === 'forward');
    expect(Math.abs(fwd / analytic - 1)).toBeLessThan(0.05);
    for (const i of [0, 1, 6, 7]) {
      const layer = `gshard-moe-380m_train/layers.${i}`;
      const ratio = sumFlops(g, (o) => o.phase === 'backward' && o.pairedPath === layer) / sumFlops(g, (o) => o.phase === 'forward' && o.path.startsWith(`${layer}/`));
      expect(ratio).toBeGreaterThan(1.8);
      expect(ratio).toBeLessThan(2.2);
    }
    // MoE layers (odd) hold the expert weights [16, 768, 3072].
    const expertDot = g.ops.find((o) => o.phase === 'forward' && o.kind === 'dot' && o.inputs.some((t) => g.tensors.find((x) => x.id === t)?.shape.join() === '16,768,3072'));
    expect(expertDot?.path).toMatch(/layers\.[1357]\//);
  });
});

const SCAN = `module @jit_f {
  func.func public @main(%arg0: tensor<4x8x8xf32>, %arg1: tensor<2x8xi32>) -> (tensor<f32> {jax.result_info = "result"}) {
    %c = stablehlo.constant dense<0> : tensor<i32>
    %0 = stablehlo.convert %arg1 : (tensor<2x8xi32>) -> tensor<2x8xf32>
    %1:2 = stablehlo.while(%iterArg = %c, %iterArg_0 = %0) : tensor<i32>, tensor<2x8xf32>
    cond {
      %c_1 = stablehlo.constant dense<4> : tensor<i32>
      %2 = stablehlo.compare  LT, %iterArg, %c_1,  SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
      stablehlo.return %2 : tensor<i1>
    } do {
      %2 = "stablehlo.dynamic_slice"(%arg0, %iterArg, %c, %c) <{slice_sizes = array<i64: 1, 8, 8>}> : (tensor<4x8x8xf32>, tensor<i32>, tensor<i32>, tensor<i32>) -> tensor<1x8x8xf32>
      %3 = stablehlo.reshape %2 : (tensor<1x8x8xf32>) -> tensor<8x8xf32>
      %4 = stablehlo.dot_general %iterArg_0, %3, contracting_dims = [1] x [0] : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32>
      %5 = call @act(%4) : (tensor<2x8xf32>) -> tensor<2x8xf32>
      %c_2 = stablehlo.constant dense<1> : tensor<i32>
      %6 = stablehlo.add %iterArg, %c_2 : tensor<i32>
      stablehlo.return %6, %5 : tensor<i32>, tensor<2x8xf32>
    }
    %cst = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %7 = stablehlo.reduce(%1#1 init: %cst) applies stablehlo.add across dimensions = [0, 1] : (tensor<2x8xf32>, tensor<f32>) -> tensor<f32>
    return %7 : tensor<f32>
  }
  func.func private @act(%arg0: tensor<2x8xf32>) -> tensor<2x8xf32> {
    %0 = stablehlo.tanh %arg0 : tensor<2x8xf32>
    return %0 : tensor<2x8xf32>
  }
}
`;

describe('StableHLO structure', () => {
  it('a lax.scan while loop becomes one layer per trip, calls are inlined, stacked weights are parameters', async () => {
    const r = await importModel('scan.mlir', text(SCAN));
    if (!r.ok) throw new Error(r.error.message);
    const g = r.graph;
    const dots = g.ops.filter((o) => o.kind === 'dot');
    expect(dots.map((o) => o.path)).toEqual([0, 1, 2, 3].map((i) => `scan/layers.${i}/dot_general`));
    expect(dots.every((o) => o.flops === 2 * 2 * 8 * 8)).toBe(true);
    expect(g.ops.filter((o) => o.path.endsWith('act/tanh')).length).toBe(4);
    expect(inspectGraph(g).params).toBe(4 * 8 * 8);
    expect(inspectGraph(g).layers).toBe(4);
    expect(g.batch).toBe(2);
  });

  it('convolution and reduce_window take their dimension numbers, padding and window from the text', async () => {
    const conv = `module @jit_cnn {
  func.func public @main(%arg0: tensor<3x3x3x16xf32>, %arg1: tensor<8x32x32x3xf32> {jax.arg_info = "images"}) -> (tensor<f32> {jax.result_info = ""}) {
    %0 = stablehlo.convolution(%arg1, %arg0) dim_numbers = [b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f], window = {stride = [1, 1], pad = [[1, 1], [1, 1]], rhs_dilate = [1, 1]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<8x32x32x3xf32>, tensor<3x3x3x16xf32>) -> tensor<8x32x32x16xf32>
    %cst = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %1 = "stablehlo.reduce_window"(%0, %cst) <{padding = dense<0> : tensor<4x2xi64>, window_dimensions = array<i64: 1, 2, 2, 1>, window_strides = array<i64: 1, 2, 2, 1>}> ({
    ^bb0(%a: tensor<f32>, %b: tensor<f32>):
      %m = stablehlo.maximum %a, %b : tensor<f32>
      stablehlo.return %m : tensor<f32>
    }) : (tensor<8x32x32x16xf32>, tensor<f32>) -> tensor<8x16x16x16xf32>
    %2 = stablehlo.reduce(%1 init: %cst) applies stablehlo.add across dimensions = [0, 1, 2, 3] : (tensor<8x16x16x16xf32>, tensor<f32>) -> tensor<f32>
    return %2 : tensor<f32>
  }
}`;
    const r = await importModel('cnn.mlir', text(conv));
    if (!r.ok) throw new Error(r.error.message);
    const [c, pool, red] = r.graph.ops;
    expect(c!.kind).toBe('conv');
    expect(c!.flops).toBe(2 * 8 * 32 * 32 * 16 * 3 * 9);
    expect(c!.attrs).toMatchObject({ inputFeatureDim: 3, inputSpatialDims: [1, 2], kernelInputFeatureDim: 2, kernelOutputFeatureDim: 3, padding: [[1, 1], [1, 1]], strides: [1, 1] });
    expect(pool!.attrs).toEqual({ kind: 'pool', window: [1, 2, 2, 1], strides: [1, 2, 2, 1], fn: 'max', padding: [[0, 0], [0, 0], [0, 0], [0, 0]] });
    expect(red!.attrs).toEqual({ kind: 'reduce', dims: [0, 1, 2, 3], reducer: 'sum' });
    expect(r.graph.tensors.find((t) => t.name === '%arg1')!.kind).toBe('input');
    expect(inspectGraph(r.graph).params).toBe(3 * 3 * 3 * 16);
  });

  it('source locations (loc(...) and #loc definitions) are skipped', async () => {
    const withLocs = `${SCAN.replace('%0 = stablehlo.tanh %arg0 : tensor<2x8xf32>', '%0 = stablehlo.tanh %arg0 : tensor<2x8xf32> loc(#loc7)')
      .replace('%arg1: tensor<2x8xi32>)', '%arg1: tensor<2x8xi32> loc("ids"))')}#loc7 = loc("model.py":12:4 to :30)\n`;
    const r = await importModel('locs.mlir', text(withLocs));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.graph.ops.filter((o) => o.path.endsWith('act/tanh')).length).toBe(4);
  });

  it('a parse error reports its line and column', async () => {
    const bad = SCAN.replace('%4 = stablehlo.dot_general %iterArg_0, %3,', '%4 = stablehlo.dot_general %iterArg_0, %3 ; ,');
    const r = await importModel('bad.mlir', text(bad));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.format).toBe('stablehlo');
      const lines = bad.split('\n');
      const line = lines.findIndex((l) => l.includes(' ; ,'));
      expect([r.error.line, r.error.column]).toEqual([line + 1, lines[line]!.indexOf(';') + 1]);
      expect(line + 1).toBe(13);
      expect(r.error.message).toMatch(/unexpected character ';'/);
    }
  });

  it('a use of an undefined value and a missing callee are errors with positions', async () => {
    const undef = await importModel('u.mlir', text(SCAN.replace('%0 = stablehlo.tanh %arg0', '%0 = stablehlo.tanh %nope')));
    const tanhLine = SCAN.split('\n').findIndex((l) => l.includes('stablehlo.tanh')) + 1;
    expect(undef.ok ? undefined : [undef.error.message, undef.error.line]).toEqual(["use of undefined value %nope in 'stablehlo.tanh'", tanhLine]);
    const callee = await importModel('c.mlir', text(SCAN.replace('call @act(', 'call @missing(')));
    expect(callee.ok ? undefined : callee.error.message).toBe('call to undefined function @missing');
  });

  it('a truncated file is an error at the end, not an exception', async () => {
    const full = load('stablehlo/gpt-125m.forward.mlir');
    const r = await importModel('gpt.mlir', full.subarray(0, 50_000));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.line).toBeGreaterThan(100);
  });
});
