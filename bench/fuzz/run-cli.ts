/**
 * Fuzz the CLI in process (issue 17): `npx tsx bench/fuzz/run-cli.ts <args|cluster> [count=10000] [seed=1] [from=0]`.
 * Prints one JSON object: inputs, exit codes, contract problems (exit code other than 0/2, exit 2 without exactly one
 * clean line naming the command), median and max seconds per input, inputs over 10 s. Exits 1 on any problem.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fuzzCli, MAX_CLI_SECONDS, type CliFuzzKind } from './cliHarness.ts';

const kind = (process.argv[2] ?? 'args') as CliFuzzKind;
const count = Number(process.argv[3] ?? 10_000);
const seed = Number(process.argv[4] ?? 1);
const from = Number(process.argv[5] ?? 0);
const t0 = performance.now();
const s = await fuzzCli(kind, from, from + count, seed, mkdtempSync(join(tmpdir(), `meshplan-fuzz-${kind}-`)));
const sorted = [...s.seconds].sort((a, b) => a - b);
console.log(JSON.stringify({
  kind, seed, from, inputs: s.inputs, exit0: s.exit0, exit2: s.exit2, problems: s.problems.length, firstProblems: s.problems.slice(0, 10),
  medianSeconds: Number((sorted[Math.floor(sorted.length / 2)] ?? 0).toFixed(4)), maxSeconds: Number(s.maxSeconds.toFixed(3)), slowest: s.slowest,
  overLimitSeconds: MAX_CLI_SECONDS, overLimit: s.overLimit, wallSeconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
}));
process.exit(s.problems.length || s.overLimit ? 1 : 0);
