/**
 * A number with the cost-model terms that make it up, shown on hover and on keyboard focus: the number is a tab
 * stop and the terms are its accessible description. The figure (value, formula, terms) comes from the planner
 * (workers/core/whatif); this only formats and lays it out. `data-value` carries the raw value for tests.
 */
import { useId } from 'react';
import { formatQuantity } from '../format.ts';

/** The shape of workers/core/whatif's Figure (structural, so views can pass it straight through). */
export interface ExplainedFigure {
  readonly value: number;
  readonly unit: string;
  /** How the terms combine, in words ("sum", "global batch / step"). */
  readonly formula: string;
  readonly terms: readonly { readonly label: string; readonly value: number; readonly unit: string }[];
}

export function Explained({ figure, text, className = '', testId, align = 'left' }: {
  figure: ExplainedFigure;
  /** What to show instead of the formatted value (e.g. "7.4 %" for a fraction). */
  text?: string;
  className?: string;
  testId?: string;
  /** Which edge of the number the terms hang from: 'right' for numbers at the right edge of a column. */
  align?: 'left' | 'right';
}) {
  const id = useId();
  return (
    <span tabIndex={0} aria-describedby={id} data-testid={testId} data-value={figure.value}
      className={`group relative cursor-help rounded underline decoration-slate-400 decoration-dotted underline-offset-2 outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 ${className}`}>
      {text ?? formatQuantity(figure.value, figure.unit)}
      <span role="tooltip" id={id}
        className={`pointer-events-none absolute ${align === 'right' ? 'right-0' : 'left-0'} top-full z-30 mt-1 hidden w-80 rounded border border-slate-200 bg-white p-2 text-left text-xs font-normal text-slate-800 shadow-lg group-hover:block group-focus:block dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100`}>
        <span className="mb-1 block text-slate-500 dark:text-slate-400">{figure.formula}</span>
        {figure.terms.length === 0 && <span className="block text-slate-500 dark:text-slate-400">no cost terms</span>}
        {figure.terms.map((t, i) => (
          <span key={i} className="tabular flex justify-between gap-3">
            <span className="min-w-0 truncate" title={t.label}>{t.label}</span>
            <span className="shrink-0">{formatQuantity(t.value, t.unit)}</span>
          </span>
        ))}
      </span>
    </span>
  );
}
