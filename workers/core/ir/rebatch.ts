/**
 * rebatch(graph, batch): the same graph for another batch size (a micro-batch, a bigger global batch). Tensors
 * with a batchDim get that dim scaled by batch / graph.batch; every op's FLOPs and bytes are scaled by how its
 * cost formula changes between the old and the new shapes, so importer-given costs stay proportional.
 * A dim that would become fractional (e.g. MoE token groups of 2048 when the micro-batch has 1024 tokens) is
 * rounded to a whole size >= 1 in the shape, while FLOPs and bytes use the exact scale.
 */
import type { ModelGraph, Op, Tensor } from './types.ts';
import { batchDimsOf } from './batchDims.ts';
import { opBytesRead, opBytesWritten, opFlops, type TensorShape } from './flops.ts';

export class RebatchError extends Error {}

/** `lazyOps`: each op is rescaled when first read (lazyArray), for a graph only priced, of which a search reads the
 * ops of a few units; a graph that is kept, cloned or serialised is rebatched eagerly (the default). */
export function rebatch(graph: ModelGraph, batch: number, lazyOps = false): ModelGraph {
  if (!Number.isInteger(batch) || batch <= 0) throw new RebatchError(`batch must be a positive integer, got ${batch}`);
  if (batch === graph.batch) return graph;
  const scale = batch / graph.batch;
  const exact = new Map<string, TensorShape>();
  const { carries, old } = graphFacts(graph);
  const tensors: Tensor[] = graph.tensors.map((t) => {
    const dims = carries.get(t.id);
    if (t.batchDim === undefined || !dims?.length) return t;
    const shape = t.shape.map((d, i) => (dims.includes(i) ? d * scale : d));
    exact.set(t.id, { shape, dtype: t.dtype });
    const batchDim = dims.includes(t.batchDim) ? t.batchDim : dims[0];
    return { ...t, shape: shape.map((d) => (Number.isInteger(d) ? d : Math.max(1, Math.round(d)))), ...(batchDim === undefined ? {} : { batchDim }) };
  });
  const rescaled = (op: Op): Op => {
    const touches = op.inputs.some((i) => exact.has(i)) || op.outputs.some((o) => exact.has(o));
    if (!touches) return op;
    const before = (ids: readonly string[]) => ids.map((i) => old.get(i)).filter((t): t is Tensor => t !== undefined);
    const after = (ids: readonly string[]) => ids.map((i) => exact.get(i) ?? old.get(i)).filter((t): t is TensorShape => t !== undefined);
    const [inOld, outOld, inNew, outNew] = [before(op.inputs), before(op.outputs), after(op.inputs), after(op.outputs)];
    return {
      ...op,
      flops: rescale(op.flops, opFlops(op.kind, op.attrs, inOld, outOld), opFlops(op.kind, op.attrs, inNew, outNew), scale),
      bytesRead: rescale(op.bytesRead, opBytesRead(op.kind, inOld, outOld), opBytesRead(op.kind, inNew, outNew), scale),
      bytesWritten: rescale(op.bytesWritten, opBytesWritten(op.kind, outOld), opBytesWritten(op.kind, outNew), scale),
    };
  };
  const config = graph.config && 'batch' in graph.config ? { ...graph.config, batch } : graph.config;
  return { ...graph, batch, tensors, ops: lazyOps ? lazyArray(graph.ops.length, (k) => rescaled(graph.ops[k])) : graph.ops.map(rescaled), ...(config ? { config } : {}) };
}

/** What rebatch reads of a graph whatever the batch: which dims carry it (ir/batchDims.ts) and the tensors by id;
 * computed once per graph (a search rebatches one graph to every micro-batch size it tries). */
const factsMemo = new WeakMap<ModelGraph, { carries: Map<string, readonly number[]>; old: Map<string, Tensor> }>();

function graphFacts(graph: ModelGraph) {
  let facts = factsMemo.get(graph);
  if (!facts) factsMemo.set(graph, (facts = { carries: batchDimsOf(graph), old: new Map(graph.tensors.map((t) => [t.id, t])) }));
  return facts;
}

/**
 * `Array.from({ length }, (_, i) => f(i))`, each element computed when first read: for an array of which a caller
 * reads few elements and that must stay an array (a search prices the ops of a few distinct units of a rebatched
 * graph, whose `ops` every pass reads by index). Each element costs an accessor until read. Reading, iterating,
 * mapping, spreading and comparing the array behave as on the mapped array (the elements are own, enumerable accessor
 * properties that become plain values once read); do not write it.
 */
function lazyArray<U>(length: number, f: (index: number) => U): U[] {
  const out = new Array<U>(length);
  for (let i = 0; i < length; i++) {
    Object.defineProperty(out, i, {
      configurable: true, enumerable: true,
      get() {
        const value = f(i);
        Object.defineProperty(out, i, { value, configurable: true, enumerable: true, writable: true });
        return value;
      },
    });
  }
  return out;
}

/** value x (formula after / formula before); when the formula gives 0 (unknown op) scale linearly. */
function rescale(value: number, formulaBefore: number, formulaAfter: number, scale: number): number {
  if (value === 0) return 0;
  return formulaBefore > 0 ? value * (formulaAfter / formulaBefore) : value * scale;
}
