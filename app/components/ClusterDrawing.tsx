/** The cluster drawn as nodes of device squares; with a plan, each device takes the colour of its stage. */
import { deviceOffsets, totalGpus } from '../cluster/edit.ts';
import { ClusterCanvas } from './ClusterCanvas.tsx';
import type { Cluster } from '../../workers/core/cluster/types.ts';

const GAP = 3;
const LABEL_W = 120;

export interface DeviceFill {
  readonly fill: string;
  readonly title: string;
  /** Short text drawn inside the square (the stage number) when squares are large enough. */
  readonly label?: string;
}

/** Beyond this many devices the cluster is drawn on a canvas (ClusterCanvas): no DOM node per device. */
export const LARGE_CLUSTER_DEVICES = 512;

/** `fillOf(global device index)`: colour and tooltip of each device (default: the GPU type). */
export function ClusterDrawing({ cluster, fillOf, label, square = 14 }: { cluster: Cluster; fillOf?: (device: number) => DeviceFill | undefined; label: string; square?: number }) {
  if (totalGpus(cluster) > LARGE_CLUSTER_DEVICES) return <ClusterCanvas cluster={cluster} fillOf={fillOf} label={label} />;
  const SQUARE = square;
  const offsets = deviceOffsets(cluster);
  const maxGpus = Math.max(...cluster.nodes.map((n) => n.gpus));
  const rowH = SQUARE + 8;
  const width = LABEL_W + maxGpus * (SQUARE + GAP) + 4;
  const height = cluster.nodes.length * rowH + 2;
  return (
    <svg data-figure role="img" aria-label={label} width={width} height={height} className="max-w-full text-slate-700 dark:text-slate-200">
      {cluster.nodes.map((node, n) => (
        <g key={n} transform={`translate(0, ${n * rowH + 1})`} data-node={n} data-gpu={node.gpu}>
          <text x={0} y={SQUARE / 2 + 4} fontSize={11} fill="currentColor">{`node ${n} · ${node.gpu}`}</text>
          <rect x={LABEL_W - 3} y={-2} width={node.gpus * (SQUARE + GAP) + 3} height={SQUARE + 4} rx={3} fill="none" stroke="currentColor" strokeOpacity={0.3} />
          {Array.from({ length: node.gpus }, (_, g) => {
            const d = offsets[n] + g;
            const f = fillOf?.(d);
            const x = LABEL_W + g * (SQUARE + GAP);
            return (
              <g key={g}>
                <rect data-device={d} x={x} y={0} width={SQUARE} height={SQUARE} rx={2}
                  fill={f?.fill ?? (node.gpu.startsWith('V100') ? '#94a3b8' : node.gpu.startsWith('A100') ? '#a3a38f' : '#8fa3a3')}>
                  <title>{f?.title ?? `device ${d}: node ${n}, GPU ${g} (${node.gpu})`}</title>
                </rect>
                {f?.label && SQUARE >= 18 && <text x={x + SQUARE / 2} y={SQUARE / 2 + 1} textAnchor="middle" dominantBaseline="middle" fontSize={10} fill="#fff" pointerEvents="none">{f.label}</text>}
              </g>
            );
          })}
        </g>
      ))}
    </svg>
  );
}
