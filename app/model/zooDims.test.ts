import { describe, expect, it } from 'vitest';
import { zooModel } from '../../workers/core/zoo/index.ts';
import { FAMILY_DIMS, zooFamily } from './zooDims.ts';

describe('zoo dimension sliders', () => {
  it('offers only dimensions the family generator takes, and each slider value builds', () => {
    for (const name of ['gpt-350M', 'llama-tiny', 'moe-380M']) {
      const dims = Object.fromEntries(FAMILY_DIMS[zooFamily(name)].map((d) => [d.key, d.key === 'heads' || d.key === 'kvHeads' ? 4 : d.min * 2]));
      const g = zooModel(name, { batch: 2, seq: 32, dims });
      expect(g.name.startsWith(`${name} (`)).toBe(true);
    }
  });
  it('has no sliders for Wide-ResNet and names families from zoo names', () => {
    expect(FAMILY_DIMS.wresnet).toBeUndefined();
    expect([zooFamily('tinyllama-1.1B'), zooFamily('gpt-2.6B'), zooFamily('moe-27B')]).toEqual(['llama', 'gpt', 'moe']);
  });
});
