/** Cluster panel: presets, nodes (GPUs per node, GPU type per node), link bandwidths, and the cluster drawn. */
import { CLUSTER_MENU, GPU_TYPES, addNode, presetByLabel, removeNode, setInterBandwidth, setIntraBandwidth, setNodeGpu, setNodeGpus, totalGpus } from '../cluster/edit.ts';
import { bytesPerSecondToGbit, gbitToBytesPerSecond, sig3 } from '../format.ts';
import { useApp } from '../store/store.ts';
import { ClusterDrawing } from './ClusterDrawing.tsx';
import { buttonClass, inputClass } from './Region.tsx';

function NodeRow({ index }: { index: number }) {
  const node = useApp((s) => s.cluster.nodes[index]);
  const count = useApp((s) => s.cluster.nodes.length);
  const edit = useApp((s) => s.editCluster);
  return (
    <li className="flex items-center gap-2 text-sm">
      <span className="w-12 text-xs text-slate-500">node {index}</span>
      <select aria-label={`GPU type of node ${index}`} className={inputClass} value={node.gpu} onChange={(e) => edit((c) => setNodeGpu(c, index, e.target.value))}>
        {GPU_TYPES.map((g) => <option key={g}>{g}</option>)}
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

export function ClusterEditor() {
  const cluster = useApp((s) => s.cluster);
  const edit = useApp((s) => s.editCluster);
  return (
    <div className="space-y-2">
      <div className="flex items-center gap-2">
        <select aria-label="Cluster preset" className={inputClass} value="" onChange={(e) => e.target.value && edit(() => presetByLabel(e.target.value))}>
          <option value="">Presets…</option>
          {CLUSTER_MENU.map((p) => <option key={p.label}>{p.label}</option>)}
        </select>
        <span className="text-xs text-slate-500">{cluster.name} · {totalGpus(cluster)} GPUs</span>
      </div>
      <ul className="space-y-1">{cluster.nodes.map((_, i) => <NodeRow key={i} index={i} />)}</ul>
      <button type="button" className={buttonClass} onClick={() => edit(addNode)}>Add node</button>
      <Bandwidths />
      <ClusterDrawing cluster={cluster} label={`Cluster ${cluster.name}`} />
    </div>
  );
}
