import { describe, expect, it } from 'vitest';
import { countLayers, groupLayers, layerIndexOf, layerOf } from './layers.ts';
import { zooModel } from '../zoo/index.ts';

describe('layerOf', () => {
  it('recognises h.i, layers.i, layer.i, block.i and layers/i segments', () => {
    expect(layerOf('gpt/h.3/attn/qkv')).toEqual({ index: 3, prefix: 'gpt/h.3' });
    expect(layerIndexOf('/model/layers.12/self_attn/q_proj/MatMul')).toBe(12);
    expect(layerIndexOf('bert/encoder/layer.7/output')).toBe(7);
    expect(layerIndexOf('wresnet/block.15/conv2/conv')).toBe(15);
    expect(layerOf('model/layers/4/mlp')).toEqual({ index: 4, prefix: 'model/layers/4' });
    expect(layerOf('gpt/head/logits')).toBeUndefined();
    expect(layerOf('gpt/hh.3/x')).toBeUndefined();
  });
});

describe('groupLayers', () => {
  it('cuts GPT into embedding, one group per block in order, and head', () => {
    const g = zooModel('gpt-tiny');
    const groups = groupLayers(g);
    expect(groups.map((x) => x.name)).toEqual(['embedding', 'gpt/h.0', 'gpt/h.1', 'head']);
    expect(groups.map((x) => x.kind)).toEqual(['embedding', 'block', 'block', 'head']);
    expect(groups.reduce((n, x) => n + x.opIds.length, 0)).toBe(g.ops.length);
    expect(groups[0].opIds.length).toBe(2); // token gather + position add
    expect(countLayers(g)).toBe(2);
  });

  it('groups ops that have no layer segment between blocks with the block before them', () => {
    const ops = ['embed', 'net/block.0/a', 'net/block.0/b', 'net/between', 'net/block.1/a', 'net/out'].map((path, i) => ({ id: `o${i}`, path }));
    const groups = groupLayers({ ops } as never);
    expect(groups.map((x) => [x.name, x.opIds])).toEqual([
      ['embedding', ['o0']], ['net/block.0', ['o1', 'o2', 'o3']], ['net/block.1', ['o4']], ['head', ['o5']],
    ]);
  });
});
