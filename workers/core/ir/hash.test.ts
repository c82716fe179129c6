import { describe, expect, it } from 'vitest';
import { gpt } from '../zoo/gpt.ts';
import { zooModel } from '../zoo/index.ts';
import { layerHashes, structuralHash, structuralKey } from './hash.ts';
import { groupLayers } from './layers.ts';

const small = (hidden: number) => gpt({ hidden, layers: 3, heads: 4, vocab: 128, seq: 16, batch: 2 });

describe('structuralHash', () => {
  it('is equal for two identical GPT layers and ignores ids, names and paths', () => {
    const g = small(64);
    const [, h0, h1, h2] = groupLayers(g);
    expect(h0.name).toBe('gpt/h.0');
    expect(h0.opIds.length).toBe(23);
    expect(structuralHash(g, h0.opIds)).toBe(structuralHash(g, h1.opIds));
    expect(structuralHash(g, h1.opIds)).toBe(structuralHash(g, h2.opIds));
    expect(structuralHash(g, h0.opIds)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('differs for different widths, and for embedding vs block', () => {
    const a = small(64);
    const b = small(128);
    const la = groupLayers(a)[1].opIds;
    const lb = groupLayers(b)[1].opIds;
    expect(structuralHash(a, la)).not.toBe(structuralHash(b, lb));
    expect(structuralHash(a, groupLayers(a)[0].opIds)).not.toBe(structuralHash(a, la));
  });

  it('sees internal wiring: swapping which inputs an op reads changes the key', () => {
    const g = small(64);
    const ids = groupLayers(g)[1].opIds;
    const residual = g.ops.find((o) => o.path === 'gpt/h.0/attn/residual');
    expect(residual).toBeDefined();
    const swapped = { ...g, ops: g.ops.map((o) => (o === residual ? { ...o, inputs: [...o.inputs].reverse() } : o)) };
    expect(structuralKey(swapped, ids)).not.toBe(structuralKey(g, ids));
  });

  it('finds the distinct layers of the zoo: GPT 1 block kind, MoE 2 (dense, expert), WResNet 8', () => {
    const distinctBlocks = (name: string) =>
      new Set(layerHashes(zooModel(name, { batch: 2 })).filter((l) => l.name !== 'embedding' && l.name !== 'head').map((l) => l.hash)).size;
    expect(distinctBlocks('gpt-350M')).toBe(1);
    expect(distinctBlocks('moe-380M')).toBe(2);
    // per stage: the first block (stride / projection) and the rest
    expect(distinctBlocks('wresnet-250M')).toBe(8);
  });
});
