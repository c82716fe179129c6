import { describe, expect, it } from 'vitest';
import { collectiveSeconds, collectiveWireBytes, startupSteps } from './collectives.ts';
import { H100_NVLINK, P3_ETHERNET } from '../cluster/presets.ts';

describe('collectiveSeconds', () => {
  it('puts the textbook bytes on the wire', () => {
    expect(collectiveWireBytes('all-reduce', 800, 8)).toBe(1400);
    expect(collectiveWireBytes('all-gather', 800, 8)).toBe(700);
    expect(collectiveWireBytes('reduce-scatter', 800, 4)).toBe(600);
    expect(collectiveWireBytes('all-to-all', 800, 4)).toBe(150);
    expect(collectiveWireBytes('send-recv', 800, 2)).toBe(800);
  });

  it('adds latency x the algorithm steps, divides by the kind efficiency, keeps the floor', () => {
    const link = { bandwidthBytesPerSecond: 1e9, latencySeconds: 1e-5, floorSeconds: 5e-5, collectiveEfficiency: { 'all-gather': 0.5 } };
    // all-reduce over 8: tree 2 x 3 = 6 < ring 2 x 7 = 14 steps, less the shared hop: 5 start-ups
    expect(collectiveSeconds('all-reduce', 1e6, 8, link)).toBeCloseTo(5e-5 + 1.75e-3, 9);
    // ring all-gather over 8: 7 steps
    expect(collectiveSeconds('all-gather', 1e6, 8, link)).toBeCloseTo(7e-5 + 1.75e-3, 9);
    expect(collectiveSeconds('all-reduce', 10, 2, link)).toBe(5e-5);
    expect(collectiveSeconds('all-reduce', 1e6, 1, link)).toBe(0);
    expect(collectiveSeconds('send-recv', 1e6, 1, link)).toBeCloseTo(1e-5 + 1e-3, 9);
  });

  it('counts n - 1 ring steps for all-gather / reduce-scatter / all-to-all and the tree for a wide all-reduce', () => {
    expect(startupSteps('all-gather', 2)).toBe(1);
    expect(startupSteps('reduce-scatter', 2)).toBe(1);
    expect(startupSteps('all-reduce', 2)).toBe(1); // the calibrated 2-GPU point: ring = tree = 2, less the shared hop
    expect(startupSteps('all-reduce', 3)).toBe(3); // ring 4 = tree 2 x 2
    expect(startupSteps('all-to-all', 16)).toBe(15);
    expect(startupSteps('send-recv', 2048)).toBe(1);
    // a 2,048-rank all-gather of 1 MB over a 10 us, 50 GB/s link: 2,047 x 10 us = 20.47 ms of start-up
    // (ceil(log2 2048) = 11 before: 0.11 ms) + 1e6 x 2047 / 2048 / 5e10 = 19.99 us of wire
    const link = { bandwidthBytesPerSecond: 5e10, latencySeconds: 1e-5 };
    expect(collectiveSeconds('all-gather', 1e6, 2048, link)).toBeCloseTo(2047e-5 + 1e6 * (2047 / 2048) / 5e10, 12);
    // a 2,048-rank all-reduce picks the tree: 2 x 11 - 1 = 21 start-ups, not the ring's 2 x 2,047 - 1
    expect(startupSteps('all-reduce', 2048)).toBe(21);
    expect(collectiveSeconds('all-reduce', 1e6, 2048, link)).toBeCloseTo(21e-5 + 2e6 * (2047 / 2048) / 5e10, 12);
  });

  it('is ~90x slower across p3.16xlarge nodes than over H100 NVLink for a 100 MB all-reduce', () => {
    const ratio = collectiveSeconds('all-reduce', 1e8, 2, P3_ETHERNET) / collectiveSeconds('all-reduce', 1e8, 2, H100_NVLINK);
    expect(ratio).toBeGreaterThan(80);
    expect(ratio).toBeLessThan(120);
  });
});
