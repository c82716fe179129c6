/**
 * A unit's profile from the intra-op pass's answer (its ShardingPlan on one logical mesh): each op's tiles from its
 * sharding specs, the collectives that run per micro-batch, the gradient synchronisation, and memory under Alpa's
 * weight-update sharding. inter/manualProfile.ts builds the same UnitProfile from a fixed strategy.
 */
import { elementWidth } from '../cost/fusion.ts';
import { precisionBytes } from '../cost/memory.ts';
import type { Precision } from '../cost/precision.ts';
import type { ShardingPlan } from '../intra/types.ts';
import type { ModelGraph, Tensor } from '../ir/types.ts';
import { unitParamIds, type Unit } from './units.ts';
import { elementFractions, keptActivationBytes, type ProfiledCollective, type ProfiledKernel, type UnitProfile } from './unitProfile.ts';

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

/** The profile of the intra-op pass's answer for one unit (ops' tiles from their specs; its collectives). */
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
