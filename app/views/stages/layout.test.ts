import { describe, expect, it } from 'vitest';
import { FIXTURE_PLAN } from '../fixturePlan.ts';
import { deviceOwners, layerStrip } from './layout.ts';

describe('stages layout', () => {
  it('splits the layer strip by layer counts', () => {
    expect(layerStrip(FIXTURE_PLAN, 400)).toEqual([
      { stage: 0, x: 0, width: 300, firstLayer: 0, endLayer: 3 },
      { stage: 1, x: 300, width: 100, firstLayer: 3, endLayer: 4 },
    ]);
  });
  it('maps devices to the stage that owns them', () => {
    const owners = deviceOwners(FIXTURE_PLAN);
    expect(owners.get(0)).toBe(0);
    expect(owners.get(5)).toBe(1);
    expect(owners.has(8)).toBe(false);
  });
});
