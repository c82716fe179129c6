import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../ir/builder.ts';
import { GPU_PRESETS } from '../cluster/presets.ts';
import { dotShape, opSeconds, tensorLookup } from './opCost.ts';
import { matmulSeconds } from './compute.ts';

const h100 = GPU_PRESETS['H100-SXM'];

function mlp(batch: number) {
  const b = new GraphBuilder({ name: 't', source: 'test', batch, seq: 1024 });
  const x = b.input('x', [batch, 1024, 768], 'f32', 0);
  const w = b.param('w', [768, 3072], 'f32');
  const h = b.linear('m/h.0/fc1', x, w);
  const g = b.elementwise('m/h.0/gelu', 'gelu', [h]);
  const s = b.softmax('m/h.0/sm', g, 2);
  const r = b.reshape('m/h.0/r', s, [batch * 1024, 3072]);
  return { graph: b.build(), ids: { h, g, s, r } };
}

describe('opSeconds', () => {
  const { graph } = mlp(16);
  const t = tensorLookup(graph);
  const [fc1, gelu, sm, reshape] = graph.ops;

  it('reads GEMM dims from dot attributes', () => {
    expect(dotShape(fc1, t)).toEqual({ batch: 1, m: 16384, n: 3072, k: 768 });
  });

  it('prices a matmul by the shape model; backward is dX + dW', () => {
    const c = opSeconds(fc1, t, h100, 'bf16-adam32');
    expect(c.bound).toBe('matmul');
    expect(c.forwardSeconds).toBeCloseTo(matmulSeconds(h100, 'bf16', { batch: 1, m: 16384, n: 3072, k: 768 }), 12);
    expect(c.forwardSeconds * 1e6).toBeGreaterThan(120);
    expect(c.forwardSeconds * 1e6).toBeLessThan(180);
    expect(c.backwardSeconds / c.forwardSeconds).toBeGreaterThan(1.7);
    expect(c.backwardSeconds / c.forwardSeconds).toBeLessThan(2.4);
    expect(c.forwardFlops).toBe(2 * 16384 * 3072 * 768);
  });

  it('splits the work by the shard factor along the chosen dim', () => {
    const whole = opSeconds(fc1, t, h100, 'bf16-adam32');
    const half = opSeconds(fc1, t, h100, 'bf16-adam32', 2, { split: 'n' });
    expect(half.forwardFlops).toBe(whole.forwardFlops / 2);
    expect(half.forwardSeconds).toBeLessThan(0.6 * whole.forwardSeconds);
  });

  it("splits a matmul's backward: the parameter's gradient dW = X^T dY is the zero-bubble W pass, dX the input gradient", () => {
    const c = opSeconds(fc1, t, h100, 'bf16-adam32');
    // fc1 = X (16384 x 768) . W (768 x 3072): dW is 768 x 3072 contracting the 16384 rows.
    expect(c.weightGradientSeconds).toBeCloseTo(matmulSeconds(h100, 'bf16', { batch: 1, m: 768, n: 3072, k: 16384 }), 12);
    expect(c.backwardSeconds - c.weightGradientSeconds).toBeCloseTo(matmulSeconds(h100, 'bf16', { batch: 1, m: 16384, n: 768, k: 3072 }), 12);
    // Memory-bound ops have no W pass here (their few scale and bias gradients ride with the input gradient).
    expect(opSeconds(gelu, t, h100, 'bf16-adam32').weightGradientSeconds).toBe(0);
    // A dot of two activations (attention's Q.K^T) has no parameter: all input gradient.
    const qk = { ...fc1, inputs: [fc1.inputs[0], fc1.outputs[0]] };
    expect(opSeconds(qk, (id) => (id === fc1.outputs[0] ? { ...t(fc1.inputs[1])!, kind: 'activation' as const } : t(id)), h100, 'bf16-adam32').weightGradientSeconds).toBe(0);
  });

  it('prices memory-bound ops by bytes at the precision, backward 2x bytes, reshape free', () => {
    const bf16 = opSeconds(gelu, t, h100, 'bf16-adam32');
    const f32 = opSeconds(gelu, t, h100, 'fp32');
    const bytes = 2 * 16384 * 3072 * 2; // read + write, bf16
    expect(bf16.bound).toBe('memory');
    expect(bf16.forwardSeconds).toBeCloseTo(bytes / (3350e9 * 0.9) + 10.55e-6, 9);
    expect(f32.forwardSeconds).toBeGreaterThan(1.9 * (bf16.forwardSeconds - 10.55e-6));
    expect(bf16.backwardSeconds).toBeCloseTo(2 * bytes / (3350e9 * 0.9) + 2 * 10.55e-6, 9);
    expect(opSeconds(sm, t, h100, 'bf16-adam32').bound).toBe('memory');
    expect(opSeconds(reshape, t, h100, 'bf16-adam32')).toEqual({ forwardSeconds: 0, backwardSeconds: 0, weightGradientSeconds: 0, forwardFlops: 0, bound: 'free' });
  });

  it('is slower on a V100 in fp16 by about the peak ratio for big GEMMs', () => {
    const v = opSeconds(fc1, t, GPU_PRESETS['V100-16GB'], 'fp16-mixed').forwardSeconds;
    const h = opSeconds(fc1, t, h100, 'fp16-mixed').forwardSeconds;
    expect(v / h).toBeGreaterThan(5);
    expect(v / h).toBeLessThan(9);
    // 16384 x 3072 x 768 on V100: ~1.6 ms at ~80 TFLOP/s... within the paper's per-GPU range of big layers
    expect(77.3e9 / v / 1e12).toBeGreaterThan(60);
  });
});

describe('opSeconds with fused traffic', () => {
  it('charges the fusion share instead of the op bytes, and no launch for ops inside a fusion', () => {
    const { graph } = mlp(16);
    const t = tensorLookup(graph);
    const gelu = graph.ops[1];
    const c = opSeconds(gelu, t, h100, 'bf16-adam32', 1, { fused: { bytes: 1e8, launches: 0 } });
    expect(c.forwardSeconds).toBeCloseTo(1e8 / (3350e9 * 0.9), 12);
    expect(c.backwardSeconds).toBeCloseTo(2e8 / (3350e9 * 0.9), 12);
  });
});
