/** "Explanation": why this plan — its dominant cost terms, the runner-up and what it would cost, the search trace. */
import type { Plan } from '../../../workers/core/plan/types.ts';
import type { AlternativeStep } from '../../store/alternatives.ts';
import { formatPercent, formatSeconds } from '../../format.ts';

export function ExplanationView({ plan, alternatives }: { plan: Plan; alternatives: readonly AlternativeStep[] }) {
  const e = plan.explanation;
  return (
    <div className="space-y-2 text-sm">
      <p>{e.summary}</p>
      <ul className="list-disc pl-5">
        {e.dominantTerms.map((t) => <li key={t.term}>{t.term}: {formatSeconds(t.seconds)} ({formatPercent(t.fraction)} of the step)</li>)}
      </ul>
      {e.runnerUp && (
        <p>Runner-up <span className="font-medium">{e.runnerUp.label}</span>: {formatSeconds(e.runnerUp.stepSeconds)} per step ({(e.runnerUp.stepSeconds / plan.stepSeconds).toFixed(2)}× this plan) — {e.runnerUp.why}</p>
      )}
      {alternatives.length > 0 && (
        <p className="text-xs text-slate-500">Other plans: {alternatives.map((a) => `${a.label} ${formatSeconds(a.stepSeconds)}`).join(' · ')}</p>
      )}
      {plan.trace.length > 0 && (
        <details>
          <summary className="cursor-pointer text-xs">Search trace ({plan.trace.length} candidates)</summary>
          <table className="tabular mt-1 text-xs">
            <tbody>
              {plan.trace.map((t, i) => (
                <tr key={i} className={t.feasible ? '' : 'text-slate-400'}><td className="pr-3">{t.label}</td><td className="pr-3 text-right">{t.feasible ? formatSeconds(t.stepSeconds) : 'infeasible'}</td><td>{t.note}</td></tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </div>
  );
}
