/**
 * One fixture in a fresh process (bench/import/run.ts spawns one per file): imports it `runs` times and prints one
 * JSON line with each wall time and CPU time (user + system: the figure to read on a shared, loaded machine), the process's peak resident memory, and its resident memory before the import.
 *
 *   npx tsx bench/import/one.ts <file> [runs]
 */
import { readFileSync } from 'node:fs';
import { importModel } from '../../workers/core/import/index.ts';

const [file, runsArg] = process.argv.slice(2);
if (!file) throw new Error('usage: one.ts <file> [runs]');
const bytes = new Uint8Array(readFileSync(file));
const baselineRssMiB = process.memoryUsage().rss / 2 ** 20;
const ms: number[] = [], cpuMs: number[] = [];
let ops = 0;
for (let i = 0; i < Number(runsArg ?? 3); i++) {
  const t0 = performance.now(), c0 = process.cpuUsage();
  const r = await importModel(file.replace(/^.*\//, ''), bytes);
  ms.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpuMs.push((c.user + c.system) / 1000);
  if (!r.ok) throw new Error(`${file}: ${r.error.message}`);
  ops = r.graph.ops.length;
}
console.log(JSON.stringify({ ms, cpuMs, ops, bytes: bytes.byteLength, baselineRssMiB, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
