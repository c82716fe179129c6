/**
 * Consistency of a decoded ONNX model, checked once right after decoding (issue 17: byte-flipped files that still
 * decode came out with other op or layer counts and no warning): the default-domain opset in range, initializer
 * data matching its dims, value_info dims in range and not contradicting each other, and no dangling names (every
 * node input produced by an input, an initializer or an earlier node; every graph output produced; nothing
 * produced twice). The first few problems are reported, each naming the node, tensor or field.
 */
import type { ModelProto, TensorProto } from 'onnx-buf';
import { LIMITS } from '../boundary/limits.ts';
import { echo, summarise } from '../boundary/text.ts';

/** Highest default-domain opset accepted: ONNX 1.17 defines 22; room for a few releases. */
const MAX_OPSET = 30;

/** Bytes per element of TensorProto.DataType (0: undefined, strings and unknown types: not checked). */
const ELEMENT_BYTES: Readonly<Record<number, number>> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2 };

function initializerProblem(t: TensorProto): string | undefined {
  const name = `initializer '${echo(t.name, 60)}'`;
  let count = 1;
  for (const d of t.dims) {
    const n = Number(d);
    if (!Number.isSafeInteger(n) || n < 0 || n > LIMITS.dim.max) return `${name} has dimension ${d}; each must be in 0..2^40`;
    count *= n;
  }
  if (t.dataLocation === 1 || t.externalData.length > 0) return undefined; // weights in another file: not read
  const bytes = ELEMENT_BYTES[t.dataType];
  if (t.rawData.length > 0) {
    if (bytes !== undefined && t.rawData.length !== count * bytes) return `${name}: ${t.rawData.length} bytes of data for dims [${t.dims.join(', ')}] (${count * bytes} expected)`;
    return undefined;
  }
  const typed = t.floatData.length + t.int32Data.length + t.int64Data.length + t.doubleData.length + t.uint64Data.length + t.stringData.length;
  // Complex types store two numbers per element; int32Data packs 16- and 8-bit types one per entry.
  const perElement = t.dataType === 14 || t.dataType === 15 ? 2 : 1;
  if (typed > 0 && typed !== count * perElement) return `${name}: ${typed} values for dims [${t.dims.join(', ')}] (${count * perElement} expected)`;
  return undefined;
}

/** Problems of a decoded model; empty when it is consistent. */
export function onnxProblems(m: ModelProto): string[] {
  const out: string[] = [];
  const opset = m.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (opset) {
    const v = Number(opset.version);
    if (!Number.isInteger(v) || v < 1 || v > MAX_OPSET) out.push(`opset_import: default-domain opset ${opset.version} is outside 1..${MAX_OPSET}`);
  }
  const g = m.graph;
  if (!g) return out;
  for (const t of g.initializer) {
    const p = initializerProblem(t);
    if (p) out.push(p);
  }
  const shapes = new Map<string, string>();
  for (const v of [...g.input, ...g.valueInfo, ...g.output]) {
    if (v.type?.value.case !== 'tensorType') continue;
    const dims = v.type.value.value.shape?.dim ?? [];
    for (const d of dims) {
      if (d.value.case === 'dimValue' && (d.value.value < 0n || d.value.value > BigInt(LIMITS.dim.max))) {
        out.push(`value_info '${echo(v.name, 60)}' has dimension ${d.value.value}; each must be in 0..2^40`);
      }
    }
    const key = dims.map((d) => (d.value.case === 'dimValue' ? String(d.value.value) : '?')).join('x');
    const seen = shapes.get(v.name);
    if (seen !== undefined && seen !== key && !seen.includes('?') && !key.includes('?')) out.push(`value_info '${echo(v.name, 60)}' is given twice with different shapes (${seen} and ${key})`);
    shapes.set(v.name, key);
  }
  const available = new Set<string>([...g.input.map((i) => i.name), ...g.initializer.map((t) => t.name)]);
  const produced = new Map<string, string>();
  g.node.forEach((node, i) => {
    const label = `node '${echo(node.name || `#${i}`, 60)}' (${echo(node.opType, 30)})`;
    for (const name of node.input) {
      if (name !== '' && !available.has(name)) out.push(`${label} reads '${echo(name, 60)}', which no input, initializer or earlier node provides`);
    }
    for (const name of node.output) {
      if (name === '') continue;
      const prev = produced.get(name);
      if (prev) out.push(`'${echo(name, 60)}' is produced twice: by ${prev} and ${label}`);
      produced.set(name, label);
      available.add(name);
    }
  });
  for (const o of g.output) if (!available.has(o.name)) out.push(`graph output '${echo(o.name, 60)}' is produced by no node`);
  return out;
}

/** One message for the first problems, or undefined. */
export function onnxConsistency(m: ModelProto): string | undefined {
  const problems = onnxProblems(m);
  return problems.length ? `the decoded model is inconsistent (damaged file?): ${summarise(problems, 3)}` : undefined;
}
