/** Runs the CLI in process over mutated argument vectors or cluster JSON files and checks each run's contract. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { contractProblem, runCli } from './cli.ts';
import { argSeeds, clusterSeeds, fuzzFiles, mutateArgs, mutateClusterJson } from './cliMutate.ts';
import { rng } from './mutate.ts';

export type CliFuzzKind = 'args' | 'cluster';

export interface CliFuzzStats {
  readonly kind: CliFuzzKind;
  inputs: number;
  exit0: number;
  exit2: number;
  /** Runs that broke the contract (cli.ts contractProblem), with their arguments. */
  readonly problems: string[];
  maxSeconds: number;
  slowest: string;
  overLimit: number;
  readonly seconds: number[];
}

/** An input taking longer than this fails the fuzz (issue 17: every input ends in seconds). */
export const MAX_CLI_SECONDS = 10;

/** Output options (--trace, --out, -o) with a relative path are pointed into `dir`: the fuzz must never write
 * files where it runs (a mutated `--trace 0` wrote './0'). */
export function confineOutputs(argv: readonly string[], dir: string): string[] {
  const inside = (v: string) => (v.startsWith('/') ? v : join(dir, 'out', v.replace(/[/\\]/g, '_') || 'empty'));
  return argv.map((a, i) => {
    const m = /^(--trace|--out|-o)=(.*)$/s.exec(a);
    if (m) return `${m[1]}=${inside(m[2]!)}`;
    const prev = argv[i - 1];
    return i > 0 && (prev === '--trace' || prev === '--out' || prev === '-o') && !a.startsWith('--') ? inside(a) : a;
  });
}

/** Inputs [from, to) of the seeded sequence, so that several processes can share one run. */
export async function fuzzCli(kind: CliFuzzKind, from: number, to: number, seed: number, dir: string): Promise<CliFuzzStats> {
  const files = fuzzFiles(dir);
  const stats: CliFuzzStats = { kind, inputs: 0, exit0: 0, exit2: 0, problems: [], maxSeconds: 0, slowest: '', overLimit: 0, seconds: [] };
  const seeds = kind === 'args' ? argSeeds(files) : clusterSeeds();
  for (let i = from; i < to; i++) {
    const r = rng(seed * 1_000_003 + i);
    let argv: string[];
    if (kind === 'args') argv = mutateArgs(seeds[Math.floor(r() * seeds.length)] as string[], r, files);
    else {
      const path = join(dir, `cluster-${i % 4}.json`);
      writeFileSync(path, mutateClusterJson(seeds[Math.floor(r() * seeds.length)] as string, r));
      argv = ['plan', '--model', 'zoo:gpt-tiny', '--cluster', path, '--intra', 'manual', '--json'];
    }
    const run = await runCli(confineOutputs(argv, dir));
    stats.inputs++;
    if (run.code === 0) stats.exit0++;
    if (run.code === 2) stats.exit2++;
    stats.seconds.push(run.seconds);
    if (run.seconds > stats.maxSeconds) { stats.maxSeconds = run.seconds; stats.slowest = `#${i} ${JSON.stringify(argv).slice(0, 300)}`; }
    if (run.seconds > MAX_CLI_SECONDS) stats.overLimit++;
    const p = contractProblem(run);
    if (p) stats.problems.push(`#${i} ${JSON.stringify(argv).slice(0, 300)}: ${p}`);
  }
  return stats;
}
