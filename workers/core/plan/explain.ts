/**
 * Every plan explains itself (DESIGN.md "Beyond the paper"): the cost terms that dominate its step, and the
 * runner-up with the term by which it lost.
 */
import type { Explanation, Plan, PlanBreakdown } from './types.ts';

const TERMS: readonly { key: keyof PlanBreakdown; name: string }[] = [
  { key: 'computeSeconds', name: 'compute' },
  { key: 'intraStageCommunicationSeconds', name: 'intra-stage communication' },
  { key: 'bubbleSeconds', name: 'pipeline bubble' },
  { key: 'gradientSyncSeconds', name: 'gradient synchronisation' },
  { key: 'crossStageSeconds', name: 'cross-stage transfer (overlapped)' },
];

function fmtSeconds(s: number): string {
  return s >= 1 ? `${s.toFixed(2)} s` : `${(s * 1000).toFixed(1)} ms`;
}

/** The schedule when it is not 1F1B (the default), with interleaved 1F1B's chunks per device. */
export function scheduleText(p: Pick<Plan, 'schedule' | 'virtualStages' | 'stages'>): string {
  if (p.stages.length < 2 || p.schedule === '1f1b' || p.schedule === 'inference') return '';
  if (p.schedule === 'interleaved') return (p.virtualStages ?? 1) > 1 ? `, interleaved 1F1B with ${p.virtualStages} chunks per device` : ', interleaved 1F1B with 1 chunk per device (1F1B)';
  return `, ${({ gpipe: 'GPipe', 'eager-1f1b': 'eager 1F1B', 'zb-h1': 'zero-bubble ZB-H1', 'zb-v': 'zero-bubble ZB-V (two chunks per device in a V)' } as Record<string, string>)[p.schedule] ?? p.schedule}`;
}

function describe(p: Plan): string {
  const shapes = new Map<string, number>();
  for (const s of p.stages) {
    const k = `${s.submeshShape.join('x')} as ${s.logicalMesh.join('x')}`;
    shapes.set(k, (shapes.get(k) ?? 0) + 1);
  }
  const meshes = [...shapes].map(([k, n]) => `${n} x ${k}`).join(', ');
  const remat = p.stages.filter((s) => s.remat).length;
  const selective = p.stages.filter((s) => s.recompute === 'selective').length;
  return `${p.stages.length} stage${p.stages.length > 1 ? 's' : ''} (${meshes}), ${p.microbatches} micro-batches${scheduleText(p)}` +
    (remat ? `, remat on ${remat === p.stages.length ? 'all' : remat} stage${remat > 1 ? 's' : ''}` : '') +
    (selective ? `, selective recompute (attention) on ${selective === p.stages.length ? 'all stages' : `${selective} stage${selective > 1 ? 's' : ''}`}` : '');
}

export function explain(plan: Plan, runnerUp?: Plan): Explanation {
  const step = plan.stepSeconds;
  const dominantTerms = TERMS.map((t) => ({ term: t.name, seconds: plan.breakdown[t.key], fraction: step > 0 ? plan.breakdown[t.key] / step : 0 }))
    .filter((t) => t.seconds > 0)
    .sort((a, b) => b.seconds - a.seconds);
  const top = dominantTerms[0];
  const summary = `${plan.label}: ${describe(plan)}; step ${fmtSeconds(step)}, ${plan.tflopsPerGpu.toFixed(1)} TFLOP/s per GPU` +
    (top ? `; ${top.term} is ${(top.fraction * 100).toFixed(0)}% of the step` : '') +
    (plan.feasible ? '' : `; does not fit: ${plan.infeasibleReason}`);
  if (!runnerUp) return { summary, dominantTerms };
  let why: string;
  if (!runnerUp.feasible) why = `it does not fit in memory (${runnerUp.infeasibleReason})`;
  else {
    const diffs = TERMS.map((t) => ({ name: t.name, delta: runnerUp.breakdown[t.key] - plan.breakdown[t.key] }))
      .filter((d) => !d.name.startsWith('cross-stage'))
      .sort((a, b) => b.delta - a.delta);
    const worst = diffs[0];
    why = `${fmtSeconds(runnerUp.stepSeconds - step)} slower per step (${describe(runnerUp)})` +
      (worst && worst.delta > 0 ? `: its ${worst.name} is ${fmtSeconds(worst.delta)} longer` : '');
  }
  const label = runnerUp.label === plan.label ? `${runnerUp.label}, ${describe(runnerUp)}` : runnerUp.label;
  return { summary, dominantTerms, runnerUp: { label, stepSeconds: runnerUp.stepSeconds, why } };
}
