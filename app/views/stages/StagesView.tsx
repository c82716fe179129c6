/** "Stages": the layer strip coloured by stage, and the device grid coloured by the stage owning each device. */
import type { Cluster } from '../../../workers/core/cluster/types.ts';
import type { Plan } from '../../../workers/core/plan/types.ts';
import { useCallback, useMemo } from 'react';
import { ClusterDrawing, type DeviceFill } from '../../components/ClusterDrawing.tsx';
import { formatSeconds } from '../../format.ts';
import { useApp } from '../../store/store.ts';
import { stageColor } from '../colors.ts';
import { deviceOwners, layerStrip } from './layout.ts';

const STRIP_W = 640;

/** The stage's layers as the planner names them ('pre .. layer 15'), else its units' indices. */
function layerRange(first: number, end: number, names?: readonly string[]): string {
  if (names && names.length > 0) {
    const from = names[0].split(' .. ')[0], to = names[names.length - 1].split(' .. ').pop();
    return from === to ? from : `${from} .. ${to}`;
  }
  return end - first === 1 ? `unit ${first}` : `units ${first}–${end - 1}`;
}

export function StagesView({ plan, cluster }: { plan: Plan; cluster: Cluster }) {
  const selected = useApp((s) => s.selectedStage);
  const select = useApp((s) => s.selectStage);
  const segments = layerStrip(plan, STRIP_W);
  // Once per plan: a new map and fill function each render made the 16k-device canvas redraw on every render.
  const owners = useMemo(() => deviceOwners(plan), [plan]);
  const fillOf = useCallback((d: number): DeviceFill => {
    const s = owners.get(d);
    return s === undefined ? { fill: '#cbd5e1', title: `device ${d}: unused` } : { fill: stageColor(s), title: `device ${d}: stage ${s}`, label: String(s) };
  }, [owners]);
  return (
    <div className="space-y-3">
      <p className="text-sm">
        <span data-testid="stage-count" className="font-semibold">{plan.stages.length} stage{plan.stages.length === 1 ? '' : 's'}</span>
        {' '}· {plan.microbatches} micro-batches · <span data-testid="schedule">{plan.schedule}{plan.virtualStages ? ` (v = ${plan.virtualStages} chunks per device)` : ''}</span>{plan.feasible ? '' : ' · infeasible'}
      </p>
      <svg data-figure role="img" aria-label={`Layer strip: ${plan.stages.length} stages`} viewBox={`0 0 ${STRIP_W} 44`} className="w-full max-w-3xl text-slate-700 dark:text-slate-200">
        {segments.map((s) => (
          <g key={s.stage} onClick={() => select(s.stage)} className="cursor-pointer">
            <rect x={s.x + 1} y={selected === s.stage ? 0 : 3} width={Math.max(1, s.width - 2)} height={selected === s.stage ? 28 : 22} rx={3} fill={stageColor(s.stage)}>
              <title>{`stage ${s.stage}: ${layerRange(s.firstLayer, s.endLayer, plan.stages[s.stage]?.layerNames)}`}</title>
            </rect>
            {s.width > 14 && <text x={s.x + s.width / 2} y={40} textAnchor="middle" fontSize={11} fill="currentColor">{s.width > 60 ? `stage ${s.stage}` : s.stage}</text>}
          </g>
        ))}
      </svg>
      <ClusterDrawing cluster={cluster} label={`Devices by stage on ${cluster.name}`} square={cluster.nodes.length > 16 ? 14 : 22}
        fillOf={fillOf} />
      <table className="text-sm">
        <thead className="text-left text-xs text-slate-500"><tr><th className="pr-4">stage</th><th className="pr-4">layers</th><th className="pr-4">sub-mesh</th><th className="pr-4">logical mesh</th><th className="pr-4">GPU</th><th className="pr-4">forward</th><th className="pr-4">backward</th><th title="what the stage recomputes in its backward: none, selective (attention cores) or full">recompute</th></tr></thead>
        <tbody className="tabular">
          {plan.stages.map((s) => (
            <tr key={s.index} data-stage={s.index} onClick={() => select(s.index)} className={`cursor-pointer ${selected === s.index ? 'bg-slate-100 dark:bg-slate-800' : ''}`}>
              <td className="pr-4"><span className="mr-1 inline-block h-3 w-3 rounded-sm align-middle" style={{ background: stageColor(s.index) }} />{s.index}</td>
              <td className="pr-4">{layerRange(s.layers[0], s.layers[1], s.layerNames)}</td>
              <td className="pr-4">{s.submeshShape[0]}×{s.submeshShape[1]}</td>
              <td className="pr-4" data-testid="logical-mesh">({s.logicalMesh[0]}, {s.logicalMesh[1]})</td>
              <td className="pr-4">{s.gpu}</td>
              <td className="pr-4">{formatSeconds(s.forwardSeconds)}</td>
              <td className="pr-4">{formatSeconds(s.backwardSeconds)}</td>
              <td data-testid="recompute">{s.recompute ?? (s.remat ? 'full' : 'none')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
