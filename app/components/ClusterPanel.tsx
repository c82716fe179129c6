/** Cluster panel: presets, a cluster or profile file (opened or dropped), nodes (GPUs per node, GPU type per node),
 * link bandwidths, and the cluster drawn. */
import { useId, type DragEvent } from 'react';
import { useActions } from '../client/context.ts';
import { CLUSTER_MENU, GPU_TYPES, MAX_GPUS_PER_NODE, MAX_NODES, addNode, nodeRuns, presetByLabel, setNodeCount, removeNode, setInterBandwidth, setIntraBandwidth, setNodeGpu, setNodeGpus, totalGpus } from '../cluster/edit.ts';
import { useApp } from '../store/store.ts';
import { BandwidthInput } from './BandwidthInput.tsx';
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
      <input type="number" aria-label={`GPUs of node ${index}`} className={`${inputClass} w-14`} min={1} max={MAX_GPUS_PER_NODE} value={node.gpus}
        onChange={(e) => Number(e.target.value) > 0 && edit((c) => setNodeGpus(c, index, Number(e.target.value)))} />
      <button type="button" className="text-xs text-slate-500 underline disabled:opacity-30" disabled={count <= 1}
        aria-label={`Remove node ${index}`} onClick={() => edit((c) => removeNode(c, index))}>remove</button>
    </li>
  );
}

/** Node rows up to this many nodes; beyond, runs of identical nodes with a count (no DOM node per node). */
const NODE_ROWS_SHOWN = 32;

function NodeRuns() {
  const cluster = useApp((s) => s.cluster);
  const edit = useApp((s) => s.editCluster);
  const runs = nodeRuns(cluster);
  return (
    <ul className="space-y-1 text-sm">
      {runs.map((r) => (
        <li key={r.start} data-node-run={r.start}>nodes {r.start}..{r.start + r.count - 1}: {r.count} × {r.gpu} × {r.gpus}</li>
      ))}
      {runs.length === 1 && (
        <li className="flex items-center gap-2">
          <label className="text-xs text-slate-500">nodes
            <input type="number" aria-label="Number of nodes" className={`${inputClass} ml-1 w-20`} min={1} max={MAX_NODES} value={cluster.nodes.length}
              onChange={(e) => Number(e.target.value) > 0 && edit((c) => setNodeCount(c, Number(e.target.value)))} />
          </label>
        </li>
      )}
    </ul>
  );
}

function Bandwidths() {
  const intra = useApp((s) => s.cluster.intraNode.bandwidthBytesPerSecond);
  const inter = useApp((s) => s.cluster.interNode.bandwidthBytesPerSecond);
  const edit = useApp((s) => s.editCluster);
  return (
    <div className="grid grid-cols-2 gap-2 text-xs">
      <label className="flex flex-col">intra-node (GB/s)
        <BandwidthInput field="intra-node (GB/s)" unit="GB/s" className={inputClass} bytesPerSecond={intra} onChange={(b) => edit((c) => setIntraBandwidth(c, b))} />
      </label>
      <label className="flex flex-col">inter-node (Gbit/s)
        <BandwidthInput field="inter-node (Gbit/s)" unit="Gbit/s" className={inputClass} bytesPerSecond={inter} onChange={(b) => edit((c) => setInterBandwidth(c, b))} />
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
      <label htmlFor={id} className={`${buttonClass} shrink-0 cursor-pointer whitespace-nowrap`}>Open cluster or profile</label>
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
        <select aria-label="Cluster preset" className={`${inputClass} min-w-0 flex-1`} value="" onChange={(e) => e.target.value && edit(() => presetByLabel(e.target.value))}>
          <option value="">Presets…</option>
          {CLUSTER_MENU.map((p) => <option key={p.label}>{p.label}</option>)}
        </select>
        <ClusterFile />
      </div>
      <span className="block text-xs text-slate-500">{cluster.name} · {totalGpus(cluster)} GPUs</span>
      {cluster.nodes.length <= NODE_ROWS_SHOWN
        ? <ul className="space-y-1">{cluster.nodes.map((_, i) => <NodeRow key={i} index={i} />)}</ul>
        : <NodeRuns />}
      <button type="button" className={buttonClass} onClick={() => edit(addNode)}>Add node</button>
      <Bandwidths />
      <ClusterDrawing cluster={cluster} label={`Cluster ${cluster.name}`} />
    </div>
  );
}
