/** Geometry of the Stages view: the layer strip (a segment per stage, width by its layer count) and device owners. */
import type { Plan } from '../../../workers/core/plan/types.ts';

export interface StripSegment {
  readonly stage: number;
  readonly x: number;
  readonly width: number;
  readonly firstLayer: number;
  /** Exclusive. */
  readonly endLayer: number;
}

export function layerStrip(plan: Plan, width: number): StripSegment[] {
  const total = Math.max(1, ...plan.stages.map((s) => s.layers[1]));
  return plan.stages.map((s) => ({
    stage: s.index,
    x: (s.layers[0] / total) * width,
    width: ((s.layers[1] - s.layers[0]) / total) * width,
    firstLayer: s.layers[0],
    endLayer: s.layers[1],
  }));
}

/** Stage index owning each global device index. */
export function deviceOwners(plan: Plan): Map<number, number> {
  const owners = new Map<number, number>();
  for (const s of plan.stages) for (const d of s.devices) owners.set(d, s.index);
  return owners;
}
