import { describe, expect, it } from 'vitest';
import { GraphBuilder, GraphBuilderError } from './builder.ts';

const meta = { name: 't', source: 'test', batch: 4 };

describe('GraphBuilder costs', () => {
  it('dot: 2 * prod(batch) * M * N * K, bytes from tensor sizes', () => {
    const b = new GraphBuilder(meta);
    const x = b.input('x', [4, 8, 16], 'f16', 0); // B=4, M=8, K=16
    const w = b.param('w', [16, 32], 'f16'); // N=32
    const y = b.linear('l', x, w);
    const g = b.build();
    expect(b.shape(y)).toEqual([4, 8, 32]);
    expect(g.tensors.find((t) => t.id === y)?.batchDim).toBe(0);
    const op = g.ops[0];
    expect(op.flops).toBe(2 * 4 * 8 * 32 * 16);
    expect(op.bytesRead).toBe((4 * 8 * 16 + 16 * 32) * 2);
    expect(op.bytesWritten).toBe(4 * 8 * 32 * 2);
  });

  it('batched dot (attention scores) keeps batch dims first and counts them', () => {
    const b = new GraphBuilder(meta);
    const q = b.input('q', [4, 10, 2, 8], 'f32', 0); // B S heads dh
    const k = b.input('k', [4, 10, 2, 8], 'f32', 0);
    const s = b.dot('scores', q, k, { lhsBatch: [0, 2], rhsBatch: [0, 2], lhsContract: [3], rhsContract: [3] });
    expect(b.shape(s)).toEqual([4, 2, 10, 10]);
    expect(b.build().ops[0].flops).toBe(2 * 4 * 2 * 10 * 10 * 8);
  });

  it('conv: 2 * N * Cout * outSpatial * Cin/groups * kernelSpatial, with padding and stride', () => {
    const b = new GraphBuilder(meta);
    const x = b.input('img', [4, 3, 224, 224], 'f32', 0);
    const w = b.param('k', [64, 3, 7, 7], 'f32');
    const y = b.conv2d('stem', x, w, [2, 2], [[3, 3], [3, 3]]);
    expect(b.shape(y)).toEqual([4, 64, 112, 112]);
    expect(b.build().ops[0].flops).toBe(2 * 4 * 64 * 112 * 112 * 3 * 49);
  });

  it('elementwise broadcasts and counts ~numel; gelu costs more per element', () => {
    const b = new GraphBuilder(meta);
    const x = b.input('x', [4, 8, 16], 'f16', 0);
    const bias = b.param('b', [16], 'f16');
    const y = b.elementwise('add', 'add', [x, bias]);
    b.elementwise('gelu', 'gelu', [y]);
    const [add, gelu] = b.build().ops;
    expect(add.flops).toBe(4 * 8 * 16);
    expect(gelu.flops).toBe(8 * 4 * 8 * 16);
    expect(() => b.elementwise('bad', 'add', [x, b.param('c', [3], 'f16')])).toThrow(GraphBuilderError);
  });

  it('reshape is free, gather reads only the rows it emits, reduce moves the batch dim', () => {
    const b = new GraphBuilder(meta);
    const table = b.param('wte', [1000, 16], 'f16');
    const ids = b.input('ids', [4, 8], 'i32', 0);
    const e = b.gather('embed', table, ids, 0);
    const r = b.reshape('flat', e, [32, 16]);
    const m = b.reduce('sum', b.transpose('t', r, [1, 0]), [0], 'sum');
    const g = b.build();
    expect(b.shape(e)).toEqual([4, 8, 16]);
    expect(g.ops[0].bytesRead).toBe(4 * 8 * 4 + 4 * 8 * 16 * 2);
    expect(g.ops[1].bytesRead + g.ops[1].bytesWritten).toBe(0);
    expect(g.tensors.find((t) => t.id === m)?.batchDim).toBe(0);
  });

  it('rejects duplicate ids', () => {
    const b = new GraphBuilder(meta);
    b.tensor({ id: 'a', name: 'a', shape: [1], dtype: 'f32', kind: 'input' });
    expect(() => b.tensor({ id: 'a', name: 'a2', shape: [1], dtype: 'f32', kind: 'input' })).toThrow(/duplicate tensor id 'a'/);
  });
});
