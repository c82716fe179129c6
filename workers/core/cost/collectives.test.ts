import { describe, expect, it } from 'vitest';
import { collectiveSeconds, collectiveWireBytes } from './collectives.ts';
import { H100_NVLINK, P3_ETHERNET } from '../cluster/presets.ts';

describe('collectiveSeconds', () => {
  it('puts the textbook bytes on the wire', () => {
    expect(collectiveWireBytes('all-reduce', 800, 8)).toBe(1400);
    expect(collectiveWireBytes('all-gather', 800, 8)).toBe(700);
    expect(collectiveWireBytes('reduce-scatter', 800, 4)).toBe(600);
    expect(collectiveWireBytes('all-to-all', 800, 4)).toBe(150);
    expect(collectiveWireBytes('send-recv', 800, 2)).toBe(800);
  });

  it('adds latency x ceil(log2 n), divides by the kind efficiency, keeps the floor', () => {
    const link = { bandwidthBytesPerSecond: 1e9, latencySeconds: 1e-5, floorSeconds: 5e-5, collectiveEfficiency: { 'all-gather': 0.5 } };
    expect(collectiveSeconds('all-reduce', 1e6, 8, link)).toBeCloseTo(3e-5 + 1.75e-3, 9);
    expect(collectiveSeconds('all-gather', 1e6, 8, link)).toBeCloseTo(3e-5 + 1.75e-3, 9);
    expect(collectiveSeconds('all-reduce', 10, 2, link)).toBe(5e-5);
    expect(collectiveSeconds('all-reduce', 1e6, 1, link)).toBe(0);
    expect(collectiveSeconds('send-recv', 1e6, 1, link)).toBeCloseTo(1e-5 + 1e-3, 9);
  });

  it('is ~90x slower across p3.16xlarge nodes than over H100 NVLink for a 100 MB all-reduce', () => {
    const ratio = collectiveSeconds('all-reduce', 1e8, 2, P3_ETHERNET) / collectiveSeconds('all-reduce', 1e8, 2, H100_NVLINK);
    expect(ratio).toBeGreaterThan(80);
    expect(ratio).toBeLessThan(120);
  });
});
