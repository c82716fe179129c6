import { describe, expect, it } from 'vitest';
import { fuzzFormat } from './harness.ts';
import { buildSeeds } from './seeds.ts';

describe('importer fuzz (seeded, small; bench/fuzz/run.ts runs 10,000 per format)', () => {
  it('400 mutated inputs: only ImportError values come back, each in under 2 s', async () => {
    const seeds = await buildSeeds();
    for (const [format, n] of [['json', 100], ['stablehlo', 100], ['hlo', 100], ['onnx', 100]] as const) {
      const s = await fuzzFormat(seeds, format, n, 7, 0);
      expect(s.escaped).toEqual([]);
      expect(s.slowInputs).toBe(0);
      expect(s.inputs).toBe(n);
      expect(s.refused).toBeGreaterThan(0);
    }
  });
});

describe('CLI fuzz in process (seeded, small; bench/fuzz/run-cli.ts runs 10,000 per kind)', () => {
  it('mutated argument vectors and cluster JSON files: exit 0 or 2, each exit 2 one clean line naming the command', async () => {
    const { fuzzCli } = await import('./cliHarness.ts');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    for (const [kind, n] of [['args', 60], ['cluster', 40]] as const) {
      const s = await fuzzCli(kind, 0, n, 3, mkdtempSync(join(tmpdir(), `meshplan-fuzz-${kind}-`)));
      expect(s.problems).toEqual([]);
      expect(s.inputs).toBe(n);
      expect(s.exit2).toBeGreaterThan(0);
      expect(s.exit0 + s.exit2).toBe(n);
    }
  }, 240_000);
});
