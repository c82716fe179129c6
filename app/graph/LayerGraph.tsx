/**
 * The model's layer graph: one row per layer (collapsed by default; click to expand into its ops, laid out by the
 * layout worker), search by op name, op details on click.
 */
import { useEffect, useMemo, useState } from 'react';
import type { Op } from '../../workers/core/ir/types.ts';
import { useActions } from '../client/context.ts';
import { inputClass } from '../components/Region.tsx';
import { formatFlops } from '../format.ts';
import { useApp } from '../store/store.ts';
import { NODE_H, NODE_W, groupRuns, type GraphLayout, type LaidGroup } from './layout.ts';
import { OpDetails } from './OpDetails.tsx';

const KIND_COLORS: Readonly<Record<string, string>> = { dot: '#4e79a7', conv: '#4e79a7', softmax: '#f28e2b', layernorm: '#59a14f', gather: '#b07aa1', elementwise: '#9ca3af' };
const MAX_MATCHES = 30;

function GroupOps({ group, selected, onPick }: { group: LaidGroup; selected?: string; onPick: (id: string) => void }) {
  const pad = 4;
  return (
    <div className="overflow-x-auto">
      <svg role="img" aria-label={`Ops of ${group.name}`} width={group.width + 2 * pad} height={group.height + 2 * pad} className="text-slate-700 dark:text-slate-200">
        <g transform={`translate(${pad}, ${pad})`}>
          {group.edges.map(([p, c], k) => {
            const a = group.ops[p], b = group.ops[c];
            const route = group.routes?.[k];
            if (route && route.length >= 2) return <polyline key={k} points={route.map((q) => `${q.x},${q.y}`).join(' ')} fill="none" stroke="currentColor" strokeOpacity={0.3} />;
            return <line key={k} x1={a.x + NODE_W / 2} y1={a.y + NODE_H} x2={b.x + NODE_W / 2} y2={b.y} stroke="currentColor" strokeOpacity={0.3} />;
          })}
          {group.ops.map((o) => (
            <g key={o.id} transform={`translate(${o.x}, ${o.y})`} onClick={() => onPick(o.id)} className="cursor-pointer">
              <rect width={NODE_W} height={NODE_H} rx={3} fill={KIND_COLORS[o.kind] ?? '#cbd5e1'} fillOpacity={0.25} stroke={o.id === selected ? 'currentColor' : KIND_COLORS[o.kind] ?? '#94a3b8'} strokeWidth={o.id === selected ? 2 : 1} />
              <text x={4} y={NODE_H / 2 + 1} dominantBaseline="middle" fontSize={10} fill="currentColor">{`${o.kind} ${o.name.split('/').pop()}`.slice(0, 24)}</text>
              <title>{o.name}</title>
            </g>
          ))}
        </g>
      </svg>
    </div>
  );
}

function GroupRow({ group: g, open, toggle, selected, pick }: { group: LaidGroup; open: ReadonlySet<string>; toggle: (name: string) => void; selected?: string; pick: (id: string) => void }) {
  return (
    <li className="border-b border-slate-100 last:border-0 dark:border-slate-800">
      <button type="button" aria-expanded={open.has(g.name)} className="flex w-full justify-between px-2 py-0.5 text-left hover:bg-slate-100 dark:hover:bg-slate-800" onClick={() => toggle(g.name)}>
        <span className="truncate font-mono" title={g.name}>{open.has(g.name) ? '▾' : '▸'} {g.kind === 'block' ? g.name.split('/').pop() : g.name}</span>
        <span className="tabular shrink-0 text-slate-500">{g.ops.length} ops · {formatFlops(g.flops)}</span>
      </button>
      {open.has(g.name) && <GroupOps group={g} selected={selected} onPick={pick} />}
    </li>
  );
}

export function LayerGraph() {
  const actions = useActions();
  const graph = useApp((s) => s.graph);
  const [layout, setLayout] = useState<GraphLayout>();
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState<string>();
  useEffect(() => {
    if (!graph) return;
    let live = true;
    setOpen(new Set());
    setSelected(undefined);
    void actions.layoutGraph(graph).then((l) => { if (live) setLayout(l); }, () => undefined);
    return () => { live = false; };
  }, [graph, actions]);
  const opById = useMemo(() => new Map<string, Op>((graph?.ops ?? []).map((o) => [o.id, o])), [graph]);
  const groupOf = useMemo(() => new Map((layout?.groups ?? []).flatMap((g) => g.ops.map((o) => [o.id, g.name] as const))), [layout]);
  const matches = useMemo(() => {
    const q = query.trim().toLowerCase();
    return q && graph ? graph.ops.filter((o) => o.name.toLowerCase().includes(q) || o.path.toLowerCase().includes(q)).slice(0, MAX_MATCHES) : [];
  }, [query, graph]);
  if (!graph || !layout || layout.graphName !== graph.name) return <p className="text-xs text-slate-500">Laying out the layer graph…</p>;
  const toggle = (name: string) => setOpen((s) => { const n = new Set(s); if (n.has(name)) n.delete(name); else n.add(name); return n; });
  const pick = (id: string) => { setSelected(id); const g = groupOf.get(id); if (g) setOpen((s) => new Set(s).add(g)); };
  const op = selected ? opById.get(selected) : undefined;
  return (
    <div className="space-y-2" data-testid="layer-graph" data-groups={layout.groups.length}>
      <div className="flex items-center justify-between">
        <h3 className="text-xs font-semibold text-slate-500">Layer graph · {layout.groups.length} groups</h3>
        <input type="search" aria-label="Search ops by name" placeholder="search ops" className={`${inputClass} w-36 text-xs`} value={query} onChange={(e) => setQuery(e.target.value)} />
      </div>
      {matches.length > 0 && (
        <ul aria-label="Matching ops" className="max-h-28 overflow-auto text-xs">
          {matches.map((o) => <li key={o.id}><button type="button" className="break-all text-left font-mono underline" onClick={() => pick(o.id)}>{o.name}</button></li>)}
        </ul>
      )}
      {op && <OpDetails op={op} graph={graph} onClose={() => setSelected(undefined)} />}
      <ul className="max-h-96 overflow-auto rounded border border-slate-200 text-xs dark:border-slate-700">
        {groupRuns(layout.groups).map((run) => {
          const members = layout.groups.slice(run.first, run.first + run.count);
          if (run.count === 1) return <GroupRow key={members[0].name} group={members[0]} open={open} toggle={toggle} selected={selected} pick={pick} />;
          const key = `run:${members[0].name}`;
          const short = (g: LaidGroup) => g.name.split('/').pop();
          const runOpen = open.has(key) || members.some((g) => open.has(g.name));
          return (
            <li key={key} className="border-b border-slate-100 last:border-0 dark:border-slate-800">
              <button type="button" aria-expanded={runOpen} className="flex w-full justify-between px-2 py-0.5 text-left hover:bg-slate-100 dark:hover:bg-slate-800" onClick={() => toggle(key)}>
                <span className="truncate font-mono" title="structurally identical layers: the planner solves one and reuses it">{runOpen ? '▾' : '▸'} {short(members[0])} – {short(members[members.length - 1])} ×{run.count} identical</span>
                <span className="tabular shrink-0 text-slate-500" title={`${formatFlops(members[0].flops)} each`}>{members[0].ops.length} ops each</span>
              </button>
              {runOpen && <ul className="ml-3 border-l border-slate-200 dark:border-slate-700">{members.map((g) => <GroupRow key={g.name} group={g} open={open} toggle={toggle} selected={selected} pick={pick} />)}</ul>}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
