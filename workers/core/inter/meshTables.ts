/**
 * The stage search's layer cost tables (stageCosts.ts layerCostTable) kept per cost context, micro-batch size and
 * mesh, so that a mesh's tables can be built as soon as its units are profiled: while the intra-op solves of the
 * other meshes run on another thread, the thread that runs the search would otherwise wait idle, and then price
 * every mesh at every micro-batch size once the last solve is in (GPT-39B on 8x8: ~0.1 s of tables, most of it
 * then done ahead). A table does not depend on the other meshes', so building it early or late gives the same one.
 */
import type { Unit } from './units.ts';
import { profileKey, type ProfileHooks } from './profileUnits.ts';
import { cancellationPoint, type CancelSignal } from '../progress.ts';
import { usableAt } from './seqParallel.ts';
import { layerCostTable, type CostContext, type LayerCosts } from './stageCosts.ts';

const built = new WeakMap<CostContext, Map<number, Map<number, LayerCosts>>>();

function tablesOf(ctx: CostContext, batch: number): Map<number, LayerCosts> {
  let byBatch = built.get(ctx);
  if (!byBatch) built.set(ctx, (byBatch = new Map()));
  let byMesh = byBatch.get(batch);
  if (!byMesh) byBatch.set(batch, (byMesh = new Map()));
  return byMesh;
}

/** The tables of meshes `ids` the DP may use at `batch` (built now where missing), the others as built so far
 * (undefined where not built, and always where the DP may not use the mesh). */
export function meshTables(ctx: CostContext, batch: number, ids: readonly number[]): (LayerCosts | undefined)[] {
  const have = tablesOf(ctx, batch);
  const missing = new Set(ids.filter((id) => usableAt(batch, ctx.space.meshes[id]) && !have.has(id)));
  if (missing.size) {
    const fresh = layerCostTable(ctx, batch, (m) => missing.has(m.id));
    for (const id of missing) have.set(id, fresh[id]!);
  }
  return ctx.space.meshes.map((m) => have.get(m.id));
}

/** layerCostTable(ctx, batch, mesh => usableAt(batch, mesh)), each mesh's table built once per context. */
export function searchTables(ctx: CostContext, batch: number): (LayerCosts | undefined)[] {
  return meshTables(ctx, batch, ctx.space.meshes.map((m) => m.id));
}

/**
 * Runs `work(g)`'s steps for each group of meshes (a sub-mesh's logical meshes) once every unit is profiled on all
 * of them; `hooks` are to be given to profileUnits. Nothing runs before every profile job has been handed out (the
 * intra-op solves posted to their thread); then the steps run one at a time, each after a cancellationPoint, so that
 * a cancel is heard within one step and the caller's other work interleaves; `stop` ends it (the search builds what
 * is left).
 */
export function aheadOfProfiles(ctx: CostContext, units: readonly Unit[], groups: readonly (readonly number[])[],
  work: (group: number) => readonly (() => void)[], signal?: CancelSignal): { hooks: ProfileHooks; stop: () => void } {
  const groupsOf = new Map<string, number[]>();
  const pending = groups.map((ids, g) => {
    const keys = new Set(ids.flatMap((id) => {
      const mesh = ctx.space.meshes[id];
      return units.map((u) => profileKey(u, mesh, ctx.space.submeshes[mesh.shape]));
    }).filter((k) => !ctx.profiles.has(k)));
    for (const k of keys) groupsOf.set(k, [...(groupsOf.get(k) ?? []), g]);
    return keys.size;
  });
  const queue: (() => void)[] = [];
  let stopped = false;
  let started = false;
  let running = false;
  const run = async (): Promise<void> => {
    running = true;
    while (queue.length) {
      await cancellationPoint(signal);
      if (stopped) break;
      queue.shift()!();
    }
    running = false;
  };
  // A failure (cancelled) leaves the work to the search, which is then not run.
  const kick = (): void => { if (started && queue.length && !running && !stopped) run().catch(() => { stopped = true; }); };
  return {
    hooks: {
      profiled: (key) => {
        for (const g of groupsOf.get(key) ?? []) if (--pending[g] === 0) queue.push(...work(g));
        kick();
      },
      allStarted: () => { started = true; kick(); },
    },
    stop: () => { stopped = true; },
  };
}
