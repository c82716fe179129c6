/**
 * GraphBuilder: the one way zoo generators, importers and tests make a ModelGraph. It infers output shapes and
 * batch dims for the common op kinds, and computes each op's FLOPs and bytes (workers/core/ir/flops.ts) from the
 * shapes. The builder object holds mutable state while building; build() returns plain, serialisable data.
 */
import type {
  ConvAttrs, DType, DotAttrs, ModelGraph, Op, OpAttrs, OpKind, OpPhase, Tensor, TensorKind, TrainingSpec,
} from './types.ts';
import { opBytesRead, opBytesWritten, opFlops } from './flops.ts';
import { broadcastShapes, convOutputShape, dotOutputDim, dotOutputShape, formatShape, poolOutputShape } from './shapes.ts';

/** The graph-level fields of the ModelGraph to build; training defaults to Adam, backward derived. */
export type GraphMeta = Pick<ModelGraph, 'name' | 'source' | 'family' | 'config' | 'batch' | 'seq' | 'warnings'> & {
  readonly training?: TrainingSpec | null;
};

export interface TensorSpec {
  readonly id?: string;
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly kind: TensorKind;
  readonly batchDim?: number;
}

/** A new output tensor of an op: kind 'activation'; dtype defaults to the op's first input's. */
export interface OutputSpec {
  readonly id?: string;
  readonly name?: string;
  readonly shape: readonly number[];
  readonly dtype?: DType;
  readonly batchDim?: number;
}

export interface OpSpec {
  readonly id?: string;
  readonly kind: OpKind;
  readonly path: string;
  readonly name?: string;
  readonly attrs: OpAttrs;
  readonly inputs: readonly string[];
  /** Existing tensor ids (made with tensor()) or specs of new activations. */
  readonly outputs: readonly (string | OutputSpec)[];
  readonly phase?: OpPhase;
  readonly pairedPath?: string;
  /** Override the computed costs (importers that know better). */
  readonly flops?: number;
  readonly bytesRead?: number;
  readonly bytesWritten?: number;
}

/** Options of the shape-inferring helpers. batchDim: null = the output does not scale with the batch. */
export interface OpOptions {
  readonly name?: string;
  readonly phase?: OpPhase;
  readonly pairedPath?: string;
  readonly dtype?: DType;
  readonly batchDim?: number | null;
}

export type DotDims = Partial<Pick<DotAttrs, 'lhsBatch' | 'rhsBatch'>> & Pick<DotAttrs, 'lhsContract' | 'rhsContract'>;

export class GraphBuilderError extends Error {}

export class GraphBuilder {
  private readonly tensorList: Tensor[] = [];
  private readonly opList: Op[] = [];
  private readonly tensorById = new Map<string, Tensor>();
  private readonly opIds = new Set<string>();

  constructor(private readonly meta: GraphMeta) {}

  tensor(spec: TensorSpec): string {
    const id = spec.id ?? `t${this.tensorList.length}`;
    if (this.tensorById.has(id)) throw new GraphBuilderError(`duplicate tensor id '${id}' (${spec.name})`);
    const t: Tensor = { id, name: spec.name, shape: [...spec.shape], dtype: spec.dtype, kind: spec.kind, ...(spec.batchDim === undefined ? {} : { batchDim: spec.batchDim }) };
    this.tensorList.push(t);
    this.tensorById.set(id, t);
    return id;
  }

  input(name: string, shape: readonly number[], dtype: DType, batchDim?: number): string {
    return this.tensor({ name, shape, dtype, kind: 'input', batchDim });
  }

  param(name: string, shape: readonly number[], dtype: DType): string {
    return this.tensor({ name, shape, dtype, kind: 'parameter' });
  }

  constant(name: string, shape: readonly number[], dtype: DType, batchDim?: number): string {
    return this.tensor({ name, shape, dtype, kind: 'constant', batchDim });
  }

  get(id: string): Tensor {
    const t = this.tensorById.get(id);
    if (!t) throw new GraphBuilderError(`unknown tensor '${id}'`);
    return t;
  }

  shape(id: string): readonly number[] {
    return this.get(id).shape;
  }

  /** Adds an op; returns the ids of its outputs. Costs come from the shapes unless the spec gives them. */
  op(spec: OpSpec): string[] {
    const id = spec.id ?? `o${this.opList.length}`;
    if (this.opIds.has(id)) throw new GraphBuilderError(`duplicate op id '${id}' (${spec.path})`);
    const inputs = spec.inputs.map((i) => this.get(i));
    const outputIds = spec.outputs.map((o, k) => typeof o === 'string' ? o : this.tensor({
      id: o.id, name: o.name ?? (spec.outputs.length > 1 ? `${spec.path}:${k}` : spec.path), shape: o.shape,
      dtype: o.dtype ?? inputs[0]?.dtype ?? 'f32', kind: 'activation', batchDim: o.batchDim,
    }));
    const outputs = outputIds.map((o) => this.get(o));
    const op: Op = {
      id, name: spec.name ?? spec.path, kind: spec.kind, inputs: [...spec.inputs], outputs: outputIds, attrs: spec.attrs,
      flops: spec.flops ?? opFlops(spec.kind, spec.attrs, inputs, outputs),
      bytesRead: spec.bytesRead ?? opBytesRead(spec.kind, inputs, outputs),
      bytesWritten: spec.bytesWritten ?? opBytesWritten(spec.kind, outputs),
      path: spec.path, phase: spec.phase ?? 'forward', ...(spec.pairedPath ? { pairedPath: spec.pairedPath } : {}),
    };
    this.opIds.add(id);
    this.opList.push(op);
    return outputIds;
  }

  /** Single-output op with an inferred or given batch dim. */
  private unary(kind: OpKind, path: string, attrs: OpAttrs, inputs: readonly string[], shape: readonly number[], inferredBatchDim: number | undefined, o: OpOptions): string {
    const batchDim = o.batchDim === null ? undefined : o.batchDim ?? inferredBatchDim;
    return this.op({
      kind, path, attrs, inputs, name: o.name, phase: o.phase, pairedPath: o.pairedPath,
      outputs: [{ shape, dtype: o.dtype, batchDim }],
    })[0];
  }

  dot(path: string, lhs: string, rhs: string, dims: DotDims, o: OpOptions = {}): string {
    const attrs: DotAttrs = { kind: 'dot', lhsBatch: dims.lhsBatch ?? [], rhsBatch: dims.rhsBatch ?? [], lhsContract: dims.lhsContract, rhsContract: dims.rhsContract };
    const l = this.get(lhs);
    const r = this.get(rhs);
    const bd = l.batchDim !== undefined ? dotOutputDim('lhs', l.batchDim, l.shape.length, attrs)
      : r.batchDim !== undefined ? dotOutputDim('rhs', r.batchDim, l.shape.length, attrs) : undefined;
    return this.unary('dot', path, attrs, [lhs, rhs], dotOutputShape(l.shape, r.shape, attrs), bd, o);
  }

  /** x[..., K] @ w[K, N] -> [..., N]: the dense layer. */
  linear(path: string, x: string, w: string, o: OpOptions = {}): string {
    return this.dot(path, x, w, { lhsContract: [this.shape(x).length - 1], rhsContract: [0] }, o);
  }

  /** NCHW convolution with an OIHW kernel; padding is [low, high] per spatial dim. */
  conv2d(path: string, x: string, w: string, strides: readonly [number, number], padding: readonly (readonly [number, number])[], o: OpOptions = {}): string {
    const attrs: ConvAttrs = {
      kind: 'conv', inputBatchDim: 0, inputFeatureDim: 1, inputSpatialDims: [2, 3], kernelOutputFeatureDim: 0,
      kernelInputFeatureDim: 1, kernelSpatialDims: [2, 3], outputBatchDim: 0, outputFeatureDim: 1, outputSpatialDims: [2, 3],
      featureGroupCount: 1, strides, padding,
    };
    const shape = convOutputShape(this.shape(x), this.shape(w), attrs);
    return this.unary('conv', path, attrs, [x, w], shape, this.get(x).batchDim === 0 ? 0 : undefined, o);
  }

  /** Elementwise with numpy broadcasting (inputs aligned at their trailing dims). */
  elementwise(path: string, fn: string, inputs: readonly string[], o: OpOptions = {}): string {
    const ts = inputs.map((i) => this.get(i));
    const shape = broadcastShapes(ts.map((t) => t.shape));
    if (!shape) throw new GraphBuilderError(`${path}: inputs do not broadcast: ${ts.map((t) => formatShape(t.shape)).join(' vs ')}`);
    const withBatch = ts.find((t) => t.batchDim !== undefined);
    const bd = withBatch ? shape.length - withBatch.shape.length + (withBatch.batchDim ?? 0) : undefined;
    return this.unary('elementwise', path, { kind: 'elementwise', fn }, inputs, shape, bd, o);
  }

  reduce(path: string, x: string, dims: readonly number[], reducer: 'sum' | 'max' | 'min' | 'mean' | 'other', extraInputs: readonly string[] = [], o: OpOptions = {}): string {
    const t = this.get(x);
    const shape = t.shape.filter((_, i) => !dims.includes(i));
    const bd = t.batchDim === undefined || dims.includes(t.batchDim) ? undefined : t.batchDim - dims.filter((d) => d < (t.batchDim ?? 0)).length;
    return this.unary('reduce', path, { kind: 'reduce', dims, reducer }, [x, ...extraInputs], shape, bd, o);
  }

  softmax(path: string, x: string, axis: number, o: OpOptions = {}): string {
    return this.unary('softmax', path, { kind: 'axis', axis }, [x], this.shape(x), this.get(x).batchDim, o);
  }

  /** Layer norm (scale, bias) or RMS norm (scale) over the trailing `axes`. */
  norm(path: string, x: string, weights: readonly string[], axes: readonly number[], rms = false, o: OpOptions = {}): string {
    return this.unary('layernorm', path, { kind: 'norm', axes, ...(rms ? { rms } : {}) }, [x, ...weights], this.shape(x), this.get(x).batchDim, o);
  }

  batchnorm(path: string, x: string, weights: readonly string[], o: OpOptions = {}): string {
    return this.unary('batchnorm', path, { kind: 'none' }, [x, ...weights], this.shape(x), this.get(x).batchDim, o);
  }

  pool(path: string, x: string, window: readonly number[], strides: readonly number[], fn: 'max' | 'avg', padding?: readonly (readonly [number, number])[], o: OpOptions = {}): string {
    const attrs = { kind: 'pool' as const, window, strides, fn, ...(padding ? { padding } : {}) };
    return this.unary('pool', path, attrs, [x], poolOutputShape(this.shape(x), attrs), this.get(x).batchDim, o);
  }

  /** Reshape keeps the input's batch dim index unless o.batchDim says otherwise. */
  reshape(path: string, x: string, shape: readonly number[], o: OpOptions = {}): string {
    return this.unary('reshape', path, { kind: 'none' }, [x], shape, this.get(x).batchDim, o);
  }

  transpose(path: string, x: string, perm: readonly number[], o: OpOptions = {}): string {
    const t = this.get(x);
    const bd = t.batchDim === undefined ? undefined : perm.indexOf(t.batchDim);
    return this.unary('transpose', path, { kind: 'transpose', perm }, [x], perm.map((p) => t.shape[p]), bd, o);
  }

  /** Operand dim i goes to output dim dims[i]. */
  broadcast(path: string, x: string, shape: readonly number[], dims: readonly number[], o: OpOptions = {}): string {
    const t = this.get(x);
    const bd = t.batchDim === undefined ? undefined : dims[t.batchDim];
    return this.unary('broadcast', path, { kind: 'broadcast', dims }, [x], shape, bd, o);
  }

  /** Slice `size` elements along `axis`. */
  slice(path: string, x: string, axis: number, size: number, o: OpOptions = {}): string {
    const t = this.get(x);
    const shape = t.shape.map((d, i) => (i === axis ? size : d));
    return this.unary('slice', path, { kind: 'axis', axis }, [x], shape, t.batchDim, o);
  }

  concatenate(path: string, inputs: readonly string[], axis: number, o: OpOptions = {}): string {
    const first = this.get(inputs[0]);
    const total = inputs.reduce((s, i) => s + this.shape(i)[axis], 0);
    const shape = first.shape.map((d, i) => (i === axis ? total : d));
    return this.unary('concatenate', path, { kind: 'axis', axis }, inputs, shape, first.batchDim, o);
  }

  /** numpy take: table[..axis, indices..., axis+1..]; e.g. embedding lookup table[V,H], ids[B,S] -> [B,S,H]. */
  gather(path: string, table: string, indices: string, axis: number, o: OpOptions = {}): string {
    const tb = this.get(table);
    const ix = this.get(indices);
    const shape = [...tb.shape.slice(0, axis), ...ix.shape, ...tb.shape.slice(axis + 1)];
    const bd = ix.batchDim !== undefined ? axis + ix.batchDim
      : tb.batchDim === undefined ? undefined : tb.batchDim < axis ? tb.batchDim : tb.batchDim - 1 + ix.shape.length;
    return this.unary('gather', path, { kind: 'gather', axis }, [table, indices], shape, bd, { dtype: tb.dtype, ...o });
  }

  opCount(): number {
    return this.opList.length;
  }

  build(): ModelGraph {
    const m = this.meta;
    return {
      schemaVersion: 1, name: m.name, source: m.source, batch: m.batch,
      ...(m.family ? { family: m.family } : {}), ...(m.config ? { config: { ...m.config } } : {}),
      ...(m.seq !== undefined ? { seq: m.seq } : {}),
      tensors: [...this.tensorList], ops: [...this.opList],
      training: m.training === undefined ? { optimizer: 'adam', explicitBackward: false } : m.training,
      ...(m.warnings?.length ? { warnings: [...m.warnings] } : {}),
    };
  }
}
