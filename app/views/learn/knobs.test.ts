import { describe, expect, it } from 'vitest';
import { presetByLabel } from '../../cluster/edit.ts';
import { formatKnob, keyWithoutKnob, knobStops, knobValue, withKnob } from './knobs.ts';
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
  it('changes only the knob\'s own field', () => {
    const fast = withKnob('inter-gbps', s, 400);
    expect(fast.cluster.interNode.bandwidthBytesPerSecond).toBe(50e9);
    expect(fast.cluster.nodes).toBe(s.cluster.nodes);
    expect(withKnob('nodes', s, 2).cluster.name).toBe('p3.16xlarge:2x8');
    expect(withKnob('gpus-per-node', s, 4).cluster.name).toBe('p3.16xlarge:8x4');
    expect(withKnob('batch', s, 256).options.globalBatch).toBe(256);
    expect(withKnob('batch', s, 256).cluster).toBe(s.cluster);
  });
  it('puts the scenario\'s own value among the slider stops, and writes counts exactly', () => {
    expect(knobStops('inter-gbps', 21.25)).toEqual([5, 10, 21.25, 25, 50, 100, 200, 400, 800, 1600, 3200]);
    expect(knobStops('nodes', 8)).toEqual([1, 2, 4, 8, 16, 32, 64]);
    expect(formatKnob('batch', 1024)).toBe('1024');
    expect(formatKnob('inter-gbps', 21.25)).toBe('21.3');
  });
  it('keys the crossover by everything but its knob: moving that knob keeps its points, another knob does not', () => {
    const key = (x: typeof s) => keyWithoutKnob('inter-gbps', x, (y) => JSON.stringify(y));
    expect(key(withKnob('inter-gbps', s, 100))).toBe(key(s));
    expect(key(withKnob('nodes', s, 4))).not.toBe(key(s));
  });
});
