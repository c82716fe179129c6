/**
 * `meshplan inspect --model <zoo:NAME | path> [--batch N] [--seq N] [--json]`: the model's headline figures
 * (parameters, training FLOPs per step, ops, layers, memory, and the import's warnings) as one JSON object or a short table.
 */
import { inspectGraph, type GraphSummary } from '../core/ir/inspect.ts';
import { LIMITS } from '../core/boundary/limits.ts';
import { oneLine } from '../core/boundary/text.ts';
import { intArg, parseArgs, required } from './args.ts';
import { loadModelArg } from './model.ts';

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['model', 'batch', 'seq']);
  const spec = required(args, 'model');
  const batch = intArg(args, 'batch', LIMITS.globalBatch);
  const seq = intArg(args, 'seq', LIMITS.seq);
  const graph = await loadModelArg(spec, { batch, seq });
  const summary = inspectGraph(graph);
  const warnings = graph.warnings ?? [];
  process.stdout.write(args.flags.has('json') ? JSON.stringify(warnings.length ? { ...summary, warnings } : summary) + '\n' : formatTable(summary, warnings));
  return 0;
}

/** The summary's rows, then one `warning` row per import warning (collectives already in an XLA program, guesses). */
export function formatTable(s: GraphSummary, warnings: readonly string[] = []): string {
  const rows: [string, string][] = [
    ['model', `${s.name} (${s.source})`],
    ['batch', s.seq !== undefined ? `${s.batch} x seq ${s.seq}` : String(s.batch)],
    ['params', `${s.params >= 1e8 ? `${(s.params / 1e9).toFixed(3)} billion` : `${(s.params / 1e6).toFixed(2)} million`} (${s.params})`],
    ['param bytes', bytes(s.paramBytes)],
    ['FLOPs / step', `${scaled(s.flopsPerStep, 'FLOP')} (training: forward + backward)`],
    ['forward FLOPs', scaled(s.forwardFlops, 'FLOP')],
    ['activations / sample', bytes(s.activationBytesPerSample)],
    ['ops', `${s.ops} (${Object.entries(s.opCounts).map(([k, n]) => `${k} ${n}`).join(', ')})`],
    ['layers', String(s.layers)],
    ...warnings.map((w): [string, string] => ['warning', oneLine(w)]),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n';
}

function scaled(n: number, unit: string): string {
  const prefixes: [number, string][] = [[1e18, 'E'], [1e15, 'P'], [1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  const [f, p] = prefixes.find(([v]) => n >= v) ?? [1, ''];
  return `${(n / f).toFixed(n >= 1e3 ? 3 : 0)} ${p}${unit}`.trim();
}

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(i ? 2 : 0)} ${units[i]}`;
}
