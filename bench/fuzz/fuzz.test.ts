import { describe, expect, it } from 'vitest';
import { fuzzFormat } from './harness.ts';
import { buildSeeds } from './seeds.ts';

describe('importer fuzz (seeded, small; bench/fuzz/run.ts runs 10,000 per format)', () => {
  it('300 mutated inputs: only ImportError values come back, each in under 2 s', async () => {
    const seeds = await buildSeeds();
    for (const [format, n] of [['json', 100], ['stablehlo', 100], ['onnx', 100]] as const) {
      const s = await fuzzFormat(seeds, format, n, 7, 0);
      expect(s.escaped).toEqual([]);
      expect(s.slowInputs).toBe(0);
      expect(s.inputs).toBe(n);
      expect(s.refused).toBeGreaterThan(0);
    }
  });
});
