/**
 * The `--model` argument shared by every command: 'zoo:NAME' (the model zoo) or a path to a model file
 * (.onnx, .mlir, .json, config.json), read and handed to the importers. Problems become one-line CliErrors.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { basename } from 'node:path';
import type { ModelGraph } from '../core/ir/types.ts';
import { CliError } from './args.ts';

export interface ModelArgOptions {
  readonly batch?: number;
  readonly seq?: number;
}

/** The importers' entry (workers/core/import/index.ts), typed here so the CLI does not need it to compile. */
interface ImporterModule {
  importModel(fileName: string, data: Uint8Array, opts?: ModelArgOptions): Promise<
    | { ok: true; graph: ModelGraph; warnings: string[] }
    | { ok: false; error: { message: string; format: string; line?: number; column?: number; node?: string } }
  >;
}

export async function loadModelArg(spec: string, opts: ModelArgOptions = {}): Promise<ModelGraph> {
  if (spec.startsWith('zoo:')) return loadZoo(spec.slice(4), opts);
  return loadFile(spec, opts);
}

async function loadZoo(name: string, opts: ModelArgOptions): Promise<ModelGraph> {
  const { zooModel, ZOO_NAMES, ZooError } = await import('../core/zoo/index.ts');
  try {
    return zooModel(name, opts);
  } catch (err) {
    if (!(err instanceof ZooError)) throw err;
    if (!ZOO_NAMES.some((n) => n.toLowerCase() === name.toLowerCase())) {
      throw new CliError(`unknown zoo model '${name}' (try: ${suggestions(name, ZOO_NAMES).join(', ')}; ${ZOO_NAMES.length} in all)`);
    }
    throw new CliError(err.message);
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
  let data: Uint8Array;
  try {
    data = new Uint8Array(await readFile(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`model file not found: ${path}`);
    if (code === 'EISDIR') throw new CliError(`model path is a directory, not a file: ${path}`);
    throw new CliError(`cannot read model file ${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  const importers = await loadImporters();
  const result = await importers.importModel(basename(path), data, opts);
  if (!result.ok) {
    const e = result.error;
    const where = [e.line !== undefined ? `line ${e.line}` : '', e.column !== undefined ? `column ${e.column}` : '', e.node ? `node ${e.node}` : '']
      .filter(Boolean).join(', ');
    throw new CliError(`cannot import ${path} as ${e.format}: ${e.message.split('\n')[0]}${where ? ` (${where})` : ''}`);
  }
  return result.graph;
}

async function loadImporters(): Promise<ImporterModule> {
  // A computed specifier: the importers are another owner's module and may not exist in this checkout yet.
  const url = new URL('../core/import/index.ts', import.meta.url);
  if (!existsSync(fileURLToPath(url))) {
    throw new CliError('importers not available yet (workers/core/import/index.ts is missing); use --model zoo:NAME');
  }
  return (await import(url.href)) as ImporterModule;
}
