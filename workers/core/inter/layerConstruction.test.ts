import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../ir/builder.ts';
import type { ModelGraph } from '../ir/types.ts';
import { zooModel } from '../zoo/index.ts';
import { boundaryBytesTable, clusterUnits, runLayerConstruction } from './layerConstruction.ts';
import { buildUnits, unitCrossings } from './units.ts';

/** An MLP chain without path hints: x -> (dense -> relu) x n; one wide layer in the middle. */
function mlpChain(n: number, wideAt: number): ModelGraph {
  const b = new GraphBuilder({ name: 'mlp', source: 'test', batch: 8 });
  let x = b.input('x', [8, 64], 'f32', 0);
  for (let i = 0; i < n; i++) {
    const width = i === wideAt ? 256 : 64;
    const w = b.param(`w${i}`, [b.shape(x)[1], width], 'f32');
    x = b.linear(`mlp/dense${i}`, x, w);
    x = b.elementwise(`mlp/relu${i}`, 'relu', [x]);
  }
  return b.build();
}

describe('layer construction (alpa.md §2, Eq. 6)', () => {
  it('clusterUnits balances FLOPs when every boundary carries the same bytes', () => {
    const flops = [1, 1, 1, 1, 1, 1, 1, 1];
    const K = flops.length;
    const C = new Float64Array(K * K);
    for (let i = 1; i < K; i++) for (let k = i; k < K; k++) C[i * K + k] = 100;
    expect(clusterUnits(flops, C, 4, 0.5)).toEqual([0, 2, 4, 6]);
  });

  it('clusterUnits cuts where the fewest bytes cross, within the FLOP bound', () => {
    // 6 equal units; entering unit 3 costs 10 bytes, any other cut 1000.
    const K = 6;
    const C = new Float64Array(K * K);
    for (let i = 1; i < K; i++) for (let k = i; k < K; k++) C[i * K + k] = i === 3 ? 10 : 1000;
    expect(clusterUnits([1, 1, 1, 1, 1, 1], C, 2, 0.5)).toEqual([0, 3]);
    // With a tight FLOP bound (eps 0), the cut must still be the balanced one.
    expect(clusterUnits([1, 1, 1, 1, 1, 1], C, 2, 0)).toEqual([0, 3]);
  });

  it('zoo GPT: one unit per block plus embedding and head, identical blocks share a hash', () => {
    const g = zooModel('gpt-tiny');
    const ug = buildUnits(g);
    expect(ug.hinted).toBe(true);
    expect(ug.units.map((u) => u.name)).toEqual(['pre', 'layer 0', 'layer 1', 'post']);
    expect(ug.units[1].hash).toBe(ug.units[2].hash);
    expect(ug.units[0].hash).not.toBe(ug.units[1].hash);
    const lc = runLayerConstruction(g, { layers: 2 });
    expect(lc.layers.map((l) => [l.unitStart, l.unitEnd])).toEqual([[0, 2], [2, 4]]);
    // The residual stream [batch 8, seq 32, hidden 64] in f16 enters the second layer.
    expect(lc.layers[1].inputBytes).toBeGreaterThanOrEqual(8 * 32 * 64 * 2);
  });

  it('works on a graph without path hints: one unit per op, boundaries follow the data', () => {
    const g = mlpChain(6, 3);
    const ug = buildUnits(g);
    expect(ug.hinted).toBe(false);
    expect(ug.units.length).toBe(12);
    const C = boundaryBytesTable(unitCrossings(g, ug), ug.units.length);
    // Entering op 1 (relu0) the dense0 output [8, 64] f32 = 2048 bytes crosses.
    expect(C[1 * 12 + 1]).toBe(8 * 64 * 4);
    // With FLOP slack the cuts avoid the wide dense3's [8, 256] output (4x the others' bytes).
    const loose = runLayerConstruction(g, { layers: 3, eps: 5 });
    expect(loose.layers.length).toBe(3);
    expect(loose.layers[0].unitStart).toBe(0);
    expect(loose.layers[2].unitEnd).toBe(12);
    for (const l of loose.layers.slice(1)) expect(l.inputBytes).toBe(8 * 64 * 4);
    // With eps 0.5, dense3 and dense4 (a third of the FLOPs each) cannot share a layer: the wide tensor is cut.
    const tight = runLayerConstruction(g, { layers: 3, eps: 0.5 });
    expect(tight.maxInputBytes).toBe(8 * 256 * 4);
  });

  it("'auto' picks min(16, units)", () => {
    expect(runLayerConstruction(zooModel('gpt-tiny'), { layers: 'auto' }).layers.length).toBe(4);
    expect(runLayerConstruction(zooModel('gpt-350M', { batch: 8 }), { layers: 'auto' }).layers.length).toBe(16);
  });
});
