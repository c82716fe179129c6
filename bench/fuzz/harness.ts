/** Runs importModel over mutated seeds and records what came back: an ImportError value is fine, anything else is not. */
import { importModel } from '../../workers/core/import/index.ts';
import { mutate, rng, type SeedFormat } from './mutate.ts';
import type { Seed } from './seeds.ts';

export interface FuzzStats {
  readonly format: SeedFormat;
  inputs: number;
  imported: number;
  refused: number;
  /** Exceptions that escaped importModel, or errors marked internal (importer bugs). */
  readonly escaped: string[];
  maxSeconds: number;
  slowInputs: number;
}

const EXT: Readonly<Record<SeedFormat, string>> = { onnx: 'onnx', stablehlo: 'mlir', hlo: 'hlo', json: 'json' };
/** An input taking longer than this fails the fuzz. */
export const MAX_INPUT_SECONDS = 2;

export async function fuzzFormat(seeds: readonly Seed[], format: SeedFormat, count: number, seed: number, bigShare = 0.03): Promise<FuzzStats> {
  const r = rng(seed);
  const small = seeds.filter((s) => s.format === format && !s.big);
  const big = seeds.filter((s) => s.format === format && s.big);
  const stats: FuzzStats = { format, inputs: 0, imported: 0, refused: 0, escaped: [], maxSeconds: 0, slowInputs: 0 };
  for (let i = 0; i < count; i++) {
    const pool = big.length && r() < bigShare ? big : small;
    const s = pool[Math.floor(r() * pool.length)]!;
    const donor = pool[Math.floor(r() * pool.length)]!.data;
    const input = mutate(s.data, format, r, donor);
    const t0 = performance.now();
    try {
      const res = await importModel(`fuzz${i}.${EXT[format]}`, input);
      if (res.ok) stats.imported++;
      else if (res.error.message.startsWith('internal error')) stats.escaped.push(`${s.name} #${i}: ${res.error.message}`);
      else stats.refused++;
    } catch (e) {
      stats.escaped.push(`${s.name} #${i}: threw ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    }
    const seconds = (performance.now() - t0) / 1000;
    stats.maxSeconds = Math.max(stats.maxSeconds, seconds);
    if (seconds > MAX_INPUT_SECONDS) stats.slowInputs++;
    stats.inputs++;
  }
  return stats;
}
