/**
 * A unit's sharded cost profile on one logical mesh, independent of the micro-batch size: per-device kernels and
 * collectives at the graph's batch, re-costed for any micro-batch b by scaling the batch-dependent ones by
 * b / refBatch and pricing them again (kernel efficiency falls for small kernels). One intra-op solve per
 * (distinct unit, logical mesh) thus serves every micro-batch count the stage DP tries.
 */
import type { ComputeDType, GpuSpec, Link } from '../cluster/types.ts';
import { collectiveSeconds } from '../cost/collectives.ts';
import { kernelSeconds } from '../cost/compute.ts';
import type { CollectiveKind, Precision, ShardingPlan } from '../plan/types.ts';
import type { ModelGraph, Op, Tensor } from '../ir/types.ts';
import { precisionBytes, savedForBackward } from '../cost/memory.ts';
import { tensorBytes, type Unit } from './units.ts';

export interface ProfiledKernel {
  /** Per-device FLOPs and HBM bytes of one execution at refBatch. */
  readonly flops: number;
  readonly bytes: number;
  readonly isMatmul: boolean;
  /** 'forward': backward derived (2x for matmuls, 1x otherwise) unless the graph has explicit backward ops. */
  readonly phase: 'forward' | 'backward';
  /** Whether it grows with the batch. */
  readonly scales: boolean;
}

export interface ProfiledCollective {
  readonly kind: CollectiveKind;
  readonly axis: 0 | 1;
  /** Full message bytes at refBatch. */
  readonly bytes: number;
  readonly phase: 'forward' | 'backward';
  readonly scales: boolean;
}

export interface UnitProfile {
  readonly meshShape: readonly [number, number];
  readonly refBatch: number;
  readonly explicitBackward: boolean;
  readonly kernels: readonly ProfiledKernel[];
  readonly collectives: readonly ProfiledCollective[];
  /** Once per step. */
  readonly gradientSyncSeconds: number;
  /** Per device. */
  readonly paramBytes: number;
  readonly gradBytes: number;
  readonly optimizerBytes: number;
  /** Activations kept for backward, per device, one micro-batch of refBatch samples. */
  readonly activationBytes: number;
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
  readonly computeSeconds: number;
  readonly communicationSeconds: number;
}

export function computeDType(p: Precision): ComputeDType {
  return p === 'fp32' ? 'f32' : p === 'fp16-mixed' ? 'f16' : 'bf16';
}

/** Prices a profile for micro-batches of `batch` samples. */
export function evaluateProfile(p: UnitProfile, gpu: GpuSpec, dtype: ComputeDType, links: readonly [Link, Link],
  batch: number, training: boolean): UnitCost {
  const r = batch / p.refBatch;
  let fwdCompute = 0;
  let bwdCompute = 0;
  let fwdComm = 0;
  let bwdComm = 0;
  for (const k of p.kernels) {
    const s = k.scales ? r : 1;
    const t = kernelSeconds(gpu, dtype, k.flops * s, k.bytes * s, k.isMatmul);
    if (k.phase === 'backward') bwdCompute += t;
    else {
      fwdCompute += t;
      if (!p.explicitBackward) bwdCompute += k.isMatmul ? 2 * t : t;
    }
  }
  for (const c of p.collectives) {
    const n = p.meshShape[c.axis];
    const t = collectiveSeconds(c.kind, c.bytes * (c.scales ? r : 1), n, links[c.axis]);
    if (c.phase === 'backward') bwdComm += t; else fwdComm += t;
  }
  const forwardSeconds = fwdCompute + fwdComm;
  const backwardSeconds = training ? bwdCompute + bwdComm : 0;
  return {
    forwardSeconds,
    backwardSeconds,
    recomputeSeconds: training ? forwardSeconds : 0,
    activationBytes: p.activationBytes * r,
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
 * Activation bytes the backward of `op` reads (cost/memory.ts savedForBackward), per device, counting each tensor
 * once per unit (`seen`).
 */
export function keptActivationBytes(op: Op, tensors: ReadonlyMap<string, Tensor>, tiles: number, seen: Set<string>): number {
  let b = 0;
  for (const t of savedForBackward(op, (id) => tensors.get(id))) {
    if (seen.has(t.id) || t.batchDim === undefined) continue;
    seen.add(t.id);
    b += tensorBytes(t) / tiles;
  }
  return b;
}

/** The profile of the intra-op pass's answer for one unit (ops' tiles from their specs; its collectives). */
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
  tensors: ReadonlyMap<string, Tensor>, training: boolean, precision: Precision): UnitProfile {
  const mesh = plan.meshShape;
  const byId = new Map(plan.ops.map((o) => [o.op, o]));
  const kernels: ProfiledKernel[] = [];
  let activationBytes = 0;
  const seen = new Set<string>();
  for (const i of [...unit.forwardOps, ...unit.backwardOps]) {
    const op = graph.ops[i];
    const s = byId.get(op.id);
    const tiles = s ? Math.max(1, ...[...s.outputSpecs, ...s.inputSpecs].map((sp) => specTiles(sp, mesh))) : 1;
    kernels.push({
      flops: op.flops / tiles,
      bytes: (op.bytesRead + op.bytesWritten) / tiles,
      isMatmul: op.kind === 'dot' || op.kind === 'conv',
      phase: op.phase === 'forward' ? 'forward' : 'backward',
      scales: scalesWithBatch(op, tensors),
    });
    if (op.phase === 'forward') activationBytes += keptActivationBytes(op, tensors, tiles, seen);
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
    source: 'ilp',
    sharding: plan,
  };
}
