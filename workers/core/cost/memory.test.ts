import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../ir/builder.ts';
import { activationBytes, bytesPerParameter, modelStateBytes, precisionBytes } from './memory.ts';

describe('model state by precision', () => {
  it('counts 16 B/param mixed, 12 B/param bf16-adam32, 16 fp32', () => {
    expect(bytesPerParameter('fp16-mixed')).toBe(16);
    expect(bytesPerParameter('bf16-mixed')).toBe(16);
    expect(bytesPerParameter('bf16-adam32')).toBe(12);
    expect(bytesPerParameter('fp32')).toBe(16);
    expect(precisionBytes('fp16-mixed').masterBytes).toBe(4);
  });

  it('splits state by ZeRO stage', () => {
    const full = modelStateBytes(1e9, 'bf16-adam32');
    expect(full).toEqual({ paramBytes: 2e9, gradBytes: 2e9, optimizerBytes: 8e9 });
    expect(modelStateBytes(1e9, 'fp16-mixed', { optimizer: 4 })).toEqual({ paramBytes: 2e9, gradBytes: 2e9, optimizerBytes: 3e9 });
    expect(modelStateBytes(1e9, 'bf16-adam32', { params: 2, grads: 2, optimizer: 2 }).paramBytes).toBe(1e9);
  });
});

/** Two blocks of x -> fc1 -> gelu -> fc2 -> + x. */
function blocks(batch: number) {
  const b = new GraphBuilder({ name: 't', source: 'test', batch, seq: 128 });
  let x = b.input('x', [batch, 128, 64], 'f32', 0);
  for (let i = 0; i < 2; i++) {
    const w1 = b.param(`w1.${i}`, [64, 256], 'f32');
    const w2 = b.param(`w2.${i}`, [256, 64], 'f32');
    const h = b.linear(`m/h.${i}/fc1`, x, w1);
    const g = b.elementwise(`m/h.${i}/gelu`, 'gelu', [h]);
    const o = b.linear(`m/h.${i}/fc2`, g, w2);
    x = b.elementwise(`m/h.${i}/res`, 'add', [o, x]);
  }
  return b.build();
}

describe('activations kept for backward', () => {
  const g = blocks(4);
  const tok = 4 * 128;
  it('keeps every tensor a backward reads without remat', () => {
    // per block: fc1 reads x (64), gelu reads h (256), fc2 reads gelu out (256); x of block 0 is an input
    const a = activationBytes(g, { precision: 'bf16-adam32', remat: false });
    expect(a.savedBytes).toBe(tok * (2 * (256 + 256) + 64) * 2);
    expect(a.transientBytes).toBe(0);
  });

  it('keeps only layer inputs with remat, plus one layer live again', () => {
    const a = activationBytes(g, { precision: 'bf16-adam32', remat: true });
    expect(a.savedBytes).toBe(tok * 64 * 2);            // block 1's input (block 0's is a graph input)
    expect(a.transientBytes).toBe(tok * (256 + 256 + 64) * 2);
    const f32 = activationBytes(g, { precision: 'fp32', remat: true, shardFactor: 2 });
    expect(f32.savedBytes).toBe(tok * 64 * 4 / 2);
  });
});
