/**
 * `meshplan learn --model M --cluster C [plan options] --json`: intra-op only, inter-op only and the combined plan
 * for one model and cluster (core/whatif/learn.ts, as the page's Learn region shows them): step, bubble, memory per
 * device, bytes and seconds crossing nodes vs staying inside, and the sentence generated from those numbers.
 */
import { runLearn } from '../core/whatif/learn.ts';
import { parseArgs } from './args.ts';
import { loadPlanArgs, PLAN_KEYS } from './plan.ts';
import { whatifDeps } from './whatifDeps.ts';
import { interruptOnSigint } from './interrupt.ts';
import { terminalProgress } from './progress.ts';

const gb = (b: number): string => `${(b / 1e9).toFixed(1)} GB`;

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, PLAN_KEYS.filter((k) => k !== 'baseline' && k !== 'trace' && k !== 'dp' && k !== 'tp' && k !== 'pp'), ['json']);
  const { model, cluster, options, deps, dispose } = await loadPlanArgs(args);
  const progress = terminalProgress();
  const stop = interruptOnSigint();
  const r = await runLearn(model, cluster, options, whatifDeps(deps), progress.onProgress, stop.signal)
    .finally(() => { progress.done(); stop.dispose(); dispose(); });
  // The plans themselves are `meshplan plan --baseline intra-only|inter-only` and `meshplan plan`.
  const rows = r.rows.map((x) => (x.ok ? (({ plan: p, ...rest }) => ({ ...rest, label: p.label }))(x) : x));
  if (args.flags.has('json')) {
    process.stdout.write(JSON.stringify({ model: model.name, cluster: cluster.name, winner: r.winner, ties: r.ties, reasons: r.reasons, sentence: r.sentence, rows }) + '\n');
    return 0;
  }
  process.stdout.write(rows.map((x) => `${x.kind.padEnd(11)} ${x.ok
    ? `${x.stepSeconds.value.toFixed(3)} s${x.feasible ? '' : ' (does not fit)'}  across nodes ${gb(x.traffic.crossNode.bytes)} / ${x.traffic.crossNode.seconds.toFixed(2)} s, ` +
      `inside ${gb(x.traffic.inNode.bytes)} / ${x.traffic.inNode.seconds.toFixed(2)} s, bubble ${(100 * x.bubbleFraction.value).toFixed(0)}%, ` +
      `${(x.memoryPerDevice.value / 2 ** 30).toFixed(2)} GiB/device, ${x.stages} stage${x.stages === 1 ? '' : 's'}`
    : `n/a: ${x.reason}`}`).join('\n') + `\n${r.sentence}\n`);
  return 0;
}
