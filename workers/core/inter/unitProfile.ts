/**
 * A unit's sharded cost profile on one logical mesh, independent of the micro-batch size: each op with the number
 * of devices its work is split over, and the collectives at the graph's batch. For a micro-batch of b samples the
 * ops are priced again by the cost model (cost/opCost.ts opSeconds, the intra-op pass's own op times) on the graph
 * rebatched to b, and batch-dependent collectives scaled by b / refBatch: small kernels lose efficiency. One
 * intra-op solve per (distinct unit, logical mesh) thus serves every micro-batch count the stage DP tries.
 */
import type { GpuSpec, Link } from '../cluster/types.ts';
import { opSeconds, type SplitDim, type TensorLookup } from '../cost/opCost.ts';
import { elementWidth, fusionTraffic, type ElementWidth, type FusedOpTraffic } from '../cost/fusion.ts';
import { collectiveSeconds } from '../cost/collectives.ts';
import type { CollectiveKind } from '../cost/collectives.ts';
import type { Precision } from '../cost/precision.ts';
import type { ShardingPlan } from '../intra/types.ts';
import type { ModelGraph, Op, Tensor } from '../ir/types.ts';
import { opResiduals, precisionBytes } from '../cost/memory.ts';
import { tensorBytes, unitParamIds, type Unit } from './units.ts';

export interface ProfiledKernel {
  /** Index of the op in graph.ops. */
  readonly op: number;
  /** Devices the op's work is split over, and along which GEMM dim (opSeconds' split). */
  readonly tiles: number;
  readonly split: SplitDim;
  /** 'forward': its backward is the cost model's unless the graph has explicit backward ops. */
  readonly phase: 'forward' | 'backward';
  /** The fixed strategy's role for the op (template profiles): how its tensors are split. */
  readonly role?: TemplateRole;
}

/** data: batch on axis 0; column / row: Megatron's parallel GEMMs (weight split on its output / input features
 * over axis 1); tensor: between them (feature dim on axis 1); vocab: embedding rows over axis 1; expert: experts
 * over axis 0; replicated: no batch dim. */
export type TemplateRole = 'data' | 'column' | 'row' | 'tensor' | 'vocab' | 'expert' | 'replicated';

export interface ProfiledCollective {
  readonly kind: CollectiveKind;
  readonly axis: 0 | 1;
  /** Full message bytes at refBatch. */
  readonly bytes: number;
  readonly phase: 'forward' | 'backward';
  readonly scales: boolean;
  /** Index in graph.ops of the op that implies it (template profiles). */
  readonly op?: number;
  /** Runs only when the unit is rematerialised (priced into recomputeSeconds alone). */
  readonly rematOnly?: boolean;
}

export interface UnitProfile {
  readonly meshShape: readonly [number, number];
  readonly refBatch: number;
  readonly explicitBackward: boolean;
  readonly kernels: readonly ProfiledKernel[];
  readonly collectives: readonly ProfiledCollective[];
  /** Once per step. */
  readonly gradientSyncSeconds: number;
  /** How the gradients are reduced (default all-reduce; ZeRO-3 reduce-scatters). */
  readonly gradientSyncKind?: 'all-reduce' | 'reduce-scatter';
  /** Per device. */
  readonly paramBytes: number;
  readonly gradBytes: number;
  readonly optimizerBytes: number;
  /** Activations kept for backward, per device, one micro-batch of refBatch samples. */
  readonly activationBytes: number;
  /** Receive buffers of collectives live beside the activations (ZeRO-3's logits all-to-all under XLA), per
   * device, one micro-batch of refBatch samples; absent: none. */
  readonly bufferBytes?: number;
  /** Parameter tensors the unit updates (optimizer kernel launches). */
  readonly paramTensors: number;
  /** Share of the unit's per-device model state each parameter holds, in unitParamIds order (so that a parameter
   * two units share, a tied embedding, is counted once per stage). */
  readonly paramFractions: readonly number[];
  readonly source: 'ilp' | 'manual';
  readonly sharding?: ShardingPlan;
}

export interface UnitCost {
  readonly forwardSeconds: number;
  /** Backward without recomputation. */
  readonly backwardSeconds: number;
  /** Forward compute repeated in backward when rematerialised. */
  readonly recomputeSeconds: number;
  readonly activationBytes: number;
  readonly bufferBytes: number;
  readonly computeSeconds: number;
  readonly communicationSeconds: number;
}


/** The graph at one micro-batch size, as the cost model reads it. */
export interface PricingGraph {
  readonly graph: ModelGraph;
  readonly tensors: TensorLookup;
  /** XLA-style fusion traffic of the memory-bound ops per profiled op set (cost/fusion.ts), filled on demand. */
  readonly fused: Map<string, ReadonlyMap<string, FusedOpTraffic>>;
}

function fusedFor(p: UnitProfile, at: PricingGraph, precision: Precision): ReadonlyMap<string, FusedOpTraffic> {
  const key = `${p.kernels[0]?.op ?? -1}:${p.kernels.length}`;
  let m = at.fused.get(key);
  if (!m) {
    m = fusionTraffic(at.graph, precision, p.kernels.map((k) => at.graph.ops[k.op].id));
    at.fused.set(key, m);
  }
  return m;
}

/** Prices a profile for micro-batches of `at.graph.batch` samples. */
export function evaluateProfile(p: UnitProfile, at: PricingGraph, gpu: GpuSpec, precision: Precision,
  links: readonly [Link, Link], training: boolean): UnitCost {
  const r = at.graph.batch / p.refBatch;
  let fwdCompute = 0;
  let bwdCompute = 0;
  let fwdComm = 0;
  let bwdComm = 0;
  let rematComm = 0;
  const fused = fusedFor(p, at, precision);
  for (const k of p.kernels) {
    const op = at.graph.ops[k.op];
    const f = fused.get(op.id);
    const c = opSeconds(op, at.tensors, gpu, precision, k.tiles, f ? { split: k.split, fused: f } : { split: k.split });
    if (k.phase === 'backward') bwdCompute += c.forwardSeconds;
    else {
      fwdCompute += c.forwardSeconds;
      if (!p.explicitBackward) bwdCompute += c.backwardSeconds;
    }
  }
  for (const c of p.collectives) {
    const n = p.meshShape[c.axis];
    const t = collectiveSeconds(c.kind, c.bytes * (c.scales ? r : 1), n, links[c.axis]);
    if (c.rematOnly) rematComm += t;
    else if (c.phase === 'backward') bwdComm += t; else fwdComm += t;
  }
  const forwardSeconds = fwdCompute + fwdComm;
  const backwardSeconds = training ? bwdCompute + bwdComm : 0;
  return {
    forwardSeconds,
    backwardSeconds,
    recomputeSeconds: training ? forwardSeconds + rematComm : 0,
    activationBytes: p.activationBytes * r,
    bufferBytes: (p.bufferBytes ?? 0) * r,
    computeSeconds: fwdCompute + (training ? bwdCompute : 0),
    communicationSeconds: fwdComm + (training ? bwdComm : 0),
  };
}

const SPEC_TOKEN = /S01|S0|S1|R/g;

/** Devices a tensor of this spec is split over on an (n0, n1) mesh. */
export function specTiles(spec: string, mesh: readonly [number, number]): number {
  let tiles = 1;
  for (const tok of spec.match(SPEC_TOKEN) ?? []) {
    if (tok === 'S0') tiles *= mesh[0];
    else if (tok === 'S1') tiles *= mesh[1];
    else if (tok === 'S01') tiles *= mesh[0] * mesh[1];
  }
  return tiles;
}

export function scalesWithBatch(op: { inputs: readonly string[]; outputs: readonly string[] }, tensors: ReadonlyMap<string, Tensor>): boolean {
  return [...op.inputs, ...op.outputs].some((t) => tensors.get(t)?.batchDim !== undefined);
}

/**
 * Activation bytes the backward of `op` keeps (cost/memory.ts opResiduals, JAX autodiff residuals: a layer norm
 * keeps two tensors, a GELU four), per device, counting each residual once per unit (`seen`).
 */
export function keptActivationBytes(op: Op, tensors: ReadonlyMap<string, Tensor>, tiles: number, seen: Set<string>,
  width: ElementWidth, normsInFp32 = false): number {
  let b = 0;
  for (const r of opResiduals(op, (id) => tensors.get(id), width, (t) => (t.batchDim === undefined ? Infinity : tiles), 'autodiff', normsInFp32)) {
    if (seen.has(r.key) || !Number.isFinite(r.bytes) || r.bytes === 0) continue;
    seen.add(r.key);
    b += r.bytes;
  }
  return b;
}

/** The profile of the intra-op pass's answer for one unit (ops' tiles from their specs; its collectives). */
export function elementFractions(elems: readonly number[]): number[] {
  const total = elems.reduce((a, b) => a + b, 0);
  return elems.map((e) => (total > 0 ? e / total : 0));
}

export function countParams(graph: ModelGraph, unit: Unit, tensors: ReadonlyMap<string, Tensor>): number {
  const seen = new Set<string>();
  for (const i of unit.forwardOps) for (const t of graph.ops[i].inputs) if (tensors.get(t)?.kind === 'parameter') seen.add(t);
  return seen.size;
}

/**
 * Optimizer state (fp32 master + moments) per device under Alpa's weight-update sharding (alpa.md §1.4: the
 * gradient all-reduce rewritten as reduce-scatter + all-gather, so each device updates 1/devices of every
 * parameter): the unit's whole optimizer state over all devices of the mesh.
 */
export function weightUpdateShardedBytes(graph: ModelGraph, unit: Unit, tensors: ReadonlyMap<string, Tensor>,
  precision: Precision, mesh: readonly [number, number]): number {
  const seen = new Set<string>();
  let elems = 0;
  for (const i of unit.forwardOps) for (const t of graph.ops[i].inputs) {
    const x = tensors.get(t);
    if (!x || x.kind !== 'parameter' || seen.has(t)) continue;
    seen.add(t);
    elems += x.shape.reduce((a, b) => a * b, 1);
  }
  const b = precisionBytes(precision);
  return elems * (b.masterBytes + b.optimizerBytes) / (mesh[0] * mesh[1]);
}

export function profileFromSharding(graph: ModelGraph, unit: Unit, plan: ShardingPlan,
  tensors: ReadonlyMap<string, Tensor>, training: boolean, precision: Precision, normsInFp32 = false): UnitProfile {
  const mesh = plan.meshShape;
  const byId = new Map(plan.ops.map((o) => [o.op, o]));
  const kernels: ProfiledKernel[] = [];
  let activationBytes = 0;
  const seen = new Set<string>();
  const width = elementWidth(graph, precision);
  for (const i of [...unit.forwardOps, ...unit.backwardOps]) {
    const op = graph.ops[i];
    const s = byId.get(op.id);
    const tiles = s ? Math.max(1, ...[...s.outputSpecs, ...s.inputSpecs].map((sp) => specTiles(sp, mesh))) : 1;
    kernels.push({ op: i, tiles, split: 'm', phase: op.phase === 'forward' ? 'forward' : 'backward' });
    if (op.phase === 'forward') activationBytes += keptActivationBytes(op, tensors, tiles, seen, width, normsInFp32);
  }
  const collectives: ProfiledCollective[] = [];
  for (const c of plan.collectives) {
    if (/gradient|weight-update/.test(c.reason) || c.axis === '01') {
      if (c.axis === '01' && !/gradient|weight-update/.test(c.reason)) {
        // A collective over both axes: price it on axis 0 (the slower one) with the whole mesh folded in below.
        collectives.push({ kind: c.kind, axis: 0, bytes: c.bytes, phase: /backward/.test(c.reason) ? 'backward' : 'forward', scales: true });
      }
      continue;
    }
    collectives.push({ kind: c.kind, axis: c.axis, bytes: c.bytes, phase: /backward/.test(c.reason) ? 'backward' : 'forward', scales: true });
  }
  return {
    meshShape: mesh,
    refBatch: graph.batch,
    explicitBackward: graph.training?.explicitBackward ?? false,
    kernels,
    collectives,
    gradientSyncSeconds: training ? plan.gradientSyncSeconds : 0,
    paramBytes: plan.memory.paramBytes,
    gradBytes: training ? plan.memory.gradBytes : 0,
    optimizerBytes: training ? Math.min(plan.memory.optimizerBytes, weightUpdateShardedBytes(graph, unit, tensors, precision, mesh)) : 0,
    activationBytes,
    paramTensors: countParams(graph, unit, tensors),
    paramFractions: elementFractions(unitParamIds(graph, unit, tensors).map((t) => tensors.get(t)!.shape.reduce((a, b) => a * b, 1))),
    source: 'ilp',
    sharding: plan,
  };
}
