/**
 * Hand-written sharding strategies priced through the same kernels and collectives as the intra-op pass:
 * data parallelism on mesh axis 0 (batch split), Megatron-LM tensor parallelism on axis 1 (parameter matmuls
 * alternate column-parallel / row-parallel, the row-parallel output all-reduced in forward, the column-parallel
 * input gradient all-reduced in backward; the embedding vocabulary-parallel), optional expert parallelism
 * (experts spread over axis 0, tokens exchanged by all-to-all) and ZeRO stages. Used by the baselines, and by the
 * search while no intra-op solver is given.
 */
import type { ModelGraph, Op, Tensor } from '../ir/types.ts';
import type { Link } from '../cluster/types.ts';
import { collectiveSeconds } from '../cost/collectives.ts';
import type { SplitDim } from '../cost/opCost.ts';
import type { Precision } from '../cost/precision.ts';
import { tensorBytes, type Unit } from './units.ts';
import { precisionBytes } from '../cost/memory.ts';
import { elementWidth } from '../cost/fusion.ts';
import { GRADIENT_REDUCTION_BYTES_PER_ELEMENT, opLogitsBytes, ZERO3_RESHARD_BYTES_PER_ELEMENT } from '../cost/runtimeTerms.ts';
import { isRepeatedBlock, runtimeTraits, type RuntimeTraits } from './runtime.ts';
import { expertRegion, isExpertDot } from './expertRegion.ts';
import { contextParallelCollectives, type CpKind, type CpSplit } from './seqParallel.ts';
import { elementFractions, keptActivationBytes, scalesWithBatch, type TemplateRole, type ProfiledCollective, type ProfiledKernel, type UnitProfile } from './unitProfile.ts';

export interface ManualStrategy {
  /** Tensor parallelism on axis 1 (else axis 1 must be 1). */
  readonly tensorParallel: boolean;
  /** Spread experts (dots whose parameter carries a batch dim) over axis 0. */
  readonly expertParallel: boolean;
  /** Expert-parallel degree: devices of axis 0 one expert group spans (E / degree experts each), dividing axis 0;
   * default all of axis 0. Groups smaller than the axis keep replicas of the experts, their gradients all-reduced
   * over the n0 / degree replicas. */
  readonly expertDegree?: number;
  /** The link an expert group of expertDegree devices runs its all-to-alls on (default axis 0's). */
  readonly expertLink?: Link;
  /** Expert capacity relative to the graph's (its C = tokens x top_k / E): the all-to-alls move capacityFactor x
   * tokens x top_k x hidden elements. Default 1. */
  readonly capacityFactor?: number;
  /** 0: replicated optimizer (Megatron v2, plain DP); 1: optimizer state sharded over axis 0 (Alpa's weight-update
   * sharding); 3: parameters, gradients and optimizer sharded, parameters all-gathered for each micro-batch. */
  readonly zeroStage: 0 | 1 | 2 | 3;
  /** Sequence parallelism outside the tensor-parallel regions (seqParallel.ts); absent: off. */
  readonly sequenceParallel?: boolean;
  /** Context parallelism over `degree` devices of axis 0 (seqParallel.ts); absent: none. */
  readonly contextParallel?: { readonly degree: number; readonly kind: CpKind; /** The cp group's link (default axis 0's). */ readonly link?: Link;
    /** Ring CP's sequence split (default balanced). */ readonly split?: CpSplit };
}

export const MEGATRON: ManualStrategy = { tensorParallel: true, expertParallel: false, zeroStage: 0 };

function paramOperand(op: Op, tensors: ReadonlyMap<string, Tensor>): number {
  return op.inputs.findIndex((t) => tensors.get(t)?.kind === 'parameter');
}

export function manualProfile(graph: ModelGraph, unit: Unit, mesh: readonly [number, number], precision: Precision,
  strategy: ManualStrategy, links: readonly [Link, Link], tensors: ReadonlyMap<string, Tensor>, training: boolean,
  runtime: RuntimeTraits = runtimeTraits()): UnitProfile {
  const { normsInFp32, residuals } = runtime;
  const [n0, n1] = mesh;
  const tp = strategy.tensorParallel ? n1 : 1;
  if (!strategy.tensorParallel && n1 !== 1) throw new RangeError(`manualProfile: mesh ${n0}x${n1} without tensor parallelism`);
  const kernels: ProfiledKernel[] = [];
  const collectives: ProfiledCollective[] = [];
  const paramSplit = new Map<string, number>();
  const expertParams = new Set<string>();
  let activationBytes = 0;
  const savedSeen = new Set<string>();
  const width = elementWidth(graph, precision);
  let inTensorParallel = false;
  let paramDots = 0;
  const ep = strategy.expertParallel ? (strategy.expertDegree ?? n0) : 1;
  if (n0 % ep !== 0) throw new RangeError(`manualProfile: expert-parallel degree ${ep} does not divide axis 0 (${n0})`);
  // Expert parallelism: tokens enter and leave the experts by all-to-all over each group of ep devices, forward and
  // backward (expertRegion.ts); each of the n0 / ep groups moves its share of the tokens.
  const region = strategy.expertParallel && ep > 1 ? expertRegion(graph, unit.forwardOps, tensors) : { dispatch: [], combine: [] };
  for (const b of [...region.dispatch, ...region.combine]) {
    const bytes = (tensorBytes(b.tensor) * (strategy.capacityFactor ?? 1) * ep) / n0;
    const group = { group: ep, ...(strategy.expertLink ? { link: strategy.expertLink } : {}) };
    collectives.push({ kind: 'all-to-all', axis: 0, bytes, phase: 'forward', scales: true, op: b.op, ...group });
    collectives.push({ kind: 'all-to-all', axis: 0, bytes, phase: 'backward', scales: true, op: b.op, ...group });
  }
  let hasExperts = false;
  // Outputs of expert dots: a parameter added to one (GShard's expert biases, [E, ...]) belongs to the experts too.
  const expertOutputs = new Set<string>();
  // The activation input of the last column-parallel dot: a dot reading it too is its sibling (Llama's separate
  // q/k/v and gate/up projections), column-parallel as well, sharing its input's collectives (Megatron fuses them).
  let columnInput: string | undefined;
  const activationInput = (op: Op): string | undefined => op.inputs.find((t) => { const x = tensors.get(t); return x !== undefined && x.kind !== 'parameter'; });
  const setSplit = (op: Op, split: number): void => {
    for (const t of op.inputs) if (tensors.get(t)?.kind === 'parameter') paramSplit.set(t, Math.max(paramSplit.get(t) ?? 1, split));
  };
  const inputActivationBytes = (op: Op): number =>
    op.inputs.reduce((s, t) => { const x = tensors.get(t); return x && x.kind !== 'parameter' && x.batchDim !== undefined ? s + tensorBytes(x) : s; }, 0);
  const outputBytes = (op: Op): number => op.outputs.reduce((s, t) => { const x = tensors.get(t); return x ? s + tensorBytes(x) : s; }, 0);
  // Sequence parallelism (Korthikanti et al. 2022) on [batch, seq, ...] activations: outside the tensor-parallel
  // regions ops run split along the sequence over axis 1 as well (their compute and kept activations / tp); each
  // all-reduce of a tensor-parallel region becomes a reduce-scatter + all-gather pair of the same bytes, and the
  // column-parallel input, kept split, is all-gathered again in backward for the weight gradient (beside the input
  // gradient's GEMM, as below).
  const seq = graph.seq ?? 0;
  const sp = strategy.sequenceParallel === true && tp > 1 && seq > 1;
  const onSequence = (ids: readonly string[]): boolean => ids.some((t) => { const x = tensors.get(t); return x !== undefined && x.batchDim === 0 && x.shape.length >= 3 && x.shape[1] === seq; });
  // Megatron-LM's column-parallel backward (LinearWithGradAccumulationAndAsyncCommunication, its default) issues the
  // input gradient's all-reduce (SP: reduce-scatter) asynchronously beside the weight-gradient GEMM, and SP's
  // all-gather of the kept input beside the input-gradient GEMM; forward collectives (and the row-parallel ones)
  // stay on the critical path unless TP communication overlap (userbuffers, off by default) is on. XLA (runtime
  // 'xla') shows no such overlap in the calibrated TP steps.
  const wgrad = runtime.asyncColumnBackward ? { beside: 'wgrad' as const } : {};
  const dgrad = runtime.asyncColumnBackward ? { beside: 'dgrad' as const } : {};
  const tpCollective = (kind: 'all-reduce', bytes: number, phase: 'forward' | 'backward', i: number, sequence: boolean, hide = {}): void => {
    if (!(sp && sequence)) { collectives.push({ kind, axis: 1, bytes, phase, scales: true, op: i, ...hide }); return; }
    const other = phase === 'forward' ? 'backward' : 'forward';
    collectives.push({ kind: 'reduce-scatter', axis: 1, bytes, phase, scales: true, op: i, ...hide });
    collectives.push({ kind: 'all-gather', axis: 1, bytes, phase: other, scales: true, op: i });
  };
  for (const i of [...unit.forwardOps, ...unit.backwardOps]) {
    const op = graph.ops[i];
    const scales = scalesWithBatch(op, tensors);
    const batchTiles = scales ? n0 : 1;
    let tiles = batchTiles;
    let split: SplitDim = 'm';
    let role: TemplateRole = scales ? 'data' : 'replicated';
    if (op.phase === 'forward') {
      const hasParam = paramOperand(op, tensors) >= 0;
      if (isExpertDot(op, tensors)) {
        hasExperts = true;
        if (strategy.expertParallel) role = 'expert';
        tiles = n0 * (inTensorParallel ? tp : 1);
        setSplit(op, ep * (inTensorParallel ? tp : 1));
        if (strategy.expertParallel) for (const t of op.inputs) if (tensors.get(t)?.kind === 'parameter') expertParams.add(t);
        for (const t of op.outputs) expertOutputs.add(t);
      } else if (strategy.expertParallel && hasParam && op.kind === 'elementwise' && op.inputs.some((t) => expertOutputs.has(t))) {
        setSplit(op, ep * (inTensorParallel ? tp : 1));
        for (const t of op.inputs) if (tensors.get(t)?.kind === 'parameter') expertParams.add(t);
        if (inTensorParallel) { role = 'tensor'; tiles = batchTiles * tp; }
      } else if (tp > 1 && hasParam && op.kind === 'gather') {
        role = 'vocab';
        tiles = batchTiles * tp;
        setSplit(op, tp);
        tpCollective('all-reduce', outputBytes(op) / n0, 'forward', i, onSequence(op.outputs));
      } else if (tp > 1 && hasParam && op.kind === 'dot' && columnInput !== undefined && activationInput(op) === columnInput) {
        tiles = batchTiles * tp;
        setSplit(op, tp);
        if (n0 === 1) split = 'n';
        role = 'column';
      } else if (tp > 1 && hasParam && (op.kind === 'dot' || op.kind === 'conv')) {
        tiles = batchTiles * tp;
        setSplit(op, tp);
        columnInput = paramDots % 2 === 0 && op.kind === 'dot' ? activationInput(op) : undefined;
        // Column-parallel splits the output features (n), row-parallel the contraction (k).
        if (n0 === 1) split = paramDots % 2 === 0 ? 'n' : 'k';
        role = paramDots % 2 === 0 ? 'column' : 'row';
        if (paramDots % 2 === 0) {
          inTensorParallel = true;
          const sequence = onSequence(op.inputs);
          tpCollective('all-reduce', inputActivationBytes(op) / n0, 'backward', i, sequence, wgrad);
          if (sp && sequence) collectives.push({ kind: 'all-gather', axis: 1, bytes: inputActivationBytes(op) / n0, phase: 'backward', scales: true, op: i, ...dgrad });
        } else {
          inTensorParallel = false;
          tpCollective('all-reduce', outputBytes(op) / n0, 'forward', i, onSequence(op.outputs));
        }
        paramDots++;
      } else if (inTensorParallel) {
        role = 'tensor';
        tiles = batchTiles * tp;
        if (hasParam) setSplit(op, tp);
      } else if (sp && scales && onSequence(op.outputs)) {
        role = 'sequence';
        tiles = batchTiles * tp;
      }
      // A column-parallel op reads its input whole on every tensor-parallel rank and keeps it so for the weight
      // gradient; under SP it keeps its sequence shard and gathers it again in backward (Korthikanti et al. 2022).
      const whole = role === 'column' && !(sp && onSequence(op.inputs)) ? activationInput(op) : undefined;
      activationBytes += keptActivationBytes(op, tensors, whole ? (t) => (t.id === whole ? batchTiles : tiles) : tiles, savedSeen, width, normsInFp32, residuals);
    }
    kernels.push({ op: i, tiles, split, phase: op.phase === 'forward' ? 'forward' : 'backward', role });
  }
  const pb = precisionBytes(precision);
  const per = { param: pb.paramBytes, grad: pb.gradBytes, optimizer: pb.masterBytes + pb.optimizerBytes };
  const paramDtypeBytes = per.param;
  let paramElems = 0;
  let syncedGradElems = 0;
  let expertElems = 0;
  const seen = new Set<string>();
  const localElems: number[] = [];
  for (const i of unit.forwardOps) {
    for (const t of graph.ops[i].inputs) {
      const x = tensors.get(t);
      if (!x || x.kind !== 'parameter' || seen.has(t)) continue;
      seen.add(t);
      const elems = x.shape.reduce((a, b) => a * b, 1);
      const local = elems / (paramSplit.get(t) ?? 1);
      localElems.push(local);
      paramElems += local;
      if (!expertParams.has(t)) syncedGradElems += local;
      else expertElems += local;
    }
  }
  const zero3 = strategy.zeroStage === 3;
  let bufferBytes = 0;
  // Elements per device under ZeRO: state is sharded over the devices holding the same shard of a parameter, the
  // n0 replicas of a replicated one, the n0 / ep replicas of an expert already split ep ways over axis 0.
  const replicas = n0 / ep;
  const sharded = (z: boolean): number => (z ? syncedGradElems / n0 + expertElems / replicas : paramElems);
  // Gradient reduction at 4 bytes an element (cost/runtimeTerms.ts GRADIENT_REDUCTION_BYTES_PER_ELEMENT says why).
  const gradSyncBytes = syncedGradElems * GRADIENT_REDUCTION_BYTES_PER_ELEMENT;
  let gradientSyncSeconds = 0;
  if (training) {
    gradientSyncSeconds = zero3
      ? collectiveSeconds('reduce-scatter', gradSyncBytes, n0, links[0])
      : collectiveSeconds('all-reduce', gradSyncBytes, n0, links[0]);
    // Expert replicas (n0 / ep groups) reduce their experts' gradients among themselves.
    gradientSyncSeconds += collectiveSeconds(zero3 ? 'reduce-scatter' : 'all-reduce', expertElems * GRADIENT_REDUCTION_BYTES_PER_ELEMENT, replicas, links[0]);
  }
  if (zero3 && n0 > 1) {
    // Parameters are gathered before each forward and again before each backward of every micro-batch.
    // Experts are gathered from their n0 / ep replicas only.
    const gathers = [{ bytes: syncedGradElems * paramDtypeBytes }, { bytes: expertElems * paramDtypeBytes, group: replicas }];
    for (const g of gathers.filter((x) => x.bytes > 0 && x.group !== 1)) {
      collectives.push({ kind: 'all-gather', axis: 0, phase: 'forward', scales: false, ...g });
      if (training) collectives.push({ kind: 'all-gather', axis: 0, phase: 'backward', scales: false, ...g });
    }
    // XLA reshards activations around weights split on their contracting dim (cost/runtimeTerms.ts): per repeated
    // layer ZERO3_RESHARD_BYTES_PER_ELEMENT bytes per token x hidden element on each device per all-to-all (runtime traits).
    const hidden = graph.config?.hidden;
    if (hidden && isRepeatedBlock(unit)) {
      const elements = (graph.batch * (graph.seq ?? 1) * hidden) / n0;
      if (runtime.zero3ForwardAllToAlls > 0) {
        collectives.push({ kind: 'send-recv', axis: 0, bytes: runtime.zero3ForwardAllToAlls * ZERO3_RESHARD_BYTES_PER_ELEMENT * elements, phase: 'forward', scales: true });
      }
      if (training && runtime.zero3RematAllToAlls > 0) {
        collectives.push({ kind: 'send-recv', axis: 0, bytes: runtime.zero3RematAllToAlls * ZERO3_RESHARD_BYTES_PER_ELEMENT * elements, phase: 'backward', scales: true, rematOnly: true });
      }
    }
    // XLA: the logits' gradient from vocab-split back to batch-split (cost/runtimeTerms.ts logitsBytes), received
    // into a buffer of the device's logits.
    const vocab = graph.config?.vocab;
    if (training && runtime.zero3LogitsAllToAll && vocab) {
      for (const i of unit.forwardOps) {
        const bytes = opLogitsBytes(graph.ops[i], (id) => tensors.get(id), vocab);
        if (bytes > 0) {
          collectives.push({ kind: 'all-to-all', axis: 0, bytes, phase: 'backward', scales: true, op: i });
          bufferBytes += bytes / n0;
        }
      }
    }
  }
  const cp = strategy.contextParallel;
  if (cp && cp.degree > 1) {
    if (n0 % cp.degree !== 0) throw new RangeError(`manualProfile: context-parallel degree ${cp.degree} does not divide mesh axis 0 (${n0})`);
    const c = contextParallelCollectives(graph, unit, tensors, n0 * tp, cp.degree, cp.kind, cp.link);
    collectives.push(...c.collectives);
    bufferBytes += c.bufferBytes;
  }
  return {
    meshShape: mesh,
    refBatch: graph.batch,
    explicitBackward: graph.training?.explicitBackward ?? false,
    kernels,
    collectives,
    gradientSyncSeconds,
    gradientSyncKind: zero3 ? 'reduce-scatter' : 'all-reduce',
    paramBytes: sharded(zero3) * paramDtypeBytes,
    gradBytes: training ? sharded(strategy.zeroStage >= 2) * per.grad : 0,
    optimizerBytes: training ? sharded(strategy.zeroStage >= 1) * per.optimizer : 0,
    activationBytes,
    ...(bufferBytes > 0 ? { bufferBytes } : {}),
    paramTensors: seen.size,
    paramFractions: elementFractions(localElems),
    source: 'manual',
    ...(training ? { zero: { level: strategy.zeroStage, elems: syncedGradElems, ...(expertElems > 0 ? { expertElems, expertReplicas: replicas } : {}) } } : {}),
    ...(hasExperts ? { expertParallel: ep } : {}),
    ...(cp && cp.degree > 1 && cp.kind === 'ring' && cp.split === 'contiguous' ? { cpContiguous: cp.degree } : {}),
  };
}
