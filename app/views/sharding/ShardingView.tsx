/**
 * "Sharding": per stage, the logical mesh and its parallelism (DP, TP, SP, CP, ZeRO: stageLabel.ts), the operators' chosen strategies with input/output specs, the
 * collectives they imply (bytes, time), and a clicked tensor's tiles over the mesh.
 */
import { useMemo, useState } from 'react';
import type { Op, Tensor } from '../../../workers/core/ir/types.ts';
import type { Plan, Stage } from '../../../workers/core/plan/types.ts';
import { stageParallelLabel } from './stageLabel.ts';
import { inputClass } from '../../components/Region.tsx';
import { formatBytes, formatSeconds } from '../../format.ts';
import { useApp } from '../../store/store.ts';
import { stageColor } from '../colors.ts';
import { TileView, type TensorPick } from './TileView.tsx';

const MAX_ROWS = 120;
/** Operator rows and tensor chips first drawn (the boxes show ~16 rows, ~40 chips); more as the box is scrolled:
 * every row at once was most of this view's ~1,700 elements for a GPT-39B stage, built in the plan's commit. */
const FIRST_ROWS = 30;
const FIRST_CHIPS = 60;

/** How many items a scroll box draws: `first`, growing by `first` when scrolled near its end, up to `max`. */
function useGrowingLimit(first: number, max: number, resetOn: unknown): [number, (e: React.UIEvent<HTMLElement>) => void] {
  const [grown, setGrown] = useState({ limit: first, on: resetOn });
  const limit = grown.on === resetOn ? grown.limit : first;
  const onScroll = (e: React.UIEvent<HTMLElement>) => {
    const el = e.currentTarget;
    if (limit < max && el.scrollTop + el.clientHeight > el.scrollHeight - 60) setGrown({ limit: Math.min(max, limit + first), on: resetOn });
  };
  return [limit, onScroll];
}

/** Rows of axis 0 drawn at most; a larger mesh (a data-parallel axis of hundreds) shows its first rows and a count. */
const MESH_ROWS_SHOWN = 16;

function MeshGrid({ stage }: { stage: Stage }) {
  const [n0, n1] = stage.logicalMesh;
  const cell = 22;
  const rows = Math.min(n0, MESH_ROWS_SHOWN);
  return (
    <svg data-figure role="img" aria-label={`Logical mesh (${n0}, ${n1}) of stage ${stage.index}`} width={n1 * cell + 40} height={rows * cell + 18 + (rows < n0 ? 16 : 0)} className="text-slate-700 dark:text-slate-200">
      <text x={0} y={10} fontSize={10} fill="currentColor">axis 1 →</text>
      {rows < n0 && <text x={2} y={rows * cell + 26} fontSize={10} fill="currentColor">{`… ${n0 - rows} more rows of axis 0 (devices ${stage.devices[rows * n1]}..${stage.devices[n0 * n1 - 1]})`}</text>}
      {Array.from({ length: rows * n1 }, (_, k) => (
        <g key={k} transform={`translate(${(k % n1) * cell + 2}, ${Math.floor(k / n1) * cell + 14})`}>
          <rect width={cell - 3} height={cell - 3} rx={2} fill={stageColor(stage.index)} />
          <text x={(cell - 3) / 2} y={(cell - 3) / 2 + 1} textAnchor="middle" dominantBaseline="middle" fontSize={9} fill="#fff">{stage.devices[k]}</text>
        </g>
      ))}
    </svg>
  );
}

function SpecButtons({ specs, ids, tensors, pick }: { specs: readonly string[]; ids: readonly string[] | undefined; tensors: ReadonlyMap<string, Tensor>; pick: (t: TensorPick) => void }) {
  return (
    <>
      {specs.map((spec, k) => {
        const t = ids ? tensors.get(ids[k]) : undefined;
        return t
          ? <button key={k} type="button" className="mr-1 font-mono text-indigo-700 underline dark:text-indigo-300" title={t.name} onClick={() => pick({ name: t.name, shape: t.shape, spec })}>{spec || '·'}</button>
          : <span key={k} className="mr-1 font-mono">{spec || '·'}</span>;
      })}
    </>
  );
}

export function ShardingView({ plan }: { plan: Plan }) {
  const selected = useApp((s) => Math.min(s.selectedStage, plan.stages.length - 1));
  const select = useApp((s) => s.selectStage);
  const graph = useApp((s) => s.graph);
  const [filter, setFilter] = useState('');
  const [picked, setPicked] = useState<TensorPick>();
  const stage = plan.stages[selected];
  const sharding = stage.sharding;
  const { ops, tensors } = useMemo(() => ({
    ops: new Map<string, Op>((graph?.ops ?? []).map((o) => [o.id, o])),
    tensors: new Map<string, Tensor>((graph?.tensors ?? []).map((t) => [t.id, t])),
  }), [graph]);
  const rows = (sharding?.ops ?? []).filter((o) => !filter || o.name.toLowerCase().includes(filter.toLowerCase()));
  const [rowLimit, growRows] = useGrowingLimit(FIRST_ROWS, MAX_ROWS, sharding);
  const [chipLimit, growChips] = useGrowingLimit(FIRST_CHIPS, 200, sharding);
  const collectives = [...(sharding?.collectives ?? [])].sort((a, b) => b.seconds - a.seconds).slice(0, 40);
  return (
    <div className="space-y-3">
      <div role="tablist" aria-label="Stage" className="flex flex-wrap gap-1">
        {plan.stages.map((s) => (
          <button key={s.index} role="tab" type="button" aria-selected={s.index === selected} onClick={() => { select(s.index); setPicked(undefined); }}
            className={`rounded px-2 py-0.5 text-sm ${s.index === selected ? 'text-white' : 'bg-slate-100 dark:bg-slate-800'}`}
            style={s.index === selected ? { background: stageColor(s.index) } : undefined}>stage {s.index}<span className="ml-1.5 text-xs opacity-80" data-testid="tab-parallelism">{stageParallelLabel(s)}</span></button>
        ))}
      </div>
      <div className="flex flex-wrap items-start gap-6">
        <div>
          <p className="text-sm">stage {stage.index} on mesh ({stage.logicalMesh[0]}, {stage.logicalMesh[1]}) · {stage.gpu} · <span data-testid="stage-recompute">recompute {stage.recompute ?? (stage.remat ? 'full' : 'none')}</span></p>
          <p className="text-sm font-medium" aria-label={`Parallelism of stage ${stage.index}`}>{stageParallelLabel(stage)}</p>
          <MeshGrid stage={stage} />
        </div>
        {picked && <TileView tensor={picked} mesh={stage.logicalMesh} devices={stage.devices} />}
      </div>
      {!sharding ? (
        <p className="text-sm text-slate-500">This plan carries no per-operator sharding for stage {stage.index}; its mesh and costs are above.</p>
      ) : (
        <>
          <p className="text-xs text-slate-500">
            {sharding.status} · {sharding.ops.length} operators · ILP {sharding.ilp.variables} variables, solved in {formatSeconds(sharding.ilp.solveSeconds)} · gradient sync {formatSeconds(sharding.gradientSyncSeconds)} per step
          </p>
          <label className="text-xs">Find operator <input className={inputClass} value={filter} onChange={(e) => setFilter(e.target.value)} /></label>
          <div className="max-h-72 overflow-auto" onScroll={growRows}>
            <table className="w-full text-xs">
              <thead className="sticky top-0 bg-white text-left text-slate-500 dark:bg-slate-900"><tr><th>operator</th><th>strategy</th><th>input specs</th><th>output specs</th><th>compute</th><th>comm</th></tr></thead>
              <tbody className="tabular">
                {rows.slice(0, rowLimit).map((o) => (
                  <tr key={o.op} className="border-t border-slate-100 dark:border-slate-800">
                    <td className="max-w-64 truncate pr-2 font-mono" title={o.name}>{o.name}</td>
                    <td className="pr-2 font-mono">{o.strategy}</td>
                    <td className="pr-2"><SpecButtons specs={o.inputSpecs} ids={ops.get(o.op)?.inputs} tensors={tensors} pick={setPicked} /></td>
                    <td className="pr-2"><SpecButtons specs={o.outputSpecs} ids={ops.get(o.op)?.outputs} tensors={tensors} pick={setPicked} /></td>
                    <td className="pr-2">{formatSeconds(o.computeSeconds)}</td>
                    <td>{formatSeconds(o.communicationSeconds)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {rows.length > MAX_ROWS && <p className="text-xs text-slate-500">{rows.length - MAX_ROWS} more: narrow with “Find operator”.</p>}
          </div>
          <h3 className="text-xs font-semibold text-slate-500">Collectives (longest first)</h3>
          <div className="max-h-48 overflow-auto">
            <table className="w-full text-xs">
              <thead className="text-left text-slate-500"><tr><th>kind</th><th>axis</th><th>bytes</th><th>time</th><th>why</th><th>operator / tensor</th></tr></thead>
              <tbody className="tabular">
                {collectives.map((c, k) => (
                  <tr key={k}><td>{c.kind}</td><td>{c.axis}</td><td>{formatBytes(c.bytes)}</td><td>{formatSeconds(c.seconds)}</td><td>{c.reason}</td><td className="max-w-64 truncate font-mono">{ops.get(c.op)?.name ?? tensors.get(c.op)?.name ?? c.op}</td></tr>
                ))}
              </tbody>
            </table>
          </div>
          <h3 className="text-xs font-semibold text-slate-500">Parameters and boundary tensors</h3>
          <div className="flex max-h-32 flex-wrap gap-1 overflow-auto text-xs" onScroll={growChips}>
            {sharding.tensors.slice(0, chipLimit).map((t) => (
              <button key={t.tensor} type="button" className="rounded bg-slate-100 px-1 font-mono dark:bg-slate-800" title={`[${t.shape.join(', ')}]`}
                onClick={() => setPicked({ name: t.name, shape: t.shape, spec: t.spec })}>{t.name} {t.spec}</button>
            ))}
          </div>
        </>
      )}
    </div>
  );
}
