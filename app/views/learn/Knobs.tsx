/**
 * The live knobs: inter-node bandwidth, GPUs per node, nodes, global batch. Moving one edits the scenario (the
 * cluster panel follows) and Learn re-plans in its worker. Under the knob whose crossover was planned, the probe
 * values carry the colour of the fastest strategy there, and the place where it changes is named.
 */
import { startTransition, useEffect, useState, type ChangeEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { LearnCrossover } from '../../store/learnSlice.ts';
import { useApp } from '../../store/store.ts';
import { KIND_COLORS, KIND_LABELS } from './figures.ts';
import { formatKnob, KNOB_SPECS, KNOBS, knobStops, knobValue, withKnob, type KnobId } from './knobs.ts';

const valueText = (id: KnobId, v: number): string => `${formatKnob(id, v)}${KNOB_SPECS[id].unit ? ` ${KNOB_SPECS[id].unit}` : ''}`;

function CrossMarks({ id, stops, crossover }: { id: KnobId; stops: readonly number[]; crossover: LearnCrossover }) {
  const at = (v: number) => `${(stops.indexOf(v) / Math.max(1, stops.length - 1)) * 100}%`;
  const planned = crossover.points.length;
  return (
    <div className="relative h-4 text-[10px]" aria-hidden="true">
      {crossover.points.map((p, i) => {
        const best = crossover.best?.[i] ?? null;
        return (
          <span key={p.value} className="absolute top-0.5 h-2.5 w-2.5 -translate-x-1/2 rounded-full border border-white dark:border-slate-900"
            style={{ left: at(p.value), background: best ? KIND_COLORS[best] : '#94a3b8' }}
            title={`${valueText(id, p.value)}: ${best ? `${KIND_LABELS[best]} fastest` : p.reason ?? 'planned'}`} />
        );
      })}
      {planned < crossover.values.length && <span className="absolute right-0 top-0 text-slate-500">planning {planned}/{crossover.values.length}…</span>}
    </div>
  );
}

function Knob({ id }: { id: KnobId }) {
  const scenario = useApp(useShallow((s) => ({ cluster: s.cluster, options: s.options })));
  const editCluster = useApp((s) => s.editCluster);
  const setOptions = useApp((s) => s.setOptions);
  const setCrossKnob = useApp((s) => s.setCrossKnob);
  const crossover = useApp((s) => (s.crossover?.knob === id ? s.crossover : undefined));
  const stored = knobValue(id, scenario);
  // The knob shows its new value at once; the scenario edit (cluster panel, header, Learn) renders as a transition,
  // so a drag never waits on the rest of the page.
  const [pending, setPending] = useState<number>();
  useEffect(() => { if (pending === stored) setPending(undefined); }, [pending, stored]);
  const value = pending ?? stored;
  const stops = knobStops(id, stored);
  // A value the core refuses (nodes or GPUs per node on a cluster mixing node types) is said, not applied.
  const [problem, setProblem] = useState<string>();
  const move = (e: ChangeEvent<HTMLInputElement>) => {
    const v = stops[Number(e.target.value)];
    const at = withKnob(id, scenario, v);
    if (!at.ok) { setProblem(at.reason); return; }
    setProblem(undefined);
    setPending(v);
    startTransition(() => {
      setCrossKnob(id);
      if (id === 'batch') setOptions(at.value.options);
      else editCluster(() => at.value.cluster);
    });
  };
  const inputId = `learn-knob-${id}`;
  return (
    <div className="flex min-w-0 flex-col gap-0.5">
      <div className="flex justify-between text-xs">
        <label htmlFor={inputId}>{KNOB_SPECS[id].label}</label>
        <span className="tabular font-semibold" data-testid={`knob-value-${id}`}>{valueText(id, value)}</span>
      </div>
      <input id={inputId} type="range" min={0} max={stops.length - 1} step={1} value={stops.indexOf(value)}
        aria-valuetext={valueText(id, value)} onChange={move} className="w-full accent-indigo-600" />
      <div className="tabular flex justify-between text-[10px] text-slate-500 dark:text-slate-400" aria-hidden="true">
        <span>{formatKnob(id, stops[0])}</span><span>{formatKnob(id, stops[stops.length - 1])}</span>
      </div>
      {crossover && <CrossMarks id={id} stops={stops} crossover={crossover} />}
      {problem && <p role="alert" className="text-[11px] text-red-700 dark:text-red-300">{problem}</p>}
    </div>
  );
}

export function Knobs() {
  const crossKnob = useApp((s) => s.crossover?.knob);
  return (
    <fieldset className="grid grid-cols-2 gap-x-6 gap-y-2 rounded border border-slate-200 p-2 lg:grid-cols-4 dark:border-slate-700">
      <legend className="px-1 text-xs font-semibold text-slate-500">Move a knob: the three plans are made again</legend>
      {KNOBS.map((id) => <Knob key={id} id={id} />)}
      {crossKnob && (
        <p className="col-span-full text-[11px] text-slate-500 dark:text-slate-400">
          Dots under {KNOB_SPECS[crossKnob].label}: the fastest strategy at each value planned
          ({(Object.keys(KIND_COLORS) as (keyof typeof KIND_COLORS)[]).map((k, i) => <span key={k} className={`${i ? 'ml-1.5 ' : ''}inline-flex items-center gap-0.5`}><span className="inline-block h-2 w-2 rounded-full" style={{ background: KIND_COLORS[k] }} />{KIND_LABELS[k]}</span>)}).
        </p>
      )}
    </fieldset>
  );
}
