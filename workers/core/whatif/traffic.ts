/**
 * Where a plan's communication goes: bytes and seconds per step that cross nodes (the inter-node link) and that stay
 * inside a node (NVLink), from each stage's collectives (by the mesh axis they run on) and the cross-stage sends.
 * Bytes are what all devices put on the wire per step (collectiveWireBytes x devices); seconds are the cost
 * model's prices of those calls over the step, averaged over stages as the plan's breakdown is (stages run at once;
 * the schedule overlaps some of it with compute).
 */
import { collectiveWireBytes } from '../cost/collectives.ts';
import type { Plan, Stage } from '../inter/plan.ts';
import type { CostTerm } from './types.ts';

export interface TrafficSide {
  readonly bytes: number;
  readonly seconds: number;
  /** The parts: per kind of traffic ('tensor-parallel collectives', 'gradient sync', 'cross-stage sends'). */
  readonly terms: readonly CostTerm[];
}

export interface PlanTraffic {
  readonly crossNode: TrafficSide;
  readonly inNode: TrafficSide;
  /** False when a stage has no per-operator sharding (its collectives are unknown, only its sends are counted). */
  readonly complete: boolean;
}

/** Whether a logical-mesh axis of a stage runs between nodes (topology.ts logicalMesh's layout). */
export function axisCrossesNodes(stage: Stage, axis: 0 | 1 | '01'): boolean {
  const [n0, n1] = stage.logicalMesh;
  const nodes = stage.submesh.nodes;
  if (nodes <= 1) return false;
  if (axis === '01') return true;
  if (axis === 1) return n1 > stage.submesh.gpusPerNode;
  return n0 > 1;
}

const PER_STEP = /gradient|weight-update/;

class Tally {
  private readonly parts = new Map<string, { bytes: number; seconds: number }>();
  constructor(private readonly stages: number) {}
  add(label: string, bytes: number, seconds: number): void {
    const p = this.parts.get(label) ?? { bytes: 0, seconds: 0 };
    this.parts.set(label, { bytes: p.bytes + bytes, seconds: p.seconds + seconds / this.stages });
  }
  side(): TrafficSide {
    let bytes = 0;
    let seconds = 0;
    const terms: CostTerm[] = [];
    for (const [label, p] of [...this.parts].sort((a, b) => a[0].localeCompare(b[0]))) {
      bytes += p.bytes;
      seconds += p.seconds;
      terms.push({ label: `${label} (bytes)`, value: p.bytes, unit: 'B' }, { label: `${label} (seconds)`, value: p.seconds, unit: 's' });
    }
    return { bytes, seconds, terms };
  }
}

export function planTraffic(p: Plan): PlanTraffic {
  const cross = new Tally(Math.max(1, p.stages.length));
  const inside = new Tally(Math.max(1, p.stages.length));
  const training = p.mode === 'train';
  let complete = true;
  for (const s of p.stages) {
    if (!s.sharding) { complete = false; } else {
      const devices = s.devices.length;
      for (const c of s.sharding.collectives) {
        const perStep = PER_STEP.test(c.reason);
        const calls = perStep ? 1 : p.microbatches;
        const n = c.group ?? (c.axis === '01' ? s.logicalMesh[0] * s.logicalMesh[1] : s.logicalMesh[c.axis]);
        const bytes = collectiveWireBytes(c.kind, c.bytes, n) * devices * calls;
        const label = perStep ? 'gradient sync' : c.reason === 'resharding' ? 'resharding' : 'tensor-parallel collectives';
        (axisCrossesNodes(s, c.axis) ? cross : inside).add(label, bytes, c.seconds * calls);
      }
      // Template-sharded stages (DP x TP: the search's template, the baselines) price their gradient synchronisation
      // as one per-step term (Stage.gradientSyncSeconds, which also holds the optimizer update) instead of listing
      // it among the collectives: count it as an all-reduce of the stage's gradients over the data-parallel axis 0.
      if (training && s.gradientSyncSeconds > 0 && s.logicalMesh[0] > 1 && !s.sharding.collectives.some((c) => PER_STEP.test(c.reason))) {
        const bytes = collectiveWireBytes('all-reduce', s.memory.gradBytes, s.logicalMesh[0]) * devices;
        (axisCrossesNodes(s, 0) ? cross : inside).add('gradient sync', bytes, s.gradientSyncSeconds);
      }
    }
    if (s.sendBytes > 0) {
      const calls = p.microbatches * (training ? 2 : 1);
      (s.sendCrossesNodes ? cross : inside).add('cross-stage sends', s.sendBytes * calls, s.sendSeconds * calls);
    }
  }
  return { crossNode: cross.side(), inNode: inside.side(), complete };
}
