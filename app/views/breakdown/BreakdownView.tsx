/** "Breakdown": the step split into compute, intra-stage communication, cross-stage transfer, bubble and gradient
 * sync (as the planner attributes it), with throughput. */
import type { Plan, PlanBreakdown } from '../../../workers/core/plan/types.ts';
import { formatPercent, formatSeconds, formatTflops, sig3 } from '../../format.ts';

const TERMS: readonly { key: keyof PlanBreakdown; label: string; color: string; means: string }[] = [
  { key: 'computeSeconds', label: 'compute', color: '#4e79a7', means: 'forward and backward kernels (and recomputation) of the stages' },
  { key: 'intraStageCommunicationSeconds', label: 'intra-stage comm', color: '#f28e2b', means: 'collectives inside each stage mesh implied by its operator sharding (all-reduce, all-gather, reduce-scatter, all-to-all)' },
  { key: 'crossStageSeconds', label: 'cross-stage', color: '#9ca3af', means: 'activations and gradients sent between consecutive stages' },
  { key: 'bubbleSeconds', label: 'bubble', color: '#e15759', means: 'pipeline idle time while stages wait (fill and drain of the schedule)' },
  { key: 'gradientSyncSeconds', label: 'gradient sync', color: '#7c3aed', means: 'once-per-step gradient synchronisation of data-parallel replicas' },
];
const W = 640;

export function BreakdownView({ plan }: { plan: Plan }) {
  const total = TERMS.reduce((s, t) => s + plan.breakdown[t.key], 0) || 1;
  let x = 0;
  return (
    <div className="space-y-2">
      <dl className="tabular flex flex-wrap gap-x-6 gap-y-1 text-sm">
        <div><dt className="text-xs text-slate-500">step time</dt><dd className="font-semibold">{formatSeconds(plan.stepSeconds)}</dd></div>
        <div><dt className="text-xs text-slate-500">TFLOP/s per GPU</dt><dd className="font-semibold" title="the paper's definition (recomputation counted)">{formatTflops(plan.tflopsPerGpu)}</dd></div>
        <div><dt className="text-xs text-slate-500">model TFLOP/s per GPU</dt><dd>{formatTflops(plan.modelTflopsPerGpu)}</dd></div>
        <div><dt className="text-xs text-slate-500">samples/s</dt><dd className="font-semibold">{sig3(plan.samplesPerSecond)}</dd></div>
        <div><dt className="text-xs text-slate-500">search</dt><dd>{formatSeconds(plan.searchSeconds)}</dd></div>
      </dl>
      <svg data-figure role="img" aria-label="Step time breakdown" viewBox={`0 0 ${W} 26`} className="w-full max-w-3xl">
        {TERMS.map((t) => {
          const w = (plan.breakdown[t.key] / total) * W;
          const el = <rect key={t.key} x={x} y={2} width={w} height={22} fill={t.color}><title>{`${t.label}: ${formatSeconds(plan.breakdown[t.key])} — ${t.means}`}</title></rect>;
          x += w;
          return el;
        })}
      </svg>
      <table className="tabular text-sm">
        <tbody>
          {TERMS.map((t) => (
            <tr key={t.key} title={t.means}>
              <td className="pr-3"><span className="mr-1 inline-block h-2.5 w-2.5 rounded-sm" style={{ background: t.color }} />{t.label}</td>
              <td className="pr-3 text-right">{formatSeconds(plan.breakdown[t.key])}</td>
              <td className="text-right text-slate-500">{formatPercent(plan.breakdown[t.key] / total)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
