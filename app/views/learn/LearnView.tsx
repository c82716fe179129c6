/**
 * The Learn region: for the scenario's model and cluster, intra-op only, inter-op only and the combined plan side
 * by side, with where their communication goes, the generated sentence, live knobs, the crossover along the knob
 * moved last, and guided examples. Planned in workers while the region is on screen (client/learnRunner.ts).
 */
import { memo, useDeferredValue, useEffect, useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useLearnRunner } from '../../client/context.ts';
import { Empty, Region } from '../../components/Region.tsx';
import { encodeScenario } from '../../scenario.ts';
import { scenarioOf } from '../../store/slices.ts';
import { useApp } from '../../store/store.ts';
import { CommBars } from './CommBars.tsx';
import { CrossoverChart } from './CrossoverChart.tsx';
import { Examples } from './Examples.tsx';
import { knobValue } from './knobs.ts';
import { Knobs } from './Knobs.tsx';
import { StrategyTable } from './StrategyTable.tsx';

// The result's views change only with the result: a knob move re-renders the knobs, not these.
const Table = memo(StrategyTable);
const Bars = memo(CommBars);
const Chart = memo(CrossoverChart);

function RunStatus() {
  const run = useApp((s) => s.learnRun);
  if (!run || run.kind === 'done') return null;
  if (run.kind === 'failed') return <p className="text-sm text-red-700 dark:text-red-300" role="alert">Learn could not plan this scenario: {run.reason}</p>;
  const fraction = run.total > 0 ? Math.min(1, run.done / run.total) : 0;
  return (
    <div className="flex items-center gap-2 text-xs text-slate-500 dark:text-slate-400" aria-live="polite">
      <div role="progressbar" aria-label="Learn progress" aria-valuemin={0} aria-valuemax={run.total} aria-valuenow={run.done} className="h-1.5 w-40 overflow-hidden rounded bg-slate-200 dark:bg-slate-700">
        <div className="h-full bg-indigo-500" style={{ width: `${fraction * 100}%` }} />
      </div>
      <span className="truncate">planning the three strategies: {run.phase} {run.done}/{run.total}</span>
    </div>
  );
}

export function LearnView() {
  const runner = useLearnRunner();
  useEffect(() => runner.watch(), [runner]);
  // Drawn at low priority (time-sliced), so a knob's own update paints first.
  const shown = useDeferredValue(useApp((s) => s.learnShown));
  // The scenario's key, encoded when the scenario changes (not at every store update: progress comes 4 times a second).
  const scenario = useApp(useShallow(scenarioOf));
  const hasGraph = useApp((s) => s.graph !== undefined);
  const current = useDeferredValue(useMemo(() => (hasGraph ? encodeScenario(scenario) : undefined), [hasGraph, scenario]));
  const running = useApp((s) => s.learnRun?.kind === 'running');
  const crossover = useDeferredValue(useApp((s) => s.crossover));
  const knobNow = useApp((s) => (s.crossover ? knobValue(s.crossover.knob, s) : 0));
  const title = useApp((s) => `${s.graph?.name ?? 'no model'} on ${s.cluster.name}`);
  const stale = shown !== undefined && shown.key !== current;
  return (
    <Region name="Learn">
      <div className="space-y-3">
        <p className="text-sm text-slate-600 dark:text-slate-300">
          Alpa's argument: operator sharding (intra-op) needs big, frequent collectives, so it belongs on the fast links inside a node;
          a pipeline (inter-op) sends only activations between stages, so it can cross the slow links between nodes. Here for <span className="font-medium">{title}</span>.
        </p>
        <Examples result={shown?.result} />
        <Knobs />
        <RunStatus />
        {shown ? (
          <div className="space-y-3" data-testid="learn-result" data-state={stale || running ? 'updating' : 'current'} aria-busy={stale || running}>
            <Table result={shown.result} />
            <p className="text-sm" data-testid="learn-sentence">{shown.result.sentence}</p>
            <Bars result={shown.result} />
          </div>
        ) : (
          !running && <Empty>No result yet: load a model (Learn plans it as soon as one is loaded).</Empty>
        )}
        {crossover && <Chart crossover={crossover} current={knobNow} />}
      </div>
    </Region>
  );
}
