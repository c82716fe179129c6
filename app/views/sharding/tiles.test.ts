import { describe, expect, it } from 'vitest';
import { tileGrid } from './tiles.ts';

describe('tensor tiles over a mesh', () => {
  it('S0R on a (2, 2) mesh: two row tiles, each replicated over axis 1', () => {
    const g = tileGrid([64, 256], 'S0R', [2, 2]);
    expect([g.rows, g.cols]).toEqual([2, 1]);
    expect(g.tiles[0].devices).toEqual([[0, 0], [0, 1]]);
    expect(g.tiles[1].devices).toEqual([[1, 0], [1, 1]]);
  });
  it('S0S1 gives every device its own tile; S01 on one dim splits it four ways', () => {
    expect(tileGrid([8, 8], 'S0S1', [2, 2]).tiles.map((t) => t.devices.length)).toEqual([1, 1, 1, 1]);
    const g = tileGrid([8, 8], 'RS01', [2, 2]);
    expect([g.rows, g.cols]).toEqual([1, 4]);
    expect(g.tiles[3].devices).toEqual([[1, 1]]);
  });
  it('draws the sharded dims of a rank-3 tensor and reads bad specs as replicated', () => {
    expect(tileGrid([4, 128, 512], 'S0RS1', [2, 4]).dims).toEqual([0, 2]);
    expect(tileGrid([4, 4], 'X?', [2, 2]).tiles).toHaveLength(1);
  });
});
