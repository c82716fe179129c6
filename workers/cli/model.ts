/**
 * The `--model` argument shared by every command: 'zoo:NAME' (the model zoo) or a path to a model file
 * (.onnx, .mlir, XLA HLO text (.hlo, .txt), .json, config.json), read and handed to the importers. Problems become one-line CliErrors.
 */
import { basename } from 'node:path';
import type { ModelGraph } from '../core/ir/types.ts';
import { CliError } from './args.ts';
import { echo, oneLine } from '../core/boundary/text.ts';
import { graphProblem } from '../core/ir/bounds.ts';
import { readBounded, readHead } from './files.ts';

export interface ModelArgOptions {
  readonly batch?: number;
  readonly seq?: number;
}

/** The importers' entry (workers/core/import/index.ts), typed here so the CLI does not need it to compile. */
interface ImporterModule {
  MAX_IMPORT_BYTES: number;
  checkFormat(fileName: string, head: Uint8Array): { message: string } | undefined;
  importModel(fileName: string, data: Uint8Array, opts?: ModelArgOptions): Promise<
    | { ok: true; graph: ModelGraph; warnings: string[] }
    | { ok: false; error: { message: string; format: string; line?: number; column?: number; node?: string } }
  >;
}

/** The model a `--model` argument names, refused when empty or beyond the planner's bounds (ir/bounds.ts). */
export async function loadModelArg(spec: string, opts: ModelArgOptions = {}): Promise<ModelGraph> {
  const graph = spec.startsWith('zoo:') ? await loadZoo(spec.slice(4), opts) : await loadFile(spec, opts);
  const problem = graphProblem(graph);
  if (problem) throw new CliError(`--model ${echo(spec)}: ${problem}`);
  return graph;
}

async function loadZoo(name: string, opts: ModelArgOptions): Promise<ModelGraph> {
  const { zooModel, ZOO_NAMES, ZooError } = await import('../core/zoo/index.ts');
  try {
    return zooModel(name, opts);
  } catch (err) {
    if (!(err instanceof ZooError)) throw err;
    if (!ZOO_NAMES.some((n) => n.toLowerCase() === name.toLowerCase())) {
      throw new CliError(`unknown zoo model '${echo(name)}' (try: ${suggestions(name, ZOO_NAMES).join(', ')}; ${ZOO_NAMES.length} in all)`);
    }
    throw new CliError(oneLine(err.message));
  }
}

/** Names sharing the family prefix first, then one of each family. */
function suggestions(name: string, names: readonly string[]): string[] {
  const family = name.toLowerCase().split('-')[0];
  const same = names.filter((n) => n.toLowerCase().startsWith(family + '-'));
  const firstOfEach = names.filter((n, i) => i === 0 || n.split('-')[0] !== names[i - 1].split('-')[0]);
  return [...new Set([...same, ...firstOfEach])].slice(0, 8).map((n) => `zoo:${n}`);
}

async function loadFile(path: string, opts: ModelArgOptions): Promise<ModelGraph> {
  const importers = await loadImporters();
  // Sniff the first bytes before reading the rest: a file of the wrong kind is refused without reading it whole.
  const wrongKind = importers.checkFormat(basename(path), await readHead(path, 4096, 'model file'));
  if (wrongKind) throw new CliError(`cannot import ${echo(path)}: ${oneLine(wrongKind.message)}`);
  const data = await readBounded(path, importers.MAX_IMPORT_BYTES, 'model file');
  const result = await importers.importModel(basename(path), data, opts);
  if (!result.ok) {
    const e = result.error;
    const where = [e.line !== undefined ? `line ${e.line}` : '', e.column !== undefined ? `column ${e.column}` : '', e.node ? `node ${echo(e.node)}` : '']
      .filter(Boolean).join(', ');
    throw new CliError(`cannot import ${echo(path)} as ${e.format}: ${oneLine(e.message.split('\n')[0])}${where ? ` (${where})` : ''}`);
  }
  return result.graph;
}

async function loadImporters(): Promise<ImporterModule> {
  // Loaded only for model files: zoo models never pay for the importers (ONNX, StableHLO, HF configs).
  return (await import('../core/import/index.ts')) as ImporterModule;
}
