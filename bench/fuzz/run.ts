/**
 * Fuzz every importer with mutated fixture inputs: `npx tsx bench/fuzz/run.ts [countPerFormat=10000] [seed=1]`.
 * Exits 1 when an exception escapes importModel, an importer reports an internal error, or an input takes > 2 s.
 */
import { fuzzFormat, MAX_INPUT_SECONDS } from './harness.ts';
import type { SeedFormat } from './mutate.ts';
import { buildSeeds } from './seeds.ts';

const count = Number(process.argv[2] ?? 10_000);
const seed = Number(process.argv[3] ?? 1);
const seeds = await buildSeeds();
let failed = false;
for (const format of ['json', 'stablehlo', 'hlo', 'onnx'] as SeedFormat[]) {
  const t0 = performance.now();
  const s = await fuzzFormat(seeds, format, count, seed);
  const wall = (performance.now() - t0) / 1000;
  console.log(`${format}: ${s.inputs} inputs (${seeds.filter((x) => x.format === format).length} seeds) in ${wall.toFixed(1)} s: ` +
    `${s.imported} imported, ${s.refused} refused with ImportError, ${s.escaped.length} escaped, ` +
    `max ${(s.maxSeconds * 1000).toFixed(0)} ms per input, ${s.slowInputs} over ${MAX_INPUT_SECONDS} s`);
  for (const e of s.escaped.slice(0, 10)) console.log(`  ${e.split('\n').slice(0, 4).join(' | ')}`);
  if (s.escaped.length || s.slowInputs) failed = true;
}
process.exit(failed ? 1 : 0);
