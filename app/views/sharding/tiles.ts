/**
 * Tiles of a sharded tensor over a logical mesh: how an Alpa spec ('S0R', 'RS1', 'S01R', ...) cuts the tensor,
 * and which mesh devices hold each tile. Drawn on the tensor's two displayed dimensions (its sharded ones first).
 */
import { parseAlpaSpec } from '../../../workers/core/export/jaxPartitionSpecs.ts';

export type DimSpec = 'R' | 'S0' | 'S1' | 'S01';

export interface Tile {
  readonly row: number;
  readonly col: number;
  /** Mesh coordinates [i, j] of every device holding this tile (several when replicated). */
  readonly devices: readonly (readonly [number, number])[];
}

export interface TileGrid {
  /** The tensor dims drawn as rows and columns (-1: none, the tensor has fewer dims). */
  readonly dims: readonly [number, number];
  readonly rows: number;
  readonly cols: number;
  readonly tiles: readonly Tile[];
}

const parts = (d: DimSpec, [n0, n1]: readonly [number, number]): number => (d === 'R' ? 1 : d === 'S0' ? n0 : d === 'S1' ? n1 : n0 * n1);

/** Index of the tile along a dim that a device (i, j) holds. */
function partIndex(d: DimSpec, i: number, j: number, n1: number): number {
  return d === 'R' ? 0 : d === 'S0' ? i : d === 'S1' ? j : i * n1 + j;
}

/** The spec string parsed; a malformed one reads as replicated (never throws in a view). */
export function specDims(spec: string, rank: number): DimSpec[] {
  let dims: DimSpec[];
  try { dims = parseAlpaSpec(spec); } catch { dims = []; }
  return Array.from({ length: rank }, (_, k) => dims[k] ?? 'R');
}

export function tileGrid(shape: readonly number[], spec: string, mesh: readonly [number, number]): TileGrid {
  const dims = specDims(spec, shape.length);
  const sharded = dims.map((d, k) => (d === 'R' ? -1 : k)).filter((k) => k >= 0);
  const others = dims.map((_, k) => k).filter((k) => !sharded.includes(k));
  const shown = [...sharded, ...others.slice(-2)].slice(0, 2).sort((a, b) => a - b);
  const rowDim = shown.length === 2 ? shown[0] : -1;
  const colDim = shown.length === 2 ? shown[1] : shown[0] ?? -1;
  const rowSpec: DimSpec = rowDim >= 0 ? dims[rowDim] : 'R';
  const colSpec: DimSpec = colDim >= 0 ? dims[colDim] : 'R';
  const rows = parts(rowSpec, mesh), cols = parts(colSpec, mesh);
  const holders = new Map<string, [number, number][]>();
  for (let i = 0; i < mesh[0]; i++) {
    for (let j = 0; j < mesh[1]; j++) {
      const key = `${partIndex(rowSpec, i, j, mesh[1])},${partIndex(colSpec, i, j, mesh[1])}`;
      const list = holders.get(key) ?? [];
      list.push([i, j]);
      holders.set(key, list);
    }
  }
  const tiles: Tile[] = [];
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) tiles.push({ row: r, col: c, devices: holders.get(`${r},${c}`) ?? [] });
  return { dims: [rowDim, colDim], rows, cols, tiles };
}
