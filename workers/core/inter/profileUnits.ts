/**
 * Profiles of each distinct unit (structural hash) on each logical mesh: one intra-op solve (or fixed strategy)
 * per (hash, strategy source, GPU, mesh shape, links), memoised by that key and run on a pool of workers.
 */
import type { Link } from '../cluster/types.ts';
import { cancellationPoint, type CancelSignal, type ProgressCallback } from '../progress.ts';
import type { MeshChoice, MeshSpace, SubmeshChoice } from './meshSpace.ts';
import type { UnitProfile } from './unitProfile.ts';
import type { Unit } from './units.ts';

/** Produces a unit's profile on a logical mesh: the intra-op pass, or a fixed strategy. */
export type ProfileFn = (unit: Unit, mesh: MeshChoice, submesh: SubmeshChoice) => Promise<UnitProfile>;

function linkKey(l: Link): string {
  return `${l.bandwidthBytesPerSecond}/${l.latencySeconds}`;
}

export function profileKey(unit: Unit, mesh: MeshChoice, submesh: SubmeshChoice): string {
  return `${unit.hash}|${mesh.variant}|${submesh.gpu}|${mesh.logical.join('x')}|${linkKey(mesh.links[0])}|${linkKey(mesh.links[1])}`;
}

/** Memoised profiles: key -> profile. Plain object so that it serialises. */
export type ProfileTable = ReadonlyMap<string, UnitProfile>;

/** What a caller hears while units are profiled: each key as its profile is stored, and when the last job has been
 * handed to the ProfileFn (an intra-op solve posted to its thread). */
export interface ProfileHooks {
  readonly profiled?: (key: string) => void;
  readonly allStarted?: () => void;
}

/**
 * Profiles every distinct unit on every mesh, at most `concurrency` jobs at once (a pool-backed ProfileFn runs
 * them on several workers), checking `signal` before each job and reporting progress at most every 100 ms.
 */
export async function profileUnits(units: readonly Unit[], space: MeshSpace, profile: ProfileFn,
  progress?: ProgressCallback, signal?: CancelSignal, into: Map<string, UnitProfile> = new Map(), concurrency = 1,
  hooks: ProfileHooks = {}): Promise<Map<string, UnitProfile>> {
  const jobs: { unit: Unit; mesh: MeshChoice; sub: SubmeshChoice; key: string }[] = [];
  const queued = new Set<string>();
  for (const sub of space.submeshes) for (const mesh of sub.meshes) for (const unit of units) {
    const key = profileKey(unit, mesh, sub);
    if (into.has(key) || queued.has(key)) continue;
    queued.add(key);
    jobs.push({ unit, mesh, sub, key });
  }
  let last = 0;
  let next = 0;
  let done = 0;
  let started = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      // Taken before the cancellation point yields: another worker may take the last jobs meanwhile.
      const j = jobs[next++];
      await cancellationPoint(signal);
      const answer = profile(j.unit, j.mesh, j.sub);
      if (++started === jobs.length) hooks.allStarted?.();
      into.set(j.key, await answer);
      hooks.profiled?.(j.key);
      done++;
      const now = Date.now();
      if (progress && (now - last >= 100 || done === jobs.length)) { last = now; progress({ phase: 'stage costs', done, total: jobs.length }); }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, jobs.length)) }, worker));
  return into;
}
