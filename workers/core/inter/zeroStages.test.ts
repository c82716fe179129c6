import { describe, expect, it } from 'vitest';
import type { GpuSpec, Link } from '../cluster/types.ts';
import { precisionBytes } from '../cost/memory.ts';
import type { UnitProfile } from './unitProfile.ts';
import { addUnitZero, atZeroLevel, emptyZeroCosts, exposedSeconds, hiddenSeconds, type ZeroPriced } from './zeroStages.ts';

// One layer of 1e9 parameter elements per device (after tensor parallelism), replicated over a data-parallel axis
// of d = 4 devices on a 100 GB/s link without latency; bf16-mixed state: 2 B parameter, 2 B gradient, 12 B master +
// Adam moments per element. The profile is the search's template (ZeRO-1, gradients all-reduced once per step).
const link: Link = { bandwidthBytesPerSecond: 100e9, latencySeconds: 0 };
const gpu = { hbmBandwidthBytesPerSecond: 3e12, memoryEfficiency: 1 } as GpuSpec;
const elems = 1e9;
// All-reduce of the gradients at 4 B an element: 2 (d-1)/d x 4e9 B / 100e9 B/s = 2 x 0.75 x 0.04 = 0.06 s.
const allReduce = 0.06;
const profile = { zero: { level: 1, elems }, gradientSyncSeconds: allReduce } as UnitProfile;

function layer(units: number) {
  const z = emptyZeroCosts(1, [4, 1], 1);
  // The layer's units share its 1e9 elements evenly.
  for (let u = 0; u < units; u++) addUnitZero(z, 0, { ...profile, zero: { level: 1, elems: elems / units }, gradientSyncSeconds: allReduce / units }, [link, link], precisionBytes('bf16-mixed'), gpu);
  return z;
}

// The ZeRO-1 stage as the template prices it: forward 0.1 s, backward 0.2 s per micro-batch, gradient sync = the
// all-reduce + Adam on the quarter it owns (30 B an element of traffic: 2x2 param, 2 grad, 2x12 state;
// 30e9 / 3e12 = 0.01 s unsharded, 0.0025 s on a quarter); state 2e9 + 2e9 + 12e9 / 4 B.
const zero1: ZeroPriced = {
  start: 0, end: 1, forwardSeconds: 0.1, backwardSeconds: 0.2, gradientSyncSeconds: allReduce + 0.0025, communicationSeconds: 0,
  paramBytes: 2e9, gradBytes: 2e9, optimizerBytes: 3e9, transientBytes: 0, zero: 1,
};

describe('ZeRO stages priced from a stage (one layer, hand-computed)', () => {
  it('collectives of the layer: all-gather 2e9 B -> 0.75 x 2e9 / 100e9 = 15 ms, reduce-scatter 4e9 B -> 30 ms', () => {
    const z = layer(1);
    expect(z.gatherSeconds[0]).toBeCloseTo(0.015, 12);
    expect(z.reduceScatterSeconds[0]).toBeCloseTo(0.03, 12);
    // ZeRO-1/2's per-step ring bytes equal the all-reduce's: reduce-scatter (30 ms) + all-gather of 4 B (30 ms).
    expect(2 * z.reduceScatterSeconds[0]).toBeCloseTo(allReduce, 12);
    expect(z.updateSeconds[0]).toBeCloseTo(0.01, 12);
  });

  it('ZeRO-0: optimizer state replicated (12e9 B), Adam on all of it (+7.5 ms)', () => {
    const c = atZeroLevel(layer(1), zero1, 0, 4)!;
    expect(c.optimizerBytes).toBeCloseTo(12e9, 0);
    expect(c.gradientSyncSeconds).toBeCloseTo(allReduce + 0.01, 12);
    expect([c.forwardSeconds, c.backwardSeconds]).toEqual([0.1, 0.2]);
  });

  it('ZeRO-2 at B = 4: gradients 2e9 / 4, three extra reduce-scatters spread over four backwards (+22.5 ms each)', () => {
    const c = atZeroLevel(layer(1), zero1, 2, 4)!;
    expect([c.paramBytes, c.gradBytes, c.optimizerBytes]).toEqual([2e9, 0.5e9, 3e9]);
    // One unit: nothing to prefetch behind, 30 ms x 3/4 exposed.
    expect(c.backwardSeconds).toBeCloseTo(0.2 + 0.0225, 12);
    expect(c.forwardSeconds).toBe(0.1);
    // The last micro-batch's reduce-scatter + all-gather: the all-reduce's time, unchanged.
    expect(c.gradientSyncSeconds).toBeCloseTo(allReduce + 0.0025, 12);
    // One unit's unsharded gradient (2e9 B) live while it is reduced.
    expect(c.transientBytes).toBe(2e9);
    // B = 1: exactly ZeRO-1's time.
    const one = atZeroLevel(layer(1), zero1, 2, 1)!;
    expect([one.forwardSeconds, one.backwardSeconds, one.gradientSyncSeconds]).toEqual([0.1, 0.2, zero1.gradientSyncSeconds]);
  });

  it('ZeRO-3 at B = 4: parameters too; gathers in forward (15 ms) and backward (15 + 22.5 ms); the step ends with a reduce-scatter (30 ms)', () => {
    const c = atZeroLevel(layer(1), zero1, 3, 4)!;
    expect([c.paramBytes, c.gradBytes, c.optimizerBytes]).toEqual([0.5e9, 0.5e9, 3e9]);
    expect(c.forwardSeconds).toBeCloseTo(0.115, 12);
    expect(c.backwardSeconds).toBeCloseTo(0.2375, 12);
    expect(c.gradientSyncSeconds).toBeCloseTo(0.03 + 0.0025, 12);
    // A unit's gradient (2e9) plus two units' gathered parameters (2 x 2e9).
    expect(c.transientBytes).toBe(6e9);
    // B = 1 moves 1.5x the all-reduce's ring bytes: gathers 2 x 15 ms + reduce-scatter 30 ms = 60 ms at 2 B
    // parameters / 4 B gradients, i.e. 2 x 0.75 x 2e9 + 0.75 x 4e9 = 6e9 wire bytes vs the all-reduce's 6e9 at 4 B;
    // 9e9 (1.5x) when parameters are gathered at 4 B as the gradients are reduced.
    const one = atZeroLevel(layer(1), zero1, 3, 1)!;
    expect(one.forwardSeconds - 0.1 + one.backwardSeconds - 0.2 + one.gradientSyncSeconds - 0.0025).toBeCloseTo(0.06, 12);
  });

  it('prefetch: over 4 units the first gather of each pass is exposed, the rest hide behind 25 ms of compute each', () => {
    const c = atZeroLevel(layer(4), zero1, 3, 4)!;
    // forward: g = 15/4 = 3.75 ms, c = 25 ms -> 3.75 ms exposed.
    expect(c.forwardSeconds).toBeCloseTo(0.1 + 0.00375, 12);
    // backward: g = 37.5/4 = 9.375 ms, c = 50 ms -> 9.375 ms exposed.
    expect(c.backwardSeconds).toBeCloseTo(0.2 + 0.009375, 12);
    // transients: a quarter-layer unit: 0.5e9 + 2 x 0.5e9.
    expect(c.transientBytes).toBe(1.5e9);
  });

  it('exposedSeconds: g + (n-1) max(0, g - c)', () => {
    expect(exposedSeconds(0.04, 0.02, 4)).toBeCloseTo(0.01 + 3 * 0.005, 12);
    expect(exposedSeconds(0.04, 1, 4)).toBeCloseTo(0.01, 12);
    expect(exposedSeconds(0, 1, 4)).toBe(0);
  });

  it('a profile already past ZeRO-1 is priced only at its own level', () => {
    const z = emptyZeroCosts(3, [4, 1], 1);
    expect(atZeroLevel(z, { ...zero1, zero: 3 }, 1, 4)).toBeNull();
    expect(atZeroLevel(z, { ...zero1, zero: 3 }, 3, 4)?.zero).toBe(3);
  });
});

describe('gradient reduction overlapped with the last backward (Megatron-Core --overlap-grad-reduce, DDP buckets)', () => {
  it('hiddenSeconds: buckets of one unit each; the last is exposed, the rest hide in what the backward leaves free', () => {
    // 60 ms over 4 buckets of 15 ms beside 200 ms of backward (50 ms a unit): only the last bucket shows.
    expect(hiddenSeconds(0.06, 0.2, 4)).toBeCloseTo(0.045, 12);
    // beside 40 ms of backward (10 ms a unit): 15 + 3 x 5 ms exposed, 30 ms hidden
    expect(hiddenSeconds(0.06, 0.04, 4)).toBeCloseTo(0.03, 12);
    // one bucket (a stage of one layer): nothing hides
    expect(hiddenSeconds(0.06, 0.2, 1)).toBe(0);
    // the link already carries 160 ms of gathers in that 200 ms backward: 40 ms a unit, 10 ms free per unit
    expect(hiddenSeconds(0.06, 0.2, 4, 0.16)).toBeCloseTo(0.06 - (exposedSeconds(0.22, 0.2, 4) - exposedSeconds(0.16, 0.2, 4)), 12);
    expect(hiddenSeconds(0.06, 0.2, 4, 0.16)).toBeCloseTo(0.03, 12);
  });

  it('ZeRO-3 re-prices the hidden part: the reduce-scatter (30 ms) beside the backward gathers, 4 units', () => {
    const hidden = hiddenSeconds(allReduce, zero1.backwardSeconds, 4);
    const core = { ...zero1, gradientSyncSeconds: zero1.gradientSyncSeconds - hidden, hiddenReduceSeconds: hidden };
    const c = atZeroLevel(layer(4), core, 3, 4)!;
    // backward traffic: gathers 15 ms + 3/4 x 30 ms accumulated = 37.5 ms; 50 ms of backward per unit leaves room:
    // the last reduce-scatter shows only its last bucket (7.5 ms) of 30
    expect(c.hiddenReduceSeconds).toBeCloseTo(0.0225, 12);
    expect(c.gradientSyncSeconds).toBeCloseTo(0.0075 + 0.0025, 12);
    // the same stage without overlap: the whole reduce-scatter
    expect(atZeroLevel(layer(4), zero1, 3, 4)!.gradientSyncSeconds).toBeCloseTo(0.03 + 0.0025, 12);
    // its own level: what stageCore hid stays
    expect(atZeroLevel(layer(4), core, 1, 4)!.gradientSyncSeconds).toBe(core.gradientSyncSeconds);
  });
});
