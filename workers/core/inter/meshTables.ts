/**
 * The stage search's layer cost tables (stageCosts.ts layerCostTable) kept per cost context, micro-batch size and
 * mesh, so that a mesh's tables can be built as soon as its units are profiled: while the intra-op solves of the
 * other meshes run on another thread, the thread that runs the search would otherwise wait idle, and then price
 * every mesh at every micro-batch size once the last solve is in (GPT-39B on 8x8: ~0.1 s of tables, most of it
 * then done ahead). A table does not depend on the other meshes', so building it early or late gives the same one.
 */
import type { Unit } from './units.ts';
import type { MeshChoice } from './meshSpace.ts';
import { profileKey } from './profileUnits.ts';
import { cancellationPoint, type CancelSignal } from '../progress.ts';
import { dataParallelOf } from './seqParallel.ts';
import { layerCostTable, type CostContext, type LayerCosts } from './stageCosts.ts';

/** Whether the DP may use a mesh for micro-batches of b samples: its data-parallel axis divides them. */
export function usableAt(b: number, mesh: MeshChoice): boolean {
  return b % dataParallelOf(mesh.logical, mesh.variant) === 0;
}

const built = new WeakMap<CostContext, Map<number, Map<number, LayerCosts>>>();

function tablesOf(ctx: CostContext, batch: number): Map<number, LayerCosts> {
  let byBatch = built.get(ctx);
  if (!byBatch) built.set(ctx, (byBatch = new Map()));
  let byMesh = byBatch.get(batch);
  if (!byMesh) byBatch.set(batch, (byMesh = new Map()));
  return byMesh;
}

/** layerCostTable(ctx, batch, mesh => usableAt(batch, mesh)), each mesh's table built once per context. */
export function searchTables(ctx: CostContext, batch: number): (LayerCosts | undefined)[] {
  const have = tablesOf(ctx, batch);
  const missing = ctx.space.meshes.filter((m) => usableAt(batch, m) && !have.has(m.id));
  if (missing.length) {
    const ids = new Set(missing.map((m) => m.id));
    const fresh = layerCostTable(ctx, batch, (m) => ids.has(m.id));
    for (const id of ids) have.set(id, fresh[id]!);
  }
  return ctx.space.meshes.map((m) => (usableAt(batch, m) ? have.get(m.id) : undefined));
}

/**
 * Builds each mesh's tables at every micro-batch size as soon as the profiles of all its units are in: `profiled`
 * is called with each profile key as it is stored; the tables are built one mesh at a time, yielding in between
 * (cancellationPoint), so that the caller's solves are posted first and its other work interleaves; `stop` ends it
 * (the search builds whatever is left).
 */
export function tablesAhead(ctx: CostContext, units: readonly Unit[], batches: readonly number[], signal?: CancelSignal):
  { profiled: (key: string) => void; stop: () => void } {
  const meshesOf = new Map<string, number[]>();
  const pending = new Map<number, number>();
  for (const mesh of ctx.space.meshes) {
    const sub = ctx.space.submeshes[mesh.shape];
    const keys = new Set(units.map((u) => profileKey(u, mesh, sub)).filter((k) => !ctx.profiles.has(k)));
    pending.set(mesh.id, keys.size);
    for (const k of keys) meshesOf.set(k, [...(meshesOf.get(k) ?? []), mesh.id]);
  }
  const ready: number[] = [];
  let stopped = false;
  let running = false;
  const build = async (): Promise<void> => {
    running = true;
    while (ready.length) {
      await cancellationPoint(signal);
      if (stopped) break;
      const id = ready.shift()!;
      for (const b of batches) {
        const have = tablesOf(ctx, b);
        if (usableAt(b, ctx.space.meshes[id]) && !have.has(id)) have.set(id, layerCostTable(ctx, b, (m) => m.id === id)[id]!);
      }
    }
    running = false;
  };
  return {
    profiled: (key) => {
      for (const id of meshesOf.get(key) ?? []) {
        const left = pending.get(id)! - 1;
        pending.set(id, left);
        if (left === 0) ready.push(id);
      }
      // A failure (cancelled) leaves the tables to the search, which is then not run.
      if (ready.length && !running && !stopped) build().catch(() => { stopped = true; });
    },
    stop: () => { stopped = true; },
  };
}
