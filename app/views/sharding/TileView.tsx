/** A tensor's tiles drawn over the device mesh: each tile lists the mesh devices that hold it. */
import { tileGrid } from './tiles.ts';

export interface TensorPick {
  readonly name: string;
  readonly shape: readonly number[];
  readonly spec: string;
}

const W = 320, H = 160;

export function TileView({ tensor, mesh, devices }: { tensor: TensorPick; mesh: readonly [number, number]; devices: readonly number[] }) {
  const g = tileGrid(tensor.shape, tensor.spec, mesh);
  const tw = W / g.cols, th = H / g.rows;
  const dimLabel = (d: number) => (d < 0 ? '—' : `dim ${d} (${tensor.shape[d]})`);
  return (
    <figure className="space-y-1">
      <figcaption className="text-sm">
        <span className="font-mono">{tensor.name}</span> [{tensor.shape.join(', ')}] spec <span className="font-mono">{tensor.spec || '(scalar)'}</span>
        <span className="ml-2 text-xs text-slate-500">rows: {dimLabel(g.dims[0])} · columns: {dimLabel(g.dims[1])}</span>
      </figcaption>
      <svg role="img" aria-label={`Tiles of ${tensor.name} over mesh (${mesh[0]}, ${mesh[1]})`} width={W + 2} height={H + 2} className="text-slate-800 dark:text-slate-100">
        {g.tiles.map((t) => (
          <g key={`${t.row},${t.col}`} transform={`translate(${t.col * tw + 1}, ${t.row * th + 1})`}>
            <rect width={tw} height={th} fill="#6366f1" fillOpacity={0.12 + 0.5 * (1 / Math.max(1, t.devices.length))} stroke="currentColor" strokeOpacity={0.5} />
            <text x={tw / 2} y={th / 2} textAnchor="middle" dominantBaseline="middle" fontSize={Math.min(12, tw / 6)} fill="currentColor">
              {t.devices.map(([i, j]) => `d${devices[i * mesh[1] + j] ?? `${i},${j}`}`).join(' ')}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}
