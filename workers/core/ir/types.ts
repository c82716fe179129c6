/**
 * The model IR: plain, serialisable data (no classes, functions or Maps) so that a graph crosses comlink,
 * goes into JSON files and survives structured clone. Every importer and every zoo generator produces this.
 */

export type DType = 'f64' | 'f32' | 'tf32' | 'f16' | 'bf16' | 'f8' | 'i64' | 'i32' | 'i16' | 'i8' | 'u8' | 'bool';

/** Bytes of one element of each dtype. */
export const DTYPE_BYTES: Readonly<Record<DType, number>> = {
  f64: 8, f32: 4, tf32: 4, f16: 2, bf16: 2, f8: 1, i64: 8, i32: 4, i16: 2, i8: 1, u8: 1, bool: 1,
};

/**
 * input: data fed each step (token ids, images, labels); parameter: trained weights;
 * activation: produced by an op; constant: folded values (shape tensors, masks);
 * optimizer-state: Adam moments / master weights in an explicit train-step graph.
 */
export type TensorKind = 'input' | 'parameter' | 'activation' | 'constant' | 'optimizer-state';

export interface Tensor {
  readonly id: string;
  /** Name as the source calls it (ONNX value name, StableHLO SSA name, zoo path). Rendered as text, never HTML. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly kind: TensorKind;
  /** Index of the dimension that scales with the batch, or undefined when the tensor does not (parameters). */
  readonly batchDim?: number;
  /** Dims whose size is an expectation, not exact (a NonZero's count under balanced mixture-of-experts routing). */
  readonly estimatedDims?: readonly number[];
}

export type OpKind =
  | 'dot'            // dot_general / MatMul / Gemm / einsum: see DotAttrs
  | 'conv'           // convolution: see ConvAttrs
  | 'elementwise'    // add, mul, gelu, relu, exp, convert, select, compare ... (output shape = input shape)
  | 'reduce'         // reduce over dims: see ReduceAttrs
  | 'softmax'        // softmax over one axis
  | 'layernorm'      // layer norm / RMS norm over trailing axes
  | 'batchnorm'
  | 'pool'           // max/avg pooling, reduce_window
  | 'reshape'
  | 'transpose'
  | 'broadcast'
  | 'slice'
  | 'concatenate'
  | 'gather'         // embedding lookup, index select
  | 'scatter'        // embedding gradient, index add
  | 'constant'       // produces a constant tensor (costs nothing)
  | 'optimizer'      // parameter update (Adam step) in explicit train-step graphs
  | 'unknown';       // imported op we cannot map: kept, zero cost, warned about

/** dot_general dimension numbers (StableHLO semantics). Output dims = batch, lhs free, rhs free. */
export interface DotAttrs {
  readonly kind: 'dot';
  readonly lhsBatch: readonly number[];
  readonly rhsBatch: readonly number[];
  readonly lhsContract: readonly number[];
  readonly rhsContract: readonly number[];
}

/** Convolution dimension numbers. Input [N, C, spatial...] by default (ONNX), kernel [O, I/groups, spatial...]. */
export interface ConvAttrs {
  readonly kind: 'conv';
  readonly inputBatchDim: number;
  readonly inputFeatureDim: number;
  readonly inputSpatialDims: readonly number[];
  readonly kernelOutputFeatureDim: number;
  readonly kernelInputFeatureDim: number;
  readonly kernelSpatialDims: readonly number[];
  readonly outputBatchDim: number;
  readonly outputFeatureDim: number;
  readonly outputSpatialDims: readonly number[];
  readonly featureGroupCount: number;
  readonly strides: readonly number[];
  /** [low, high] zero padding per spatial dim; absent means none. */
  readonly padding?: readonly (readonly [number, number])[];
  /** Kernel dilation per spatial dim; absent means 1. */
  readonly dilations?: readonly number[];
}

export interface ReduceAttrs { readonly kind: 'reduce'; readonly dims: readonly number[]; readonly reducer: 'sum' | 'max' | 'min' | 'mean' | 'other' }
export interface AxisAttrs { readonly kind: 'axis'; readonly axis: number }
export interface NormAttrs { readonly kind: 'norm'; readonly axes: readonly number[]; readonly rms?: boolean }
export interface TransposeAttrs { readonly kind: 'transpose'; readonly perm: readonly number[] }
/** Operand dim i goes to output dim dims[i] (StableHLO broadcast_in_dim). */
export interface BroadcastAttrs { readonly kind: 'broadcast'; readonly dims: readonly number[] }
export interface ElementwiseAttrs { readonly kind: 'elementwise'; readonly fn: string }
export interface GatherAttrs { readonly kind: 'gather'; readonly axis: number }
export interface PoolAttrs {
  readonly kind: 'pool'; readonly window: readonly number[]; readonly strides: readonly number[]; readonly fn: 'max' | 'avg';
  /** [low, high] padding per window dim; absent means none. */
  readonly padding?: readonly (readonly [number, number])[];
}
export interface UnknownAttrs { readonly kind: 'unknown'; readonly sourceOp: string }
export interface NoAttrs { readonly kind: 'none' }

export type OpAttrs =
  | DotAttrs | ConvAttrs | ReduceAttrs | AxisAttrs | NormAttrs | TransposeAttrs | BroadcastAttrs
  | ElementwiseAttrs | GatherAttrs | PoolAttrs | UnknownAttrs | NoAttrs;

/** forward ops exist in every graph; backward and update only in explicit train-step graphs (StableHLO train). */
export type OpPhase = 'forward' | 'backward' | 'update';

export interface Op {
  readonly id: string;
  readonly name: string;
  readonly kind: OpKind;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: OpAttrs;
  /** Floating-point operations of one execution (a multiply-add counts 2). */
  readonly flops: number;
  /** Bytes read from and written to device memory by one execution, unfused. */
  readonly bytesRead: number;
  readonly bytesWritten: number;
  /** Hierarchical location, '/'-separated, e.g. 'gpt/h.3/attn/qkv'. Layers are recognised from it. */
  readonly path: string;
  readonly phase: OpPhase;
  /** For backward/update ops: the path of the forward layer whose activations they consume. */
  readonly pairedPath?: string;
}

export type Optimizer = 'adam' | 'sgd';

/** How the forward graph trains; null for inference-only models. */
export interface TrainingSpec {
  readonly optimizer: Optimizer;
  /** true when the graph already contains backward and update ops (a whole training step), false when the
   * planner derives backward from the forward ops (backward of a matmul = 2x its forward). */
  readonly explicitBackward: boolean;
}

export interface ModelGraph {
  readonly schemaVersion: 1;
  readonly name: string;
  /** Where it came from: 'zoo:gpt-2.6B', 'onnx:gpt2-124m.onnx', ... */
  readonly source: string;
  /** zoo family when generated ('gpt' | 'moe' | 'wresnet' | 'llama'), used by the paper's TFLOP/s definition. */
  readonly family?: string;
  /** Generator dimensions (hidden, layers, heads, vocab ...) when known. */
  readonly config?: Readonly<Record<string, number>>;
  /** Batch size the shapes are built for (the tensors whose batchDim is set scale with it). */
  readonly batch: number;
  /** Sequence length for sequence models. */
  readonly seq?: number;
  readonly tensors: readonly Tensor[];
  /** Ops in topological order. */
  readonly ops: readonly Op[];
  readonly training: TrainingSpec | null;
  /** Import warnings (unknown ops and their counts, guessed shapes), shown to the user. */
  readonly warnings?: readonly string[];
}
