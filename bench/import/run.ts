/**
 * Import benchmark (issue 12): for every fixture (fixtures/wild and ../shared/fixtures), the median wall time of
 * importModel over `RUNS` imports in a fresh Node process (and its CPU time, user + system), and that process's peak resident memory (its resident
 * memory before the import is given too, so the import's own share is the difference). Target: the 7B-parameter
 * Llama ONNX graph (full 32 layers, weights absent) imports in under 3 s. Prints one JSON object.
 *
 *   npx tsx bench/import/run.ts [runs]
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNS = Number(process.argv[2] ?? 5);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dirs = ['fixtures/wild/onnx', 'fixtures/wild/hlo', '../shared/fixtures/onnx', '../shared/fixtures/stablehlo'];
const files = dirs.flatMap((d) => readdirSync(resolve(root, d)).filter((f) => /\.(onnx|mlir|hlo\.txt)$/.test(f)).map((f) => `${d}/${f}`));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const rows = files.map((file) => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/import/one.ts', file, String(RUNS)], { cwd: root, encoding: 'utf8' });
  const r = JSON.parse(out.trim().split('\n').pop()!) as { ms: number[]; cpuMs: number[]; ops: number; bytes: number; baselineRssMiB: number; peakRssMiB: number };
  return { file, bytes: r.bytes, ops: r.ops, medianMs: Math.round(median(r.ms)), medianCpuMs: Math.round(median(r.cpuMs)), runsMs: r.ms.map(Math.round), peakRssMiB: Math.round(r.peakRssMiB), baselineRssMiB: Math.round(r.baselineRssMiB) };
});
const big = rows.find((r) => r.file.endsWith('llama2-7b.dynamo-noopt.onnx'));
console.log(JSON.stringify({
  bench: 'import', runs: RUNS, node: process.version,
  target: { file: big?.file, medianMs: big?.medianMs, medianCpuMs: big?.medianCpuMs, underThreeSeconds: big ? big.medianMs < 3000 : undefined },
  fixtures: rows,
}, null, 1));
