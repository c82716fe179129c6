/**
 * ONNX -> IR. Decodes with onnx-buf (weights are never read: initializers may point at absent external data),
 * drops shape-only / constant-folding subgraphs, sizes every op from value_info or our own inference, and takes
 * layer paths from the exporter's name scopes (or '/'-separated node names).
 */
import { fromBinary } from '@bufbuild/protobuf';
import { onnxConsistency } from './onnxCheck.ts';
import { ModelProtoSchema, type GraphProto, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from 'onnx-buf';
import type { DType, ModelGraph } from '../ir/types.ts';
import { constantBatchDim, GraphAssembler, unknownOpWarnings } from './assemble.ts';
import { emitWithBias, splitParts } from './onnxEmit.ts';
import { fail, type ImportProgressCallback } from './errors.ts';
import { emitAttention } from './onnxAttention.ts';
import { mapOnnxNode } from './onnxOps.ts';
import { foldValues } from './onnxFold.ts';
import { inferDtypes, inferShapes, type Val } from './onnxShapes.ts';
import { isFloat, onnxDtype, tensorDims, tensorValues, typeShape, type Dim } from './onnxValues.ts';
import { onnxLayerPaths } from './onnxPaths.ts';
import { nonZeroEstimate, routingOf, type Routing } from './onnxRouting.ts';
import { allNodes, chosenBranch, parameterNames, topoOrder } from './onnxGraph.ts';

const FORMAT = 'onnx';
/** Ops whose outputs depend only on shapes or attributes, never on tensor values. */
const ALWAYS_STATIC = new Set(['Constant', 'Shape', 'Size', 'SequenceLength']);
/** Ops that forward their first input unchanged. */
const ALIAS_OPS = new Set(['Identity', 'Dropout', 'Optional', 'OptionalGetElement']);
/** Inputs read only for their dtype or shape: they do not make an op data-dependent. */
const TYPE_ONLY_INPUTS: Readonly<Record<string, number>> = { CastLike: 1 };

interface Value extends Val {
  /** Depends only on constants and shapes: folded away, never a graph op. */
  static: boolean;
  /** Descends from a graph input (scales with the batch). */
  data: boolean;
  kind: 'input' | 'parameter' | 'constant' | 'activation';
  tensorId?: string;
  /** Elements of a sequence value (SplitToSequence). */
  seq?: string[];
  /** A mixture-of-experts routing mask traced from TopK's expert indices (onnxRouting.ts). */
  routing?: Routing;
  /** Dims whose size is an expectation (NonZero over a routing mask), the last of which carries the batch. */
  estimatedDims?: number[];
}

export interface ImportOptions {
  batch?: number;
  seq?: number;
  /** Receives the value_info check: outputs where both the file and our inference give a shape, and where they differ. */
  shapeReport?: (r: ShapeReport) => void;
}

export interface ShapeReport {
  compared: number;
  disagreements: string[];
  /** Outputs whose shape neither value_info nor our inference gives. */
  unknown: string[];
}

function decode(data: Uint8Array): ModelProto {
  let m: ModelProto;
  try {
    m = fromBinary(ModelProtoSchema, data);
  } catch (e) {
    fail(FORMAT, `not a valid ONNX protobuf (${e instanceof Error ? e.message : String(e)}); the file may be truncated or not an ONNX model`);
  }
  if (!m.graph || (m.graph.node.length === 0 && m.graph.input.length === 0)) {
    fail(FORMAT, 'the file decodes as protobuf but holds no ONNX graph (no nodes, no inputs)');
  }
  const inconsistent = onnxConsistency(m);
  if (inconsistent) fail(FORMAT, inconsistent);
  return m;
}

function batchDimOf(shape: readonly number[], batch: number): number | undefined {
  if (shape.length && shape[0]! >= batch && shape[0]! % batch === 0) return 0;
  const i = shape.indexOf(batch);
  return i >= 0 ? i : undefined;
}

export function importOnnx(fileName: string, data: Uint8Array, opts: ImportOptions = {}, onProgress?: ImportProgressCallback): ModelGraph {
  onProgress?.({ phase: 'decode', done: 0, total: 1 });
  const model = decode(data);
  const g = model.graph!;
  const stem = fileName.replace(/^.*[\\/]/, '').replace(/\.onnx$/i, '') || 'model';
  const warnings: string[] = [];
  const vi = new Map<string, ValueInfoProto>();
  for (const v of [...g.valueInfo, ...g.input, ...g.output]) vi.set(v.name, v);
  const initNames = new Set(g.initializer.map((t) => t.name));
  const params = parameterNames(g, vi);

  // Symbolic dims of the graph inputs: batch first, sequence second (for token-id inputs), by name otherwise.
  const sym = new Map<string, 'batch' | 'seq'>();
  let fileBatch: number | undefined, fileSeq: number | undefined;
  for (const input of g.input.filter((i) => !initNames.has(i.name))) {
    const { dims, dtype } = typeShape(input.type);
    (dims ?? []).forEach((d, i) => {
      const tokens = dtype !== undefined && !isFloat(dtype) && dims!.length === 2;
      if (typeof d === 'string') {
        if (/seq|len|token|time/i.test(d) || (i === 1 && tokens)) sym.set(d, 'seq');
        else if (/batch|^[nb]$/i.test(d) || i === 0) sym.set(d, 'batch');
      } else if (typeof d === 'number') {
        if (i === 0) fileBatch ??= d;
        if (i === 1 && tokens) fileSeq ??= d;
      }
    });
  }
  const batch = Math.max(1, fileBatch ?? opts.batch ?? 1);
  const seqLen = fileSeq ?? opts.seq;
  const resolve = (d: Dim): number | undefined => {
    if (typeof d === 'number') return d >= 0 ? d : undefined;
    const s = d === undefined ? undefined : sym.get(d);
    return s === 'batch' ? (opts.batch ?? batch) : s === 'seq' ? opts.seq ?? seqLen : undefined;
  };
  const viShape = (name: string): { shape?: (number | undefined)[]; dtype?: DType } => {
    const { dims, dtype } = typeShape(vi.get(name)?.type);
    return { shape: dims?.map(resolve), dtype };
  };

  const asm = new GraphAssembler();
  const values = new Map<string, Value>();
  const addInitializer = (init: TensorProto): void => {
    const dims = tensorDims(init);
    const dtype = typeShape(vi.get(init.name)?.type).dtype ?? onnxDtype(init.dataType);
    const param = params.has(init.name);
    values.set(init.name, { shape: dims, dtype, values: param ? undefined : tensorValues(init), static: !param, data: false, kind: param ? 'parameter' : 'constant' });
  };
  g.initializer.forEach(addInitializer);
  for (const input of g.input.filter((i) => !initNames.has(i.name))) {
    const { shape, dtype } = viShape(input.name);
    if (shape?.some((d) => d === undefined)) warnings.push(`onnx: input '${input.name}' has unknown dims; taken as 1`);
    values.set(input.name, { shape: (shape ?? [batch]).map((d) => d ?? 1), dtype: dtype ?? 'f32', static: false, data: true, kind: 'input' });
  }

  const tensorOf = (name: string): string => {
    const v = values.get(name)!;
    if (v.tensorId === undefined) {
      const shape = v.shape ?? [];
      const batchDim = v.estimatedDims ? (v.data ? v.estimatedDims.at(-1) : undefined) : v.data ? batchDimOf(shape, batch) : constantBatchDim(shape, v.kind, batch);
      v.tensorId = asm.tensor({ name, shape, dtype: v.dtype, kind: v.kind, batchDim, ...(v.estimatedDims ? { estimatedDims: v.estimatedDims } : {}) });
    }
    return v.tensorId;
  };

  const report: ShapeReport = { compared: 0, disagreements: [], unknown: [] };
  const unknown = new Map<string, number>();
  let guessed = 0, undefinedInputs = 0;
  const estimates = new Map<string, string[]>();
  const nodes = topoOrder(g.node);
  const layerPath = onnxLayerPaths(stem, allNodes(g), new Set([...params].filter((n) => /^[A-Za-z_]\w*(\.\w+)+$/.test(n))));
  /** An If whose condition folds to a constant: its chosen branch's nodes run in its place, its outputs alias the branch's. */
  const inlineBranch = (branch: GraphProto, node: NodeProto, index: number): void => {
    for (const v of [...branch.valueInfo, ...branch.output]) if (!vi.has(v.name)) vi.set(v.name, v);
    branch.initializer.forEach(addInitializer);
    for (const n of topoOrder(branch.node)) visit(n, index, node);
    branch.output.forEach((o, i) => { const v = values.get(o.name); if (v && node.output[i]) values.set(node.output[i]!, v); });
  };
  const visit = (node: NodeProto, index: number, parent?: NodeProto): void => {
    if (index % 2000 === 0 && !parent) onProgress?.({ phase: 'operators', done: index, total: nodes.length });
    // Nodes of an inlined branch without name scopes of their own sit where their If sits.
    const onnxLayerPath = (n: NodeProto) => layerPath(parent && !n.metadataProps.length && !n.name.includes('/') ? parent : n);
    const ins = node.input.map((name): Value | undefined => {
      if (!name) return undefined;
      let v = values.get(name);
      if (!v) {
        undefinedInputs++;
        const { shape, dtype } = viShape(name);
        v = { shape: shape?.map((d) => d ?? 1), dtype: dtype ?? 'f32', static: true, data: false, kind: 'constant' };
        values.set(name, v);
      }
      return v;
    });
    if (node.opType === 'If') {
      const branch = chosenBranch(node, ins[0]?.static ? ins[0].values : undefined);
      if (branch) { inlineBranch(branch, node, index); return; }
    }
    const present = ins.filter((v, i): v is Value => v !== undefined && TYPE_ONLY_INPUTS[node.opType] !== i);
    const first = ins[0];
    if (ALIAS_OPS.has(node.opType) && first && node.output[0]) {
      values.set(node.output[0], first);
      return;
    }
    if (node.opType === 'SequenceAt' && first?.seq) {
      const i = ins[1]?.values?.[0] ?? 0;
      const el = values.get(first.seq[i < 0 ? i + first.seq.length : i] ?? '');
      if (el && node.output[0]) { values.set(node.output[0], el); return; }
    }
    const isStatic = ALWAYS_STATIC.has(node.opType) || (present.length > 0 && present.every((v) => v.static));
    const estimate = node.opType === 'NonZero' ? nonZeroEstimate(first, batch) : undefined;
    if (estimate) estimates.set(estimate.assumption, [...(estimates.get(estimate.assumption) ?? []), node.name || node.output[0]!]);
    const inferred = estimate ? [estimate.shape] : inferShapes(node, ins as Val[]);
    const dtypes = inferDtypes(node, ins as Val[]);
    const outShapes = node.output.map((name, i): number[] => {
      const fromVi = viShape(name).shape;
      const inf = inferred[i];
      if (fromVi && fromVi.every((d) => d !== undefined)) {
        if (inf && name) {
          report.compared++;
          if (inf.join() !== fromVi.join()) report.disagreements.push(`${node.opType} '${node.name || name}': output '${name}' inferred [${inf.join(', ')}], value_info says [${fromVi.join(', ')}]`);
        }
        return fromVi as number[];
      }
      if (inf) return inf;
      if (!name) return [1]; // an omitted optional output
      report.unknown.push(`${node.opType} '${node.name || name}' output '${name}'`);
      if (!isStatic) guessed++;
      return (fromVi ?? first?.shape ?? [1]).map((d) => d ?? 1);
    });
    if (isStatic) {
      node.output.forEach((name, i) => {
        if (!name) return;
        const shape = outShapes[i]!;
        const val: Val = { shape, dtype: viShape(name).dtype ?? dtypes[i]! };
        values.set(name, { ...val, values: i === 0 ? foldValues(node, ins as Val[], shape) : undefined, static: true, data: false, kind: 'constant' });
      });
      return;
    }
    // Which experts are hit does not grow with the batch: those values carry no batch dim.
    const data = present.some((v) => v.data) && estimate?.perToken !== false;
    let outputs = node.output;
    if (node.opType === 'SplitToSequence' && first?.shape) {
      const parts = splitParts(first.shape, ins[1]?.values, node);
      outputs = parts.map((_, i) => `${node.output[0]}[${i}]`);
      parts.forEach((shape, i) => values.set(outputs[i]!, { shape, dtype: first.dtype, static: false, data, kind: 'activation' }));
      values.set(node.output[0]!, { dtype: first.dtype, static: false, data, kind: 'activation', seq: outputs });
    } else {
      node.output.forEach((name, i) => {
        if (!name) return;
        const routing = routingOf(node, ins, i, outShapes[i]);
        values.set(name, { shape: outShapes[i], dtype: viShape(name).dtype ?? dtypes[i]!, static: false, data, kind: 'activation', ...(routing ? { routing } : {}), ...(estimate ? { estimatedDims: [1] } : {}) });
      });
    }
    const inputIds = node.input.filter((n) => n && !values.get(n)!.seq).map(tensorOf);
    const outputIds = outputs.filter((n) => n).map(tensorOf);
    const inShapes = node.input.map((n) => (n ? values.get(n)?.shape : undefined));
    const mapped = mapOnnxNode(node, inShapes, outputs.filter((n) => n).map((n) => values.get(n)!.shape ?? []));
    if (!mapped) unknown.set(node.opType, (unknown.get(node.opType) ?? 0) + 1);
    const isAttention = node.opType === 'Attention' || node.opType === 'MultiHeadAttention';
    if (isAttention && node.input[0] && node.input[1] && node.input[2] && outputIds[0]) {
      const [q, k, v] = node.input.slice(0, 3).map(tensorOf) as [string, string, string];
      if (emitAttention(asm, { name: node.name || `${node.opType}_${index}`, path: onnxLayerPath(node), q, k, v, out: outputIds[0] })) return;
    }
    const bias = mapped && (mapped.kind === 'conv' || node.opType === 'Gemm') ? node.input[2] : undefined;
    if (mapped && bias && outputIds.length === 1) {
      emitWithBias(asm, { node, name: node.name || `${node.opType}_${index}`, path: onnxLayerPath(node), mapped, inputIds, out: outputIds[0]!, bias: values.get(bias)!.static ? undefined : tensorOf(bias) });
      return;
    }
    asm.op({
      name: node.name || `${node.opType}_${index}`,
      kind: mapped?.kind ?? 'unknown',
      attrs: mapped?.attrs ?? { kind: 'unknown', sourceOp: node.domain ? `${node.domain}.${node.opType}` : node.opType },
      flops: mapped?.flops ?? 0,
      ...(mapped ? {} : { bytesRead: 0, bytesWritten: 0 }),
      inputs: inputIds,
      outputs: outputIds,
      path: onnxLayerPath(node),
    });
  };
  nodes.forEach((node, index) => visit(node, index));
  onProgress?.({ phase: 'operators', done: nodes.length, total: nodes.length });
  opts.shapeReport?.(report);
  const nd = report.disagreements.length;
  if (nd) warnings.push(`onnx: ${nd} output shape${nd > 1 ? 's' : ''} of the file's value_info differ from the ONNX operator spec's (value_info taken): ${report.disagreements.slice(0, 3).join('; ')}${nd > 3 ? '; ...' : ''}`);
  for (const [assumption, names] of estimates) warnings.push(`onnx: ${names.length} NonZero output${names.length > 1 ? 's' : ''} sized by expectation, not exactly (data-dependent; dims marked estimated): ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''}; assumes ${assumption}`);
  if (guessed) warnings.push(`onnx: ${guessed} output shapes could not be inferred (${report.unknown.slice(0, 2).join('; ')}${report.unknown.length > 2 ? '; ...' : ''}); unknown dims taken as 1`);
  if (undefinedInputs) warnings.push(`onnx: ${undefinedInputs} node inputs are never defined; treated as constants`);
  warnings.push(...unknownOpWarnings(unknown, FORMAT));
  if (asm.ops.length === 0) fail(FORMAT, 'the ONNX graph has no operators left after folding constants');
  return asm.finish({
    name: stem, source: `onnx:${fileName.replace(/^.*[\\/]/, '')}`, batch,
    ...(seqLen === undefined ? {} : { seq: seqLen }),
    training: { optimizer: 'adam', explicitBackward: false }, warnings,
  });
}
