/**
 * A large cluster drawn on one canvas (no DOM node per device): nodes as rows of GPU cells, laid left to right in
 * a grid that wraps at the panel's width; zoom with the buttons (cell size 2..16 px). The device under the pointer
 * is named in the caption and the canvas title. Used by ClusterDrawing beyond LARGE_CLUSTER_DEVICES devices.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Cluster } from '../../workers/core/cluster/types.ts';
import { deviceOffsets } from '../cluster/edit.ts';
import type { DeviceFill } from './ClusterDrawing.tsx';
import { buttonClass } from './Region.tsx';

const WIDTH = 640;
const ZOOMS = [2, 3, 4, 6, 8, 12, 16] as const;

export interface GridLayout {
  readonly cell: number;
  readonly nodeW: number;
  readonly nodeH: number;
  readonly perLine: number;
  readonly height: number;
}

/** Where node n sits: nodes of up to maxGpus cells, perLine of them per grid row, a 2-cell gap between nodes. */
export function gridLayout(nodes: number, maxGpus: number, cell: number, width = WIDTH): GridLayout {
  const nodeW = maxGpus * cell + 2 * cell;
  const nodeH = cell + Math.max(2, cell / 2);
  const perLine = Math.max(1, Math.floor(width / nodeW));
  return { cell, nodeW, nodeH, perLine, height: Math.ceil(nodes / perLine) * nodeH };
}

/** The device at canvas point (x, y), or undefined between cells. */
export function deviceAt(l: GridLayout, cluster: Cluster, offsets: readonly number[], x: number, y: number): { device: number; node: number; gpu: number } | undefined {
  const node = Math.floor(y / l.nodeH) * l.perLine + Math.floor(x / l.nodeW);
  const gpu = Math.floor((x % l.nodeW) / l.cell);
  if (node >= cluster.nodes.length || y % l.nodeH >= l.cell || gpu >= cluster.nodes[node].gpus) return undefined;
  return { device: offsets[node] + gpu, node, gpu };
}

/** CSS colour -> little-endian RGBA word for a Uint32Array view of ImageData, parsed once per colour by the canvas. */
function colourCache(ctx: CanvasRenderingContext2D): (css: string) => number {
  const cache = new Map<string, number>();
  return (css) => {
    let v = cache.get(css);
    if (v === undefined) {
      ctx.fillStyle = css;
      const norm = String(ctx.fillStyle);
      const hex = /^#([0-9a-f]{6})$/i.exec(norm);
      const rgb = /^rgba?\((\d+), (\d+), (\d+)/.exec(norm);
      const n = hex ? parseInt(hex[1], 16) : rgb ? (Number(rgb[1]) << 16) | (Number(rgb[2]) << 8) | Number(rgb[3]) : 0x808080;
      v = (0xff << 24 | (n & 0xff) << 16 | (n >> 8 & 0xff) << 8 | n >> 16) >>> 0;
      cache.set(css, v);
    }
    return v;
  };
}

export function ClusterCanvas({ cluster, fillOf, label }: { cluster: Cluster; fillOf?: (device: number) => DeviceFill | undefined; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [zoom, setZoom] = useState(1);
  const [hover, setHover] = useState<string>('');
  const offsets = useMemo(() => deviceOffsets(cluster), [cluster]);
  const maxGpus = useMemo(() => Math.max(...cluster.nodes.map((n) => n.gpus)), [cluster]);
  // One layout object per geometry: a new one each render redrew all 16k cells on every hover.
  const layout = useMemo(() => gridLayout(cluster.nodes.length, maxGpus, ZOOMS[zoom], Math.max(WIDTH, maxGpus * ZOOMS[zoom] * 2)),
    [cluster.nodes.length, maxGpus, zoom]);
  const width = layout.perLine * layout.nodeW;
  useEffect(() => {
    // Drawn in a task of its own, not in the commit of the edit that changed the cluster (a preset pick): the
    // two stay short tasks instead of one long one.
    const timer = setTimeout(() => draw(), 0);
    return () => clearTimeout(timer);
  }, [cluster, fillOf, layout, offsets, width]);
  function draw(): void {
    const ctx = ref.current?.getContext('2d');
    if (!ctx || width === 0 || layout.height === 0) return;
    // One pixel buffer written cell by cell and put once: 16k fillRect calls take a frame or more.
    const image = ctx.createImageData(width, layout.height);
    const pixels = new Uint32Array(image.data.buffer);
    const rgba = colourCache(ctx);
    const c = layout.cell;
    const gap = c >= 4 ? 1 : 0;
    cluster.nodes.forEach((node, n) => {
      const x0 = (n % layout.perLine) * layout.nodeW;
      const y0 = Math.floor(n / layout.perLine) * layout.nodeH;
      for (let g = 0; g < node.gpus; g++) {
        const colour = rgba(fillOf?.(offsets[n] + g)?.fill ?? (node.gpu.startsWith('V100') ? '#94a3b8' : node.gpu.startsWith('A100') ? '#a3a38f' : '#8fa3a3'));
        for (let y = y0; y < y0 + c; y++) pixels.fill(colour, y * width + x0 + g * c, y * width + x0 + g * c + c - gap);
      }
    });
    ctx.putImageData(image, 0, 0);
  }
  const onMove = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const hit = deviceAt(layout, cluster, offsets, e.clientX - r.left, e.clientY - r.top);
    setHover(hit ? (fillOf?.(hit.device)?.title ?? `device ${hit.device}: node ${hit.node}, GPU ${hit.gpu} (${cluster.nodes[hit.node].gpu})`) : '');
  };
  return (
    <div className="space-y-1" data-cluster-canvas>
      <div className="flex items-center gap-2 text-xs text-slate-500">
        <button type="button" className={buttonClass} aria-label="Zoom out" disabled={zoom === 0} onClick={() => setZoom(zoom - 1)}>−</button>
        <button type="button" className={buttonClass} aria-label="Zoom in" disabled={zoom === ZOOMS.length - 1} onClick={() => setZoom(zoom + 1)}>+</button>
        <span>{cluster.nodes.length} nodes as rows of {maxGpus} GPUs, {layout.perLine} per line</span>
        <span data-testid="cluster-hover" className="tabular">{hover}</span>
      </div>
      <div className="max-h-[480px] max-w-full overflow-auto">
        <canvas ref={ref} role="img" aria-label={label} title={hover} width={width} height={layout.height} onMouseMove={onMove} />
      </div>
    </div>
  );
}
