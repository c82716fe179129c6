/**
 * The three strategies side by side: step time, communication crossing nodes and staying inside them (bytes and
 * seconds), pipeline bubble, memory per device, structure, and why each loser is slower. Every number shows its
 * cost-model terms on hover and focus.
 */
import type { ReactNode } from 'react';
import type { LearnKind, LearnResult } from '../../../workers/core/whatif/learn.ts';
import { Explained } from '../../components/Explained.tsx';
import { formatPercent, sig3 } from '../../format.ts';
import { COLUMN_ORDER, KIND_LABELS, rowOf, structureText, trafficFigures, type OkRow } from './figures.ts';

const ROWS = ['step time', 'across nodes', 'inside nodes', 'pipeline bubble', 'memory per device', 'structure', 'verdict'] as const;
type RowName = (typeof ROWS)[number];

const HINTS: Readonly<Record<RowName, string>> = {
  'step time': 'one training step, simulated over the pipeline schedule',
  'across nodes': 'bytes and seconds of communication on the inter-node links, per step',
  'inside nodes': 'bytes and seconds of communication on NVLink inside a node, per step',
  'pipeline bubble': 'fraction of the step the pipeline stands idle (fill and drain)',
  'memory per device': 'the largest stage, per GPU, against the GPU memory',
  structure: 'pipeline stages and their logical meshes',
  verdict: 'why this plan is slower than the fastest, by the cost term that differs most',
};

function Cell({ row, name, result, best }: { row: OkRow; name: RowName; result: LearnResult; best?: OkRow }) {
  const id = row.kind;
  switch (name) {
    case 'step time': {
      const ratio = best ? row.stepSeconds.value / best.stepSeconds.value : 1;
      return (
        <span className="flex flex-wrap items-baseline gap-x-2">
          <Explained figure={row.stepSeconds} testId={`learn-step-${id}`} className="text-base font-semibold" />
          {best && row !== best && (
            <span className="text-xs text-slate-500 dark:text-slate-400">
              <Explained testId={`learn-ratio-${id}`} text={`${sig3(ratio)}×`} figure={{
                value: ratio, unit: '1', formula: `this plan's step / the fastest plan's step (${KIND_LABELS[best.kind]})`,
                terms: [{ label: `step, ${KIND_LABELS[row.kind]}`, value: row.stepSeconds.value, unit: 's' }, { label: `step, ${KIND_LABELS[best.kind]}`, value: best.stepSeconds.value, unit: 's' }],
              }} /> the fastest
            </span>
          )}
          {!row.feasible && <span className="text-xs text-red-700 dark:text-red-300">does not fit</span>}
        </span>
      );
    }
    case 'across nodes':
    case 'inside nodes': {
      const side = name === 'across nodes' ? row.traffic.crossNode : row.traffic.inNode;
      const f = trafficFigures(side, name === 'across nodes' ? 'between nodes' : 'inside nodes');
      return <span><Explained figure={f.bytes} testId={`learn-${name === 'across nodes' ? 'cross' : 'in'}-bytes-${id}`} /> · <Explained figure={f.seconds} testId={`learn-${name === 'across nodes' ? 'cross' : 'in'}-seconds-${id}`} /></span>;
    }
    case 'pipeline bubble':
      return <Explained figure={row.bubbleFraction} text={formatPercent(row.bubbleFraction.value)} testId={`learn-bubble-${id}`} />;
    case 'memory per device': {
      const limit = Math.min(...row.plan.stages.map((s) => s.memoryLimitBytes));
      const over = row.memoryPerDevice.value > limit;
      return <Explained figure={row.memoryPerDevice} className={over ? 'text-red-700 dark:text-red-300' : ''} testId={`learn-memory-${id}`} />;
    }
    case 'structure':
      return <span className="text-xs">{structureText(row)}</span>;
    case 'verdict': {
      if (result.winner === id) return <span className="font-medium text-emerald-700 dark:text-emerald-300">fastest</span>;
      if (result.ties.includes(id)) return <span className="font-medium text-emerald-700 dark:text-emerald-300">ties with the fastest</span>;
      const why = result.reasons.find((r) => r.kind === id);
      return <span className="text-xs" data-testid={`learn-reason-${id}`}>{why ? <><span className="font-medium">slower: {why.reason}</span> — {why.text}</> : ''}</span>;
    }
  }
}

function Header({ kind, result }: { kind: LearnKind; result: LearnResult }) {
  const won = result.winner === kind || result.ties.includes(kind);
  return (
    <th scope="col" className={`px-2 py-1 text-left font-semibold ${won ? 'text-emerald-700 dark:text-emerald-300' : ''}`}>
      {KIND_LABELS[kind]}{won ? ' ★' : ''}
    </th>
  );
}

export function StrategyTable({ result }: { result: LearnResult }) {
  const best = result.winner ? rowOf(result, result.winner) : undefined;
  const okBest = best && best.ok ? best : undefined;
  const cells = (name: RowName): ReactNode[] => COLUMN_ORDER.map((kind, i) => {
    const row = rowOf(result, kind);
    if (!row) return <td key={kind} />;
    if (!row.ok) {
      return name === 'step time'
        ? <td key={kind} rowSpan={ROWS.length} className="px-2 py-1 align-top text-sm text-red-700 dark:text-red-300" data-testid={`learn-failed-${kind}`}>no plan: {row.reason}</td>
        : null;
    }
    return <td key={kind} className={`px-2 py-1 align-top ${i === COLUMN_ORDER.length - 1 ? 'bg-indigo-50/60 dark:bg-indigo-950/40' : ''}`}><Cell row={row} name={name} result={result} best={okBest} /></td>;
  });
  return (
    <table className="tabular w-full table-fixed border-collapse text-sm" aria-label="Intra-op only, inter-op only and combined, side by side">
      <colgroup><col className="w-40" /><col /><col /><col /></colgroup>
      <thead>
        <tr className="border-b border-slate-200 dark:border-slate-700">
          <th scope="col" className="px-2 py-1 text-left text-xs font-normal text-slate-500">per step</th>
          {COLUMN_ORDER.map((k) => <Header key={k} kind={k} result={result} />)}
        </tr>
      </thead>
      <tbody>
        {ROWS.map((name) => (
          <tr key={name} className="border-b border-slate-100 last:border-0 dark:border-slate-800">
            <th scope="row" className="px-2 py-1 text-left align-top text-xs font-normal text-slate-500 dark:text-slate-400" title={HINTS[name]}>{name}</th>
            {cells(name)}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
