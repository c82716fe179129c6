/** The header: scenario name, Plan / Cancel, the plan's progress, the view switch, Share, Export, theme. */
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useActions } from '../client/context.ts';
import { exportPng, exportSvg } from '../export/figures.ts';
import { downloadChromeTrace, downloadJaxScript, downloadMegatronArgs, downloadPlanJson } from '../export/planFiles.ts';
import { columnsFragment } from '../compareState.ts';
import { shareUrl, sourceLabel } from '../scenario.ts';
import { scenarioOf } from '../store/slices.ts';
import { useApp } from '../store/store.ts';
import { buttonClass, inputClass, primaryButtonClass } from './Region.tsx';
import { ViewTabs } from './ViewTabs.tsx';

const FIGURE_VIEWS = ['Stages', 'Timeline', 'Memory', 'Breakdown', 'Sharding'] as const;

function Progress() {
  const job = useApp((s) => s.jobs.plan ?? s.jobs.model);
  if (!job) return <span className="w-56" />;
  const fraction = job.total > 0 ? Math.min(1, job.done / job.total) : 0;
  return (
    <div className="flex w-56 flex-col gap-0.5" aria-live="polite">
      <div role="progressbar" aria-label={job.kind === 'plan' ? 'Plan progress' : 'Model progress'} aria-valuemin={0} aria-valuemax={job.total} aria-valuenow={job.done}
        className="h-1.5 overflow-hidden rounded bg-slate-200 dark:bg-slate-700">
        <div className="h-full bg-indigo-500 transition-[width]" style={{ width: `${fraction * 100}%` }} />
      </div>
      <span className="tabular truncate text-xs text-slate-500 dark:text-slate-400">{job.phase} {job.done}/{job.total}</span>
    </div>
  );
}

function ExportMenu() {
  const plan = useApp((s) => s.plan);
  const alternatives = useApp((s) => s.alternatives);
  const graph = useApp((s) => s.graph);
  const precision = useApp((s) => s.options.precision);
  const pushError = useApp((s) => s.pushError);
  const setNotice = useApp((s) => s.setNotice);
  const [view, setView] = useState<string>('Timeline');
  const attempt = (what: string, run: () => unknown) => {
    try {
      const r = run();
      if (r instanceof Promise) void r.catch((e: unknown) => pushError({ what: `Could not export ${what}`, message: String(e) }));
    } catch (e) {
      pushError({ what: `Could not export ${what}`, message: e instanceof Error ? e.message : String(e) });
    }
  };
  return (
    <details className="relative">
      <summary className={`${buttonClass} cursor-pointer list-none`}>Export</summary>
      <div className="absolute right-0 z-20 mt-1 flex w-56 flex-col gap-1 rounded border border-slate-200 bg-white p-2 shadow-lg dark:border-slate-700 dark:bg-slate-900">
        <button type="button" className={buttonClass} disabled={!plan} onClick={() => plan && attempt('plan JSON', () => setNotice(downloadPlanJson(plan)))}>Plan JSON</button>
        <button type="button" className={buttonClass} disabled={!plan} onClick={() => plan && attempt('Chrome trace', () => downloadChromeTrace(plan))}>Chrome trace (Perfetto)</button>
        <button type="button" className={buttonClass} disabled={!plan} onClick={() => plan && attempt('JAX script', () => downloadJaxScript(plan, graph, precision))}>JAX script</button>
        <button type="button" className={buttonClass} disabled={!plan} onClick={() => plan && attempt('Megatron-LM arguments', () => downloadMegatronArgs(plan, alternatives.plans(), graph, precision))}>Megatron-LM arguments</button>
        <label className="mt-1 text-xs">View
          <select className={`${inputClass} ml-1`} value={view} onChange={(e) => setView(e.target.value)}>
            {FIGURE_VIEWS.map((v) => <option key={v}>{v}</option>)}
          </select>
        </label>
        <div className="flex gap-1">
          <button type="button" className={`${buttonClass} flex-1`} disabled={!plan} onClick={() => attempt(`${view} PNG`, () => exportPng(view))}>PNG</button>
          <button type="button" className={`${buttonClass} flex-1`} disabled={!plan} onClick={() => attempt(`${view} SVG`, () => exportSvg(view))}>SVG</button>
        </div>
      </div>
    </details>
  );
}

function ShareButton() {
  const scenario = useApp(useShallow(scenarioOf));
  const columns = useApp((s) => s.columns);
  const [url, setUrl] = useState<string>();
  const share = () => {
    const u = shareUrl(window.location.href, scenario, columnsFragment(columns));
    setUrl(u);
    void navigator.clipboard?.writeText(u).catch(() => undefined);
  };
  return (
    <div className="flex items-center gap-1">
      <button type="button" className={buttonClass} onClick={share}>Share</button>
      {url && <input aria-label="Share URL" readOnly value={url} className={`${inputClass} w-40 text-xs`} onFocus={(e) => e.target.select()} />}
    </div>
  );
}

export function Header() {
  const actions = useActions();
  const title = useApp((s) => `${s.summary?.name ?? sourceLabel(s.source)} on ${s.cluster.name}`);
  const planning = useApp((s) => s.jobs.plan !== undefined);
  const hasModel = useApp((s) => s.graph !== undefined);
  const theme = useApp((s) => s.theme);
  const setTheme = useApp((s) => s.setTheme);
  return (
    <header className="flex h-[52px] items-center gap-3 border-b border-slate-200 bg-white px-4 py-2 dark:border-slate-700 dark:bg-slate-900">
      <h1 className="text-lg font-semibold">Meshplan</h1>
      <span className="max-w-md truncate rounded bg-slate-100 px-2 py-0.5 text-sm dark:bg-slate-800" title={title}>scenario: {title}</span>
      <button type="button" className={primaryButtonClass} disabled={planning || !hasModel} onClick={() => void actions.plan()}>Plan</button>
      <button type="button" className={buttonClass} disabled={!planning} onClick={() => actions.cancel()}>Cancel</button>
      <Progress />
      <ViewTabs />
      <div className="ml-auto flex items-center gap-2">
        <ShareButton />
        <ExportMenu />
        <button type="button" className={buttonClass} aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
          onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}>{theme === 'dark' ? '☀' : '☾'}</button>
      </div>
    </header>
  );
}
