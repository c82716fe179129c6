import { describe, expect, it } from 'vitest';
import type { MeshChoice, MeshSpace } from '../inter/meshSpace.ts';
import type { Candidate } from '../inter/search.ts';
import type { StageCore } from '../inter/stageCore.ts';
import { expertDegreeOf, narrowingsFor, worthAlternatives } from './alternatives.ts';

const mesh = (id: number, logical: [number, number], variant: string): MeshChoice =>
  ({ id, shape: 0, logical, variant, links: [] as unknown as MeshChoice['links'], canonical: {} as MeshChoice['canonical'] });
// One 4-GPU sub-mesh: the ILP on (1, 4) with and without SP, the templates on (4, 1) with every EP degree, the
// template on (1, 4) (experts over an axis 0 of 1: EP 1).
const meshes = [mesh(0, [1, 4], 'ilp'), mesh(1, [1, 4], 'ilp+sp'), mesh(2, [4, 1], 'template'), mesh(3, [4, 1], 'template-ep2'),
  mesh(4, [4, 1], 'template-dense'), mesh(5, [1, 4], 'template'), mesh(6, [1, 4], 'template+sp')];
const space = { groups: [], submeshes: [], meshes } as unknown as MeshSpace;
const core = (meshId: number, zero: 1 | 2 | undefined, recompute: StageCore['recompute']): StageCore => ({ meshId, zero, recompute } as StageCore);
const candidate = (...cores: StageCore[]): Candidate =>
  ({ microbatches: 8, microbatch: 4, objectiveSeconds: 10, stages: cores.map((c) => ({ core: c, submesh: undefined as never })) });
const search = { remat: ['none', 'full', 'selective'] as const, zeroLevels: [1, 2, 3] as const };

describe('narrowed re-solves (plan/alternatives.ts)', () => {
  it('only a best candidate simulated more than 3% over its DP price is solved again', () => {
    expect(worthAlternatives(candidate(), 10.3)).toBe(false);
    expect(worthAlternatives(candidate(), 10.31)).toBe(true);
    expect(worthAlternatives(candidate(), 9)).toBe(false);
  });

  it('expert-parallel degree of each variant: the whole axis 0, ep<d>, dense 1, none for the ILP', () => {
    expect(meshes.map(expertDegreeOf)).toEqual([undefined, undefined, 4, 2, 1, 1, 1]);
  });

  it('narrowings the candidate does not already satisfy at every stage, with the meshes each keeps', () => {
    // An ILP stage (ZeRO-1, no recomputation) beside a template EP 4 stage (ZeRO-1, selective).
    const n = narrowingsFor(candidate(core(0, 1, 'none'), core(2, 1, 'selective')), space, search, true);
    expect(n.map((x) => x.flag)).toEqual(['--intra manual', '--ep 4', '--ep 2', '--ep 1', '--zero 0', '--zero 2', '--zero 3',
      '--remat off', '--remat on', '--remat selective', '--sp on']);
    const kept = (flag: string) => meshes.filter((m) => n.find((x) => x.flag === flag)!.keepMesh!(m)).map((m) => m.id);
    expect(kept('--intra manual')).toEqual([2, 3, 4, 5, 6]);
    expect(kept('--ep 2')).toEqual([3]);
    expect(kept('--ep 1')).toEqual([4, 5, 6]);
    // --sp on leaves meshes without a tensor-parallel axis as they are.
    expect(kept('--sp on')).toEqual([1, 2, 3, 4, 6]);
    expect(n.find((x) => x.flag === '--zero 0')!.zeroLevels).toEqual([0]);
    expect(n.find((x) => x.flag === '--remat on')!.remat).toEqual(['full']);
    // One template stage on (4, 1) (EP 4, ZeRO-1, no recomputation; SP has no tensor-parallel axis to apply to, so
    // --sp on and off both hold): only ZeRO and recomputation are left; a dense model has no EP narrowings.
    expect(narrowingsFor(candidate(core(2, 1, 'none')), space, search, false).map((x) => x.flag))
      .toEqual(['--zero 0', '--zero 2', '--zero 3', '--remat on', '--remat selective']);
  });
});
