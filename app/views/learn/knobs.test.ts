import { describe, expect, it } from 'vitest';
import { presetByLabel, setNodeGpu } from '../../cluster/edit.ts';
import { applySweepValue } from '../../../workers/core/whatif/sweep.ts';
import { formatKnob, keyWithoutKnob, knobStops, knobValue, withKnob, type KnobId } from './knobs.ts';
import type { PlanOptions } from '../../../workers/core/plan/types.ts';

const options: PlanOptions = { mode: 'train', globalBatch: 1024, microbatches: 'auto', schedule: '1f1b', remat: 'auto', precision: 'fp16-mixed', layers: 'auto' };
const s = { cluster: presetByLabel('p3.16xlarge x8'), options };

describe('Learn knobs', () => {
  it('reads each knob from the scenario (p3.16xlarge: NCCL reaches 85% of 25 Gbit/s)', () => {
    expect(knobValue('inter-gbps', s)).toBe(21.25);
    expect(knobValue('gpus-per-node', s)).toBe(8);
    expect(knobValue('nodes', s)).toBe(8);
    expect(knobValue('batch', s)).toBe(1024);
  });
  const at = (id: KnobId, v: number) => {
    const r = withKnob(id, s, v);
    if (!r.ok) throw new Error(r.reason);
    return r.value;
  };
  it('changes only the knob\'s own field', () => {
    const fast = at('inter-gbps', 400);
    expect(fast.cluster.interNode.bandwidthBytesPerSecond).toBe(50e9);
    expect(fast.cluster.nodes).toBe(s.cluster.nodes);
    expect(at('nodes', 2).cluster.name).toBe('p3.16xlarge:2x8');
    expect(at('gpus-per-node', 4).cluster.name).toBe('p3.16xlarge:8x4');
    expect(at('batch', 256).options.globalBatch).toBe(256);
    expect(at('batch', 256).cluster).toBe(s.cluster);
  });
  it('builds the cluster a sweep point at the same value builds (the core\'s applySweepValue), and says what it refuses', () => {
    const scenario = { model: { kind: 'zoo' as const, name: 'gpt-1.3B' }, cluster: s.cluster, options };
    for (const [id, v] of [['inter-gbps', 100], ['nodes', 4], ['gpus-per-node', 2], ['batch', 512]] as const) {
      const swept = applySweepValue(scenario, id, v);
      expect(swept.ok && { cluster: swept.value.cluster, options: swept.value.options }).toEqual(at(id, v));
    }
    const mixed = { cluster: setNodeGpu(s.cluster, 1, 'A100-40GB'), options };
    expect(withKnob('nodes', mixed, 2)).toEqual({ ok: false, reason: 'nodes=2: the cluster mixes node types (V100-16GBx8, A100-40GBx8); sweep nodes on a homogeneous cluster' });
    expect(withKnob('batch', { ...s, options: { ...options, microbatches: 64 } }, 32)).toEqual({ ok: false, reason: 'batch=32: the 64 micro-batches must divide the global batch' });
  });
  it('puts the scenario\'s own value among the slider stops, and writes counts exactly', () => {
    expect(knobStops('inter-gbps', 21.25)).toEqual([5, 10, 21.25, 25, 50, 100, 200, 400, 800, 1600, 3200]);
    expect(knobStops('nodes', 8)).toEqual([1, 2, 4, 8, 16, 32, 64]);
    expect(formatKnob('batch', 1024)).toBe('1024');
    expect(formatKnob('inter-gbps', 21.25)).toBe('21.3');
  });
  it('keys the crossover by everything but its knob: moving that knob keeps its points, another knob does not', () => {
    const key = (x: typeof s) => keyWithoutKnob('inter-gbps', x, (y) => JSON.stringify(y));
    expect(key(at('inter-gbps', 100))).toBe(key(s));
    expect(key(at('nodes', 4))).not.toBe(key(s));
  });
});
