/**
 * Zoo dimension sliders: which dimensions each family exposes, and the Hugging Face-style config.json that the
 * importers' hf-config path builds the same generator from (the planner API builds zoo models by name only).
 */

export interface DimSpec {
  readonly key: string;
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly step: number;
}

const HIDDEN: DimSpec = { key: 'hidden', label: 'hidden', min: 256, max: 16384, step: 256 };
const LAYERS: DimSpec = { key: 'layers', label: 'layers', min: 1, max: 160, step: 1 };
const HEADS: DimSpec = { key: 'heads', label: 'heads', min: 1, max: 128, step: 1 };
const VOCAB: DimSpec = { key: 'vocab', label: 'vocab', min: 1024, max: 256000, step: 1024 };

export const FAMILY_DIMS: Readonly<Record<string, readonly DimSpec[]>> = {
  gpt: [HIDDEN, LAYERS, HEADS, VOCAB],
  llama: [HIDDEN, LAYERS, HEADS, { key: 'kvHeads', label: 'KV heads', min: 1, max: 128, step: 1 },
    { key: 'intermediate', label: 'MLP width', min: 512, max: 65536, step: 256 }, VOCAB],
  moe: [HIDDEN, LAYERS, HEADS, { key: 'experts', label: 'experts', min: 2, max: 256, step: 2 }, VOCAB],
};

/** An HF config.json for a zoo family with the given dimensions; undefined for families it cannot express. */
export function hfConfigFor(family: string, d: Readonly<Record<string, number>>): Record<string, unknown> | undefined {
  if (family === 'gpt') return { model_type: 'gpt2', n_embd: d.hidden, n_layer: d.layers, n_head: d.heads, vocab_size: d.vocab, n_inner: 4 * d.hidden };
  if (family === 'llama') {
    return {
      model_type: 'llama', hidden_size: d.hidden, num_hidden_layers: d.layers, num_attention_heads: d.heads,
      num_key_value_heads: d.kvHeads ?? d.heads, intermediate_size: d.intermediate, vocab_size: d.vocab,
    };
  }
  if (family === 'moe') {
    return {
      model_type: 'mixtral', hidden_size: d.hidden, num_hidden_layers: d.layers, num_attention_heads: d.heads,
      num_local_experts: d.experts, intermediate_size: 8 * d.hidden, vocab_size: d.vocab,
    };
  }
  return undefined;
}

/** The generator family of a zoo name ('gpt-2.6B' -> 'gpt', 'tinyllama-1.1B' -> 'llama'). */
export function zooFamily(name: string): string {
  return name.includes('llama') ? 'llama' : name.split('-')[0];
}
