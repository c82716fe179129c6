/** A column's numbers, each with the cost-model terms behind it on hover and focus (the core's Figures). */
import type { ReactNode } from 'react';
import { Explained } from '../../components/Explained.tsx';
import { formatPercent, formatQuantity } from '../../format.ts';
import type { TermChange } from '../../../workers/core/whatif/diff.ts';
import type { PlanSummary } from '../../../workers/core/whatif/types.ts';

/** A label that may wrap beside a value that never does (columns get narrow with four side by side). */
function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex items-baseline justify-between gap-2">
      <dt className="min-w-0 text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className="tabular shrink-0 whitespace-nowrap text-right">{children}</dd>
    </div>
  );
}

/** How the step moved against the first column (lower is better), from the core's term diff. */
function StepChange({ step }: { step?: TermChange }) {
  if (!step || !Number.isFinite(step.ratio) || Math.abs(step.ratio - 1) < 0.005) return null;
  const faster = step.ratio < 1;
  return (
    <span className={`ml-1 text-xs ${faster ? 'text-emerald-700 dark:text-emerald-400' : 'text-red-700 dark:text-red-400'}`}
      title={`step ${formatQuantity(step.base, 's')} in scenario 1 -> ${formatQuantity(step.other, 's')}`}>
      {faster ? '▼' : '▲'} {formatPercent(Math.abs(step.ratio - 1))}
    </span>
  );
}

const meshText = (s: PlanSummary['stages'][number]) => `${s.submeshShape.join('x')} as (${s.logicalMesh.join(',')})`;

export function ColumnFigures({ summary, step }: { summary: PlanSummary; step?: TermChange }) {
  return (
    <dl className="space-y-0.5 text-sm">
      <Row label="step time"><Explained align="right" figure={summary.stepSeconds} testId="column-step-time" /><StepChange step={step} /></Row>
      <Row label="samples/s"><Explained align="right" figure={summary.samplesPerSecond} text={formatQuantity(summary.samplesPerSecond.value, '1')} /></Row>
      {summary.tokensPerSecond && <Row label="tokens/s"><Explained align="right" figure={summary.tokensPerSecond} text={formatQuantity(summary.tokensPerSecond.value, '1')} /></Row>}
      <Row label="TFLOP/s per GPU, model"><Explained align="right" figure={summary.modelTflopsPerGpu} /></Row>
      <Row label="TFLOP/s per GPU, with recompute"><Explained align="right" figure={summary.tflopsPerGpu} /></Row>
      <Row label={`headroom, tightest stage (${summary.headroom.stage})`}>
        <Explained align="right" figure={summary.headroom.bytes} className={summary.headroom.fraction < 0 ? 'text-red-700 dark:text-red-400' : ''} />
        <span className="ml-1 text-xs text-slate-500 dark:text-slate-400">{formatPercent(summary.headroom.fraction)}</span>
      </Row>
      <Row label="stages"><span data-testid="column-stage-count">{summary.stageCount}</span></Row>
      <dd className="flex flex-wrap gap-x-2 text-xs text-slate-600 dark:text-slate-300" aria-label="Stage meshes">
        {summary.stages.map((s) => <span key={s.index} className="whitespace-nowrap">{`s${s.index}: ${meshText(s)}${s.remat ? ' remat' : s.recompute === 'selective' ? ' selective' : ''}`}</span>)}
      </dd>
      {summary.costPerStep && <Row label="cost per step"><Explained align="right" figure={summary.costPerStep} /></Row>}
      {summary.costPerMillionTokens && <Row label="cost per M tokens"><Explained align="right" figure={summary.costPerMillionTokens} /></Row>}
    </dl>
  );
}
