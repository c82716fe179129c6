import { describe, expect, it } from 'vitest';
import { stageParallelLabel } from './stageLabel.ts';

describe('stageParallelLabel', () => {
  it('names DP, TP, the ZeRO level and the expert-parallel degree in the agreed order', () => {
    expect(stageParallelLabel({ logicalMesh: [4, 2], zero: 1, expertParallel: 4 })).toBe('DP 4 · TP 2 · ZeRO-1 · EP 4');
    expect(stageParallelLabel({ logicalMesh: [8, 1], zero: 3 })).toBe('DP 8 · ZeRO-3');
    expect(stageParallelLabel({ logicalMesh: [2, 4], zero: 2, expertParallel: 1 })).toBe('DP 2 · TP 4 · ZeRO-2 · experts TP');
    expect(stageParallelLabel({ logicalMesh: [2, 1], expertParallel: 1 })).toBe('DP 2 · experts replicated');
  });

  it('leaves out a ZeRO level without a data-parallel axis, and says "one device" when nothing is split', () => {
    expect(stageParallelLabel({ logicalMesh: [1, 8], zero: 1 })).toBe('TP 8');
    expect(stageParallelLabel({ logicalMesh: [1, 1] })).toBe('one device');
  });

  it('names SP and CP with its exchange between TP and ZeRO; DP is axis 0 over the CP degree', () => {
    expect(stageParallelLabel({ logicalMesh: [4, 8], sequenceParallel: true, contextParallel: { degree: 2, kind: 'ring' }, zero: 1 }))
      .toBe('DP 2 · TP 8 · SP · CP 2 (ring) · ZeRO-1');
    expect(stageParallelLabel({ logicalMesh: [16, 1], contextParallel: { degree: 16, kind: 'ulysses' } })).toBe('CP 16 (ulysses)');
    expect(stageParallelLabel({ logicalMesh: [2, 1], sequenceParallel: true })).toBe('DP 2');
  });
});
