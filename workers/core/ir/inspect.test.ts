import { describe, expect, it } from 'vitest';
import { GraphBuilder } from './builder.ts';
import { inspectGraph } from './inspect.ts';

describe('inspectGraph', () => {
  it('counts params, bytes, forward and 3x training FLOPs, ops by kind, activations per sample', () => {
    const b = new GraphBuilder({ name: 'mlp', source: 'test', batch: 4 });
    const x = b.input('x', [4, 16], 'f32', 0);
    const w1 = b.param('w1', [16, 32], 'f32');
    const w2 = b.param('w2', [32, 8], 'f16');
    const h = b.elementwise('net/layers.0/relu', 'relu', [b.linear('net/layers.0/fc', x, w1)]);
    b.linear('net/layers.1/fc', b.elementwise('net/layers.1/cast', 'convert', [h], { dtype: 'f16' }), w2);
    const s = inspectGraph(b.build());
    expect(s.params).toBe(16 * 32 + 32 * 8);
    expect(s.paramBytes).toBe(16 * 32 * 4 + 32 * 8 * 2);
    const forward = 2 * 4 * 16 * 32 + 4 * 32 + 0 + 2 * 4 * 32 * 8;
    expect(s.forwardFlops).toBe(forward);
    expect(s.flopsPerStep).toBe(3 * forward);
    expect(s.ops).toBe(4);
    expect(s.layers).toBe(2);
    expect(s.opCounts).toEqual({ dot: 2, elementwise: 2 });
    // fc [4,32] f32, relu [4,32] f32, cast [4,32] f16, fc2 [4,8] f16 -> per sample
    expect(s.activationBytesPerSample).toBe(32 * 4 + 32 * 4 + 32 * 2 + 8 * 2);
  });

  it('sums every op of an explicit train-step graph', () => {
    const b = new GraphBuilder({ name: 'train', source: 'test', batch: 2, training: { optimizer: 'adam', explicitBackward: true } });
    const x = b.input('x', [2, 8], 'f32', 0);
    const w = b.param('w', [8, 8], 'f32');
    const y = b.linear('fc', x, w);
    const dy = b.elementwise('loss_grad', 'mul', [y], { phase: 'backward' });
    b.dot('fc_grad_w', x, dy, { lhsContract: [0], rhsContract: [0] }, { phase: 'backward', pairedPath: 'fc' });
    const s = inspectGraph(b.build());
    expect(s.forwardFlops).toBe(2 * 2 * 8 * 8);
    expect(s.flopsPerStep).toBe(2 * 2 * 8 * 8 + 2 * 8 + 2 * 8 * 8 * 2);
  });
});
