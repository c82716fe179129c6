/**
 * The searched plan contains what a user can force (issue 14): `--ep N`, `--zero N`, `--sp on|off`, `--cp N`,
 * `--remat ...` and `--intra manual` each narrow the search's options, so the DP's optimum over all of them is
 * priced at most what any narrowed search's is. It is not always simulated so: the DP prices a send by the chance
 * that its stage ends at a node boundary (inter/sends.ts sendEstimate) and a pipeline's period by its whole round
 * trip, so two slicings priced within 0.01% of each other can simulate 7% apart once placement puts their sends
 * across nodes (MoE-10B on 2x8 at 128 micro-batches: 9.6188 s priced, 10.36 s simulated, against --ep 2's slicing,
 * 9.6190 s priced and 9.61 s simulated). Where the simulator shows the DP was measurably wrong on the candidate that
 * simulates best, its micro-batch count is solved again once per narrowing the candidate does not already satisfy, and
 * each answer is simulated: the simulated step decides, as among the DP's candidates. A narrowing every stage of the
 * candidate already satisfies has the same optimum (the candidate is in it, and nothing in it prices below the whole
 * space's optimum), so it is skipped.
 */
import type { MeshChoice, MeshSpace } from '../inter/meshSpace.ts';
import { searchStages, type Candidate, type SearchInput } from '../inter/search.ts';
import type { CancelSignal } from '../progress.ts';
import type { Plan, SearchTraceEntry } from './types.ts';
import { seqChoiceOf } from '../inter/seqParallel.ts';
import type { Recompute } from '../inter/stageCore.ts';
import type { ZeroLevel } from '../inter/zeroSums.ts';

/** How far above its DP objective a candidate must simulate before its micro-batch count is solved again under
 * each narrowing (as plan/searched.ts LATE_SYNC_GAP: only where the DP was measurably wrong). */
export const ALTERNATIVE_GAP = 0.03;

/** A narrowing of the search's options, as one forcing flag gives it. */
export interface Narrowing {
  /** What a user would force for it ('--ep 2', '--intra manual'). */
  readonly flag: string;
  readonly keepMesh?: (mesh: MeshChoice) => boolean;
  readonly remat?: readonly Recompute[];
  readonly zeroLevels?: readonly ZeroLevel[];
}

const REMAT_FLAG: Record<Recompute, string> = { none: 'off', full: 'on', selective: 'selective' };

const isIlp = (mesh: MeshChoice): boolean => seqChoiceOf(mesh.variant).base.startsWith('ilp');

/** The expert-parallel degree of a template variant (inter/expertChoice.ts expertVariant); undefined for the ILP's. */
export function expertDegreeOf(mesh: MeshChoice): number | undefined {
  const base = seqChoiceOf(mesh.variant).base;
  if (base === 'template-dense') return 1;
  if (base === 'template') return mesh.logical[0];
  const ep = /^template-ep(\d+)$/.exec(base);
  return ep ? Number(ep[1]) : undefined;
}

/**
 * Whether the candidate that simulates best is worth solving again under narrowings: the simulator put it more than
 * ALTERNATIVE_GAP above the DP's price, so slicings the DP priced a little higher may simulate lower. Only the best
 * simulated candidate is: each narrowing costs a stage problem and its DP (GPT-39B's search, where the winner
 * simulates at its price, pays nothing), and one that already loses in simulation is the less likely to have a
 * winning neighbour.
 */
export function worthAlternatives(candidate: Candidate, simulatedSeconds: number): boolean {
  return simulatedSeconds > candidate.objectiveSeconds * (1 + ALTERNATIVE_GAP);
}

/**
 * The narrowings a user could force on this search that the candidate does not already satisfy at every stage:
 * template strategies only (where it has ILP stages), each expert-parallel degree (MoE), each ZeRO level (0 too,
 * which `--zero 0` forces), each recomputation, SP on and off, each context-parallel degree the space offers.
 */
export function narrowingsFor(candidate: Candidate, space: MeshSpace, input: Pick<SearchInput, 'remat' | 'zeroLevels'>, hasExperts: boolean): Narrowing[] {
  const meshes = candidate.stages.map((s) => space.meshes[s.core.meshId]);
  const out: Narrowing[] = [];
  if (meshes.some(isIlp)) out.push({ flag: '--intra manual', keepMesh: (m) => !isIlp(m) });
  if (hasExperts) {
    const degrees = [...new Set(space.meshes.map(expertDegreeOf).filter((d) => d !== undefined))].sort((a, b) => b - a);
    for (const d of degrees) {
      if (!meshes.every((m) => expertDegreeOf(m) === d)) out.push({ flag: `--ep ${d}`, keepMesh: (m) => expertDegreeOf(m) === d });
    }
  }
  if (input.zeroLevels && input.zeroLevels.length > 1) {
    for (const z of [0, ...input.zeroLevels] as ZeroLevel[]) {
      if (!candidate.stages.every((s) => (s.core.zero ?? z) === z)) out.push({ flag: `--zero ${z}`, zeroLevels: [z] });
    }
  }
  if (input.remat.length > 1) {
    for (const r of input.remat) if (!candidate.stages.every((s) => s.core.recompute === r)) out.push({ flag: `--remat ${REMAT_FLAG[r]}`, remat: [r] });
  }
  const seq = space.meshes.map((m) => seqChoiceOf(m.variant));
  if (seq.some((c) => c.sp)) {
    // --sp on leaves meshes without a tensor-parallel axis as they are (inter/seqParallel.ts seqVariants).
    if (!meshes.every((m) => seqChoiceOf(m.variant).sp || m.logical[1] === 1)) out.push({ flag: '--sp on', keepMesh: (m) => seqChoiceOf(m.variant).sp || m.logical[1] === 1 });
    if (!meshes.every((m) => !seqChoiceOf(m.variant).sp)) out.push({ flag: '--sp off', keepMesh: (m) => !seqChoiceOf(m.variant).sp });
  }
  const cps = [...new Set(seq.map((c) => c.cp))].sort((a, b) => a - b);
  if (cps.length > 1) {
    for (const cp of cps) {
      if (!meshes.every((m) => seqChoiceOf(m.variant).cp === cp)) out.push({ flag: `--cp ${cp}`, keepMesh: (m) => seqChoiceOf(m.variant).cp === cp });
    }
  }
  return out;
}

/**
 * The best simulated candidate, when worth it (worthAlternatives), solved again at its micro-batch count under each
 * narrowing; the best answer of each is assembled (placed and simulated), and a trace line names the best of them.
 */
export async function narrowedPlans(input: SearchInput, simulated: ReadonlyMap<Candidate, Plan>, hasExperts: boolean,
  assemble: (c: Candidate) => Plan | undefined, signal?: CancelSignal): Promise<{ plans: Plan[]; trace: SearchTraceEntry[]; dpRuns: number }> {
  const plans: Plan[] = [];
  const trace: SearchTraceEntry[] = [];
  let dpRuns = 0;
  // The step objective only: under the throughput objective the DP's figure is not a step to compare with.
  const feasible = [...simulated].filter(([, p]) => p.feasible).sort(([, p], [, q]) => p.stepSeconds - q.stepSeconds);
  if (input.objective !== 'step' || !feasible.length) return { plans, trace, dpRuns };
  // The best simulated candidate, and any other whose DP price promised better than that best and whose simulation
  // missed its price: its micro-batch count may hold a narrowed layout that beats the best (MoE-10B fp16-mixed on
  // p3.16xlarge:2x8: B=64 priced 9.07 s, --zero 0 there simulates 9.58 s against the best's 9.60 s).
  const best = feasible[0][1].stepSeconds;
  const counts = new Set<number>();
  const targets = feasible.filter(([c, q], i) => worthAlternatives(c, q.stepSeconds) && (i === 0 || c.objectiveSeconds < best)
    && !counts.has(c.microbatches) && counts.add(c.microbatches));
  for (const [candidate, p] of targets) {
    let top: { flag: string; plan: Plan } | undefined;
    const narrowings = narrowingsFor(candidate, input.cost.space, input, hasExperts);
    for (const { flag, ...narrow } of narrowings) {
      const again = await searchStages({ ...input, ...narrow, microbatchCounts: [candidate.microbatches] }, undefined, signal);
      dpRuns += again.dpRuns;
      const q = again.candidates[0] && assemble(again.candidates[0]);
      if (!q) continue;
      plans.push(q);
      if (q.feasible && (!top || q.stepSeconds < top.plan.stepSeconds)) top = { flag, plan: q };
    }
    trace.push({
      label: `B=${candidate.microbatches}, solved again under ${narrowings.length} narrowings`, stepSeconds: top?.plan.stepSeconds ?? Infinity, feasible: top !== undefined,
      note: `the DP's ${candidate.objectiveSeconds.toPrecision(4)} s simulated ${p.stepSeconds.toPrecision(4)} s${top ? `; best narrowed (${top.flag}) simulates ${top.plan.stepSeconds.toPrecision(4)} s` : ''}`,
    });
  }
  return { plans, trace, dpRuns };
}
