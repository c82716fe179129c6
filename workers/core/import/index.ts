/**
 * Entry point of the importers: file name + bytes -> ModelGraph, by extension checked against the content.
 * Failures come back as values ({ ok: false, error }); no exception escapes.
 */
import type { ModelGraph } from '../ir/types.ts';
import { rebatch } from '../ir/rebatch.ts';
import { validateGraph } from '../ir/validate.ts';
import { graphProblem } from '../ir/bounds.ts';
import { summarise } from '../boundary/text.ts';
import { ImportFailure, MAX_IMPORT_BYTES, type ImportError, type ImportProgressCallback } from './errors.ts';
import { importHfConfig, looksLikeHfConfig } from './hfConfig.ts';
import { graphFromJson } from './json.ts';
import { importOnnx } from './onnx.ts';
import { SNIFF_NAMES, sniff, type Sniffed } from './sniff.ts';
import { importHlo } from './hlo.ts';
import { importStableHlo } from './stablehlo.ts';
import { decodeUtf8 } from './text.ts';

export type { ImportError, ImportProgress, ImportProgressCallback } from './errors.ts';
export { MAX_IMPORT_BYTES } from './errors.ts';

export type ImportResult = { ok: true; graph: ModelGraph; warnings: string[] } | { ok: false; error: ImportError };
export interface ImportOptions { readonly batch?: number; readonly seq?: number }

type Format = 'onnx' | 'stablehlo' | 'hlo' | 'json';
const EXTENSIONS: Readonly<Record<string, Format>> = {
  onnx: 'onnx', mlir: 'stablehlo', stablehlo: 'stablehlo', hlo: 'hlo', json: 'json',
};
const EXPECTED: Readonly<Record<Format, readonly Sniffed[]>> = {
  onnx: ['onnx', 'binary'], stablehlo: ['mlir', 'text'], hlo: ['hlo', 'text'], json: ['json', 'text'],
};
const FROM_SNIFF: Partial<Record<Sniffed, Format>> = { onnx: 'onnx', mlir: 'stablehlo', hlo: 'hlo', json: 'json' };

/** The size check, done on the byte count alone before anything is read or decoded. */
export function checkSize(fileName: string, byteLength: number): ImportError | undefined {
  if (byteLength > MAX_IMPORT_BYTES) {
    const gib = (byteLength / 1024 ** 3).toFixed(2);
    return { format: formatOf(fileName) ?? 'unknown', message: `${fileName} is ${gib} GiB; the import limit is 2 GiB (${MAX_IMPORT_BYTES} bytes). Export the graph without weights (ONNX external data) or as StableHLO text.` };
  }
  return undefined;
}

/**
 * Whether a file's first bytes (4 KiB suffice: see sniff.ts) fit its name and a known format; the CLI calls it on
 * the head of a file before reading the rest, importModel on the whole.
 */
export function checkFormat(fileName: string, head: Uint8Array): ImportError | undefined {
  const byName = formatOf(fileName);
  const content = sniff(head);
  if (content === 'empty') return { format: byName ?? 'unknown', message: `${fileName} is empty` };
  if (byName && !EXPECTED[byName].includes(content)) {
    const actual = FROM_SNIFF[content];
    return { format: byName, message: `${fileName} is named as ${byName} but holds ${SNIFF_NAMES[content]}${actual ? ` (a ${actual} file? rename it to .${actual === 'stablehlo' ? 'mlir' : actual})` : ''}` };
  }
  if (!byName && !FROM_SNIFF[content]) return { format: 'unknown', message: `${fileName}: unknown format (expected .onnx, .mlir StableHLO text, XLA HLO text (.hlo, .txt starting with HloModule), or .json: a Meshplan graph or a Hugging Face config.json)` };
  return undefined;
}

function formatOf(fileName: string): Format | undefined {
  const ext = /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase();
  return ext === undefined ? undefined : EXTENSIONS[ext];
}

function importJson(fileName: string, data: Uint8Array, opts: ImportOptions): ModelGraph {
  const text = decodeUtf8(data);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ImportFailure({ format: 'json', message: `${fileName} is not valid JSON: ${e instanceof Error ? e.message : String(e)}` });
  }
  if (looksLikeHfConfig(value)) return importHfConfig(fileName, value, opts);
  return graphFromJson(value);
}

/**
 * A file that fixes its batch (concrete ONNX dims, StableHLO shapes, JSON) is rebatched to the asked batch; a fixed
 * sequence length cannot change and is kept, with a warning.
 */
function resize(graph: ModelGraph, opts: ImportOptions): ModelGraph {
  const warnings = [...(graph.warnings ?? [])];
  let out = graph;
  if (opts.batch !== undefined && opts.batch !== graph.batch) {
    try {
      out = rebatch(graph, opts.batch);
    } catch (e) {
      throw new ImportFailure({ format: graph.source.split(':')[0] ?? 'unknown', message: `cannot rebatch to ${opts.batch}: ${e instanceof Error ? e.message : String(e)}` });
    }
    warnings.push(`the file is built for batch ${graph.batch}; rebatched to ${opts.batch}`);
  }
  if (opts.seq !== undefined && graph.seq !== undefined && opts.seq !== graph.seq) {
    warnings.push(`the file fixes sequence length ${graph.seq}; --seq ${opts.seq} is not applied`);
  }
  return warnings.length === (graph.warnings?.length ?? 0) ? out : { ...out, warnings };
}

export async function importModel(
  fileName: string,
  data: Uint8Array | { readonly byteLength: number },
  opts: ImportOptions = {},
  onProgress?: ImportProgressCallback,
): Promise<ImportResult> {
  const tooBig = checkSize(fileName, data.byteLength);
  if (tooBig) return { ok: false, error: tooBig };
  if (!(data instanceof Uint8Array)) return { ok: false, error: { format: formatOf(fileName) ?? 'unknown', message: `${fileName}: no bytes to read` } };
  const wrongKind = checkFormat(fileName, data);
  if (wrongKind) return { ok: false, error: wrongKind };
  const format = (formatOf(fileName) ?? FROM_SNIFF[sniff(data)])!;
  try {
    const imported = format === 'onnx' ? importOnnx(fileName, data, opts, onProgress)
      : format === 'stablehlo' ? importStableHlo(fileName, data, opts, onProgress)
        : format === 'hlo' ? importHlo(fileName, data, opts, onProgress)
        : importJson(fileName, data, opts);
    const graph = resize(imported, opts);
    const check = validateGraph(graph);
    // Dims guessed where no shape could be inferred (NonZero's data-dependent size) are the usual cause: say so.
    const guessed = (graph.warnings ?? []).find((w) => /could not be inferred/.test(w));
    if (!check.ok) return { ok: false, error: { format, message: `${fileName}: the imported graph is inconsistent: ${summarise(check.errors, 3)}${guessed ? `; where it starts: ${guessed}` : ''}` } };
    const unplannable = graphProblem(graph);
    if (unplannable) return { ok: false, error: { format, message: `${fileName}: ${unplannable}` } };
    return { ok: true, graph, warnings: [...(graph.warnings ?? [])] };
  } catch (e) {
    if (e instanceof ImportFailure) return { ok: false, error: e.importError };
    // Anything else is a bug in an importer; it still comes back as a value, marked as internal.
    return { ok: false, error: { format, message: `internal error while importing ${fileName}: ${e instanceof Error ? e.message : String(e)}` } };
  }
}
