/** Cluster panel: presets, a cluster or profile file (opened or dropped), nodes (GPUs per node, GPU type per node),
 * link bandwidths, and the cluster drawn. */
import { useId, type DragEvent } from 'react';
import { useActions } from '../client/context.ts';
import { CLUSTER_MENU, GPU_TYPES, addNode, presetByLabel, removeNode, setInterBandwidth, setIntraBandwidth, setNodeGpu, setNodeGpus, totalGpus } from '../cluster/edit.ts';
import { bytesPerSecondToGbit, gbitToBytesPerSecond, sig3 } from '../format.ts';
import { useApp } from '../store/store.ts';
import { ClusterDrawing } from './ClusterDrawing.tsx';
import { buttonClass, inputClass } from './Region.tsx';

function NodeRow({ index }: { index: number }) {
  const node = useApp((s) => s.cluster.nodes[index]);
  const custom = useApp((s) => s.cluster.gpuSpecs);
  const types = [...GPU_TYPES, ...Object.keys(custom ?? {}).filter((g) => !GPU_TYPES.includes(g))];
  const count = useApp((s) => s.cluster.nodes.length);
  const edit = useApp((s) => s.editCluster);
  return (
    <li className="flex items-center gap-2 text-sm">
      <span className="w-12 text-xs text-slate-500">node {index}</span>
      <select aria-label={`GPU type of node ${index}`} className={`${inputClass} min-w-0 max-w-[11rem]`} value={node.gpu} onChange={(e) => edit((c) => setNodeGpu(c, index, e.target.value))}>
        {types.map((g) => <option key={g}>{g}</option>)}
      </select>
      <input type="number" aria-label={`GPUs of node ${index}`} className={`${inputClass} w-14`} min={1} max={16} value={node.gpus}
        onChange={(e) => Number(e.target.value) > 0 && edit((c) => setNodeGpus(c, index, Number(e.target.value)))} />
      <button type="button" className="text-xs text-slate-500 underline disabled:opacity-30" disabled={count <= 1}
        aria-label={`Remove node ${index}`} onClick={() => edit((c) => removeNode(c, index))}>remove</button>
    </li>
  );
}

function Bandwidths() {
  const intra = useApp((s) => s.cluster.intraNode.bandwidthBytesPerSecond);
  const inter = useApp((s) => s.cluster.interNode.bandwidthBytesPerSecond);
  const edit = useApp((s) => s.editCluster);
  return (
    <div className="grid grid-cols-2 gap-2 text-xs">
      <label className="flex flex-col">intra-node (GB/s)
        <input type="number" className={inputClass} min={1} value={sig3(intra / 1e9)}
          onChange={(e) => Number(e.target.value) > 0 && edit((c) => setIntraBandwidth(c, Number(e.target.value) * 1e9))} />
      </label>
      <label className="flex flex-col">inter-node (Gbit/s)
        <input type="number" className={inputClass} min={1} value={sig3(bytesPerSecondToGbit(inter))}
          onChange={(e) => Number(e.target.value) > 0 && edit((c) => setInterBandwidth(c, gbitToBytesPerSecond(Number(e.target.value))))} />
      </label>
    </div>
  );
}

/** Opens or takes a dropped cluster JSON or tools/profile-cluster profile. */
function ClusterFile() {
  const actions = useActions();
  const id = useId();
  return (
    <>
      <label htmlFor={id} className={`${buttonClass} cursor-pointer`}>Open cluster or profile</label>
      <input id={id} type="file" className="sr-only" accept=".json" aria-label="Open cluster or profile file"
        onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ''; if (f) void actions.openClusterFile(f); }} />
    </>
  );
}

export function ClusterEditor() {
  const cluster = useApp((s) => s.cluster);
  const edit = useApp((s) => s.editCluster);
  const actions = useActions();
  const drop = (e: DragEvent) => {
    const f = e.dataTransfer.files[0];
    if (!f) return;
    e.preventDefault();
    void actions.openClusterFile(f);
  };
  return (
    <div className="space-y-2" onDragOver={(e) => e.preventDefault()} onDrop={drop}>
      <div className="flex items-center gap-2">
        <select aria-label="Cluster preset" className={inputClass} value="" onChange={(e) => e.target.value && edit(() => presetByLabel(e.target.value))}>
          <option value="">Presets…</option>
          {CLUSTER_MENU.map((p) => <option key={p.label}>{p.label}</option>)}
        </select>
        <ClusterFile />
      </div>
      <span className="block text-xs text-slate-500">{cluster.name} · {totalGpus(cluster)} GPUs</span>
      <ul className="space-y-1">{cluster.nodes.map((_, i) => <NodeRow key={i} index={i} />)}</ul>
      <button type="button" className={buttonClass} onClick={() => edit(addNode)}>Add node</button>
      <Bandwidths />
      <ClusterDrawing cluster={cluster} label={`Cluster ${cluster.name}`} />
    </div>
  );
}
