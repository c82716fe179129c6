/**
 * Resharding a tensor from the spec its producer leaves to the spec a consumer needs (alpa.md §1.1): a new split is
 * a free local slice, a dropped split an all-gather on that axis, a split moving to another dim an all-to-all.
 * Unlike Alpa no pair is INF: every pair gets a finite price, so the ILP is always feasible.
 */
import { collectiveSeconds } from '../cost/collectives.ts';
import type { CollectiveKind } from '../cost/collectives.ts';
import { dimAxes, type MeshAxis, type MeshCtx, type Spec, specTiles } from './specs.ts';

/** One collective on one mesh axis (or both, '01'); bytes is the full message (cost/collectives.ts). */
export interface CommStep {
  readonly kind: CollectiveKind;
  readonly axes: readonly MeshAxis[];
  readonly bytes: number;
}

/**
 * Seconds of a collective over one axis or over both. Over both axes it runs hierarchically: an all-reduce is
 * reduce-scatter on axis 1, all-reduce of the 1/n1 shard on axis 0, all-gather on axis 1; a gather or scatter
 * moves B/n1 on axis 0 and B on axis 1; an all-to-all runs on each axis.
 */
export function commSeconds(step: CommStep, mesh: MeshCtx): number {
  const axes = step.axes.filter((a) => mesh.shape[a] > 1);
  if (axes.length === 0 || step.bytes <= 0) return 0;
  const on = (kind: CollectiveKind, bytes: number, a: MeshAxis): number =>
    collectiveSeconds(kind, bytes, mesh.shape[a], mesh.axisLinks[a]);
  if (axes.length === 1) return on(step.kind, step.bytes, axes[0]);
  const b = step.bytes;
  const n1 = mesh.shape[1];
  switch (step.kind) {
    case 'all-reduce': return on('reduce-scatter', b, 1) + on('all-reduce', b / n1, 0) + on('all-gather', b, 1);
    case 'all-gather':
    case 'reduce-scatter': return on(step.kind, b / n1, 0) + on(step.kind, b, 1);
    case 'all-to-all': return on('all-to-all', b, 0) + on('all-to-all', b, 1);
    case 'send-recv': return on('send-recv', b, 0);
  }
}

/**
 * Collectives turning `from` into `to` for a tensor of `bytes` in total. Moves (all-to-all) come first, on the
 * smaller shards, then gathers; each gather multiplies the shard size by its axis size.
 */
export function reshardSteps(bytes: number, from: Spec, to: Spec, mesh: MeshCtx): CommStep[] {
  let shard = bytes / specTiles(from, mesh);
  const moves: MeshAxis[] = [];
  const gathers: MeshAxis[] = [];
  for (let d = 0; d < from.length; d++) {
    for (const a of dimAxes(from[d])) {
      if (mesh.shape[a] <= 1 || dimAxes(to[d]).includes(a)) continue;
      if (to.some((t, e) => e !== d && dimAxes(t).includes(a))) moves.push(a);
      else gathers.push(a);
    }
  }
  const steps: CommStep[] = [];
  for (const a of moves) steps.push({ kind: 'all-to-all', axes: [a], bytes: shard * mesh.shape[a] });
  for (const a of gathers) {
    shard *= mesh.shape[a];
    steps.push({ kind: 'all-gather', axes: [a], bytes: shard });
  }
  return steps;
}

export function stepsSeconds(steps: readonly CommStep[], mesh: MeshCtx): number {
  let s = 0;
  for (const step of steps) s += commSeconds(step, mesh);
  return s;
}

export function reshardSeconds(bytes: number, from: Spec, to: Spec, mesh: MeshCtx): number {
  return stepsSeconds(reshardSteps(bytes, from, to, mesh), mesh);
}

/**
 * Collectives on the gradient in backward for a forward reshard `from` -> `to`. An activation's gradient takes the
 * reverse reshard. A parameter's gradient (a partial sum over the devices that split its consumer's work) mirrors
 * each forward all-gather with a reduce-scatter (ZeRO-3: gather weights forward, reduce-scatter gradients
 * backward); where the forward only sliced, the partial gradients are summed by the parameter's gradient
 * synchronisation, so nothing runs here.
 */
export function backwardReshardSteps(bytes: number, from: Spec, to: Spec, mesh: MeshCtx, parameter: boolean): CommStep[] {
  if (!parameter) return reshardSteps(bytes, to, from, mesh);
  return reshardSteps(bytes, from, to, mesh).map((s): CommStep => (s.kind === 'all-gather' ? { ...s, kind: 'reduce-scatter' } : s));
}
