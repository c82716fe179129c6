import { describe, expect, it } from 'vitest';
import { GraphBuilder } from './builder.ts';
import { gpt } from '../zoo/gpt.ts';
import { moe } from '../zoo/moe.ts';
import { inspectGraph } from './inspect.ts';
import { rebatch, RebatchError } from './rebatch.ts';
import { validateGraph } from './validate.ts';

describe('rebatch', () => {
  const g = gpt({ hidden: 64, layers: 2, heads: 4, vocab: 128, seq: 16, batch: 8 });
  const half = rebatch(g, 4);

  it('halves the batch dim of batch-scaled tensors and leaves parameters alone', () => {
    const tokens = half.tensors.find((t) => t.name === 'input_ids');
    expect(tokens?.shape).toEqual([4, 16]);
    const wte = half.tensors.find((t) => t.name === 'gpt/embed/wte');
    expect(wte?.shape).toEqual([128, 64]);
    const scores = half.tensors.find((t) => t.name === 'gpt/h.0/attn/scores');
    expect(scores?.shape).toEqual([4, 4, 16, 16]);
    expect(half.batch).toBe(4);
    expect(half.config?.batch).toBe(4);
    expect(validateGraph(half)).toEqual({ ok: true });
  });

  it('halves FLOPs and activation bytes of batch-scaled ops; an op on parameters only is unchanged', () => {
    g.ops.forEach((op, i) => {
      const scales = op.inputs.concat(op.outputs).some((t) => g.tensors.find((x) => x.id === t)?.batchDim !== undefined);
      expect(half.ops[i].flops).toBeCloseTo(scales ? op.flops / 2 : op.flops, 6);
    });
    const qkv = g.ops.findIndex((o) => o.path === 'gpt/h.0/attn/qkv');
    // reads x [8,16,64] and w [64,192] in f16
    expect(g.ops[qkv].bytesRead).toBe((8 * 16 * 64 + 64 * 192) * 2);
    expect(half.ops[qkv].bytesRead).toBe((4 * 16 * 64 + 64 * 192) * 2);
    expect(inspectGraph(half).flopsPerStep).toBeCloseTo(inspectGraph(g).flopsPerStep / 2, 0);
    expect(inspectGraph(half).params).toBe(inspectGraph(g).params);
  });

  it('keeps exact FLOPs when MoE token groups would become fractional', () => {
    const m = moe({ hidden: 32, layers: 2, heads: 4, experts: 4, vocab: 64, seq: 64, batch: 64, expertGroupSize: 256 });
    const one = rebatch(m, 1); // 64 tokens: 0.25 of a 256-token group
    expect(one.tensors.find((t) => t.name === 'moe/layers.0/moe/group_tokens')?.shape).toEqual([1, 256, 32]);
    expect(inspectGraph(one).forwardFlops).toBeCloseTo(inspectGraph(m).forwardFlops / 64, 0);
  });

  it('scales every dim the ops say carries the batch: similarity logits [texts, images] from text x image^T', () => {
    // A CLIP-style head: both towers' embeddings carry the batch on dim 0; the transposed image embeddings on dim 1.
    const b = new GraphBuilder({ name: 'two-towers', source: 'test', family: 'other', batch: 2, warnings: [] });
    const text = b.input('text', [2, 8], 'f32', 0);
    const image = b.input('image', [2, 8], 'f32', 0);
    const imageT = b.transpose('head/t', image, [1, 0]);
    const logits = b.dot('head/logits', text, imageT, { lhsContract: [1], rhsContract: [0] });
    const perImage = b.transpose('head/logits_t', logits, [1, 0]);
    const scaled = b.elementwise('head/scale', 'Mul', [perImage]);
    const two = b.build();
    const sixteen = rebatch(two, 16);
    const shape = (g: typeof two, id: string) => g.tensors.find((t) => t.id === id)!.shape;
    expect(shape(sixteen, imageT)).toEqual([8, 16]);
    expect(shape(sixteen, logits)).toEqual([16, 16]);
    expect(shape(sixteen, perImage)).toEqual([16, 16]);
    expect(shape(sixteen, scaled)).toEqual([16, 16]);
    expect(validateGraph(sixteen)).toEqual({ ok: true });
    const dot = (g: typeof two) => g.ops.find((o) => o.path === 'head/logits')!.flops;
    expect(dot(sixteen)).toBe(dot(two) * 64); // 2*T*I*d: both sides 8x
  });

  it('rejects a non-positive batch', () => {
    expect(() => rebatch(g, 0)).toThrow(RebatchError);
  });
});
