/**
 * Sharding specs in Alpa's notation (alpa.md §1.1): per tensor dim 'R', 'S0', 'S1' or 'S01' (split over both mesh
 * axes, axis 0 major). A spec is valid when each mesh axis splits at most one dim.
 */
import type { Link } from '../cluster/types.ts';
import type { DimSharding } from './types.ts';

export type Spec = readonly DimSharding[];
export type MeshAxis = 0 | 1;

/** The logical mesh an ILP is built for: axis sizes and the link each axis' collectives run over. */
export interface MeshCtx {
  readonly shape: readonly [number, number];
  readonly axisLinks: readonly [Link, Link];
}

const AXES: Readonly<Record<DimSharding, readonly MeshAxis[]>> = { R: [], S0: [0], S1: [1], S01: [0, 1] };

export function dimAxes(d: DimSharding): readonly MeshAxis[] {
  return AXES[d];
}

export function dimOfAxes(axes: readonly MeshAxis[]): DimSharding {
  const has0 = axes.includes(0);
  const has1 = axes.includes(1);
  return has0 && has1 ? 'S01' : has0 ? 'S0' : has1 ? 'S1' : 'R';
}

/** 'S0R', 'RS1', 'S01RR'; a scalar's spec is written 'R'. */
export function formatSpec(spec: Spec): string {
  return spec.length ? spec.join('') : 'R';
}

export function replicatedSpec(rank: number): Spec {
  return Array.from({ length: rank }, () => 'R' as const);
}

/** Number of pieces the tensor is cut into. */
export function specTiles(spec: Spec, mesh: MeshCtx): number {
  let t = 1;
  for (const d of spec) for (const a of AXES[d]) t *= mesh.shape[a];
  return t;
}

/** Mesh axes (of size > 1) that split no dim of the spec: the tensor is replicated over them. */
export function replicatedAxes(spec: Spec, mesh: MeshCtx): MeshAxis[] {
  const used = new Set<MeshAxis>();
  for (const d of spec) for (const a of AXES[d]) used.add(a);
  return ([0, 1] as const).filter((a) => mesh.shape[a] > 1 && !used.has(a));
}

/** Mesh axes of size > 1, the only ones worth splitting over. */
export function activeAxes(mesh: MeshCtx): MeshAxis[] {
  return ([0, 1] as const).filter((a) => mesh.shape[a] > 1);
}

export function axesSize(axes: readonly MeshAxis[], mesh: MeshCtx): number {
  let p = 1;
  for (const a of axes) p *= mesh.shape[a];
  return p;
}

/**
 * Every spec of `shape` whose splits divide their dims: each active mesh axis splits one dim or none, both axes on
 * one dim giving S01. Replicated first, then in a fixed order (deterministic).
 */
export function divisibleSpecs(shape: readonly number[], mesh: MeshCtx): Spec[] {
  const axes = activeAxes(mesh);
  const out: Spec[] = [];
  const choices = [-1, ...shape.map((_, i) => i)];
  const assign = (k: number, dims: number[]): void => {
    if (k === axes.length) {
      const spec: DimSharding[] = replicatedSpec(shape.length).slice();
      for (let j = 0; j < axes.length; j++) {
        const d = dims[j];
        if (d >= 0) spec[d] = dimOfAxes([...dimAxes(spec[d]), axes[j]]);
      }
      for (let d = 0; d < shape.length; d++) if (shape[d] % axesSize(dimAxes(spec[d]), mesh) !== 0) return;
      out.push(spec);
      return;
    }
    for (const c of choices) assign(k + 1, [...dims, c]);
  };
  assign(0, []);
  return out;
}

export function specKey(spec: Spec): string {
  return spec.join(',');
}
