import { describe, expect, it } from 'vitest';
import { FAMILY_DIMS, hfConfigFor } from './zooDims.ts';

describe('zoo dimension configs', () => {
  it('writes a GPT-2 style config with the slider values', () => {
    expect(hfConfigFor('gpt', { hidden: 2560, layers: 32, heads: 32, vocab: 51200 })).toEqual({
      model_type: 'gpt2', n_embd: 2560, n_layer: 32, n_head: 32, vocab_size: 51200, n_inner: 10240,
    });
  });
  it('keeps grouped-query heads for Llama and has no config for Wide-ResNet', () => {
    const c = hfConfigFor('llama', { hidden: 4096, layers: 32, heads: 32, kvHeads: 8, intermediate: 14336, vocab: 128256 });
    expect(c?.num_key_value_heads).toBe(8);
    expect(hfConfigFor('wresnet', {})).toBeUndefined();
    expect(FAMILY_DIMS.llama.map((d) => d.key)).toContain('kvHeads');
  });
});
