import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../ir/builder.ts';
import type { Tensor } from '../ir/types.ts';
import { followStrategy } from './follow.ts';
import { formatSpec, type MeshCtx } from './specs.ts';
import { anchorStrategies, type StrategyCtx, tensorBytesAt } from './strategies.ts';

const link = { bandwidthBytesPerSecond: 100e9, latencySeconds: 1e-6 };
const mesh24: MeshCtx = { shape: [2, 4], axisLinks: [link, link] };

function ctxFor(tensors: readonly Tensor[], mesh: MeshCtx, training = true): StrategyCtx {
  const byId = new Map(tensors.map((t) => [t.id, t]));
  const tensor = (id: string) => byId.get(id) as Tensor;
  return { mesh, training, tensor, needsGrad: (id) => tensor(id).kind === 'activation', bytes: (id) => tensorBytesAt(tensor(id), 2) };
}

describe('dot strategies', () => {
  const b = new GraphBuilder({ name: 't', source: 'test', batch: 8 });
  const x = b.tensor({ name: 'x', shape: [8, 64], dtype: 'f16', kind: 'activation', batchDim: 0 });
  const w = b.param('w', [64, 128], 'f16');
  b.linear('l', x, w);
  const g = b.build();
  const ctx = ctxFor(g.tensors, mesh24);
  const strategies = anchorStrategies(g.ops[0], ctx);
  const byName = new Map(strategies.map((s) => [s.name, s]));

  it("has Alpa's 2-D matmul strategies with their collectives", () => {
    // SS = SR × RS: no communication forward; backward dX all-reduced over the column axis
    expect(byName.get('S0S1 = S0R × RS1')).toMatchObject({ shardFactor: 8, forwardComm: [] });
    expect(byName.get('S0S1 = S0R × RS1')?.backwardComm).toEqual([{ kind: 'all-reduce', axes: [1], bytes: 8 * 64 * 2 / 2 }]);
    // SR = SS × SR: all-reduce of the output on the contracting axis
    expect(byName.get('S0R = S0S1 × S1R')?.forwardComm).toEqual([{ kind: 'all-reduce', axes: [1], bytes: 8 * 128 * 2 / 2 }]);
    // RS = RS × SS
    expect(byName.get('RS1 = RS0 × S0S1')?.forwardComm).toEqual([{ kind: 'all-reduce', axes: [0], bytes: 8 * 128 * 2 / 4 }]);
    // data parallel over both axes, and the replicated fallback
    expect(byName.get('S01R = S01R × RR')?.shardFactor).toBe(8);
    expect(byName.get('RR = RR × RR')?.shardFactor).toBe(1);
    // 1-D strategies that leave a mesh axis idle are dropped on a 2-D mesh
    expect(byName.has('S0R = S0R × RR')).toBe(false);
  });

  it('splits a batched dot on its batch and head dims', () => {
    const bb = new GraphBuilder({ name: 't', source: 'test', batch: 4 });
    const q = bb.tensor({ name: 'q', shape: [4, 8, 16, 32], dtype: 'f16', kind: 'activation', batchDim: 0 });
    const k = bb.tensor({ name: 'k', shape: [4, 8, 32, 16], dtype: 'f16', kind: 'activation', batchDim: 0 });
    bb.dot('s', q, k, { lhsBatch: [0, 1], rhsBatch: [0, 1], lhsContract: [3], rhsContract: [2] });
    const gg = bb.build();
    const names = anchorStrategies(gg.ops[0], ctxFor(gg.tensors, mesh24)).map((s) => s.name);
    expect(names).toContain('S0S1RR = S0S1RR × S0S1RR');
    expect(names).toContain('S1S0RR = S1S0RR × S1S0RR');
  });
});

describe('follow strategies', () => {
  it('maps specs through reshape, transpose and softmax (with its statistics all-reduce)', () => {
    const b = new GraphBuilder({ name: 't', source: 'test', batch: 8 });
    const x = b.tensor({ name: 'x', shape: [8, 16, 512], dtype: 'f16', kind: 'activation', batchDim: 0 });
    const r = b.reshape('r', x, [8, 16, 8, 64]);
    b.transpose('t', r, [0, 2, 1, 3]);
    b.softmax('s', x, 2);
    const g = b.build();
    const ctx = ctxFor(g.tensors, mesh24);
    const rs = followStrategy(g.ops[0], 0, ['S0', 'R', 'S1'], ctx);
    expect(rs.outputSpecs.map(formatSpec)).toEqual(['S0RS1R']);
    const tr = followStrategy(g.ops[1], 0, ['S0', 'R', 'S1', 'R'], ctx);
    expect(tr.outputSpecs.map(formatSpec)).toEqual(['S0S1RR']);
    const sm = followStrategy(g.ops[2], 0, ['S0', 'R', 'S1'], ctx);
    expect(sm.outputSpecs.map(formatSpec)).toEqual(['S0RS1']);
    expect(sm.forwardComm).toHaveLength(2);
    expect(sm.forwardComm[0]).toMatchObject({ kind: 'all-reduce', axes: [1], bytes: 8 * 16 * 2 / 2 });
  });
});
