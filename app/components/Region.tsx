/** A named page region: `role="region"` with its accessible name, which is also its visible heading. */
import type { ReactNode } from 'react';

export function Region({ name, children, actions, className = '' }: { name: string; children: ReactNode; actions?: ReactNode; className?: string }) {
  return (
    <section role="region" aria-label={name} className={`rounded-lg border border-slate-200 bg-white p-3 dark:border-slate-700 dark:bg-slate-900 ${className}`}>
      <div className="mb-2 flex items-center justify-between gap-2">
        <h2 className="text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">{name}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

/** Shown in a plan view before any plan exists. */
export function Empty({ children }: { children: ReactNode }) {
  return <p className="text-sm text-slate-500 dark:text-slate-400">{children}</p>;
}

export const buttonClass =
  'rounded border border-slate-300 bg-white px-2 py-1 text-sm hover:bg-slate-100 disabled:cursor-not-allowed disabled:opacity-40 dark:border-slate-600 dark:bg-slate-800 dark:hover:bg-slate-700';
export const primaryButtonClass =
  'rounded bg-indigo-600 px-3 py-1 text-sm font-medium text-white hover:bg-indigo-500 disabled:cursor-not-allowed disabled:opacity-40';
export const inputClass =
  'rounded border border-slate-300 bg-white px-1.5 py-0.5 text-sm dark:border-slate-600 dark:bg-slate-800';
