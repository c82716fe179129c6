import { describe, expect, it } from 'vitest';
import { inspectGraph } from '../ir/inspect.ts';
import { zooModel } from '../zoo/index.ts';
import { SUPPORTED_MODEL_TYPES } from './hfConfig.ts';
import { importModel } from './index.ts';

const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

const GPT2 = { architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', n_embd: 768, n_layer: 12, n_head: 12, n_positions: 1024, n_ctx: 1024, n_inner: null, vocab_size: 50257, activation_function: 'gelu_new' };
const TINYLLAMA = { architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 2048, num_hidden_layers: 22, num_attention_heads: 32, num_key_value_heads: 4, intermediate_size: 5632, vocab_size: 32000, max_position_embeddings: 2048, torch_dtype: 'bfloat16', tie_word_embeddings: false };
const MIXTRAL = { architectures: ['MixtralForCausalLM'], model_type: 'mixtral', hidden_size: 512, num_hidden_layers: 4, num_attention_heads: 8, num_key_value_heads: 2, intermediate_size: 2048, vocab_size: 32000, max_position_embeddings: 32768, num_local_experts: 8, num_experts_per_tok: 2 };

describe('Hugging Face config.json', () => {
  it('GPT-2 builds the zoo GPT with its dimensions: 124M parameters, 12 layers', async () => {
    const r = await importModel('config.json', bytes(GPT2), { batch: 4 });
    if (!r.ok) throw new Error(r.error.message);
    const s = inspectGraph(r.graph);
    expect(r.graph.config).toMatchObject({ hidden: 768, layers: 12, heads: 12, vocab: 50257, seq: 1024, batch: 4 });
    expect(s.layers).toBe(12);
    // The zoo GPT adds a vocab bias to the tied head; otherwise GPT-2's 124,439,808.
    expect(Math.abs(s.params - 124_439_808)).toBeLessThanOrEqual(50_257);
    expect(r.graph.source).toBe('hf-config:config.json');
  });

  it('a Llama config matches the zoo TinyLlama built from the same dimensions', async () => {
    const r = await importModel('tinyllama.json', bytes(TINYLLAMA), { batch: 2, seq: 512 });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.graph.family).toBe('llama');
    expect(r.graph.config).toMatchObject({ hidden: 2048, layers: 22, kvHeads: 4, intermediate: 5632, seq: 512, batch: 2 });
    expect(inspectGraph(r.graph).params).toBe(inspectGraph(zooModel('tinyllama-1.1B', { batch: 2, seq: 512 })).params);
    expect(r.graph.tensors.find((t) => t.kind === 'parameter')!.dtype).toBe('bf16');
  });

  it('Mixtral maps to the GShard MoE generator with its experts, capping the default sequence length', async () => {
    const r = await importModel('mixtral.json', bytes(MIXTRAL));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.graph.family).toBe('moe');
    expect(r.graph.config).toMatchObject({ hidden: 512, layers: 4, experts: 8, seq: 2048 });
    expect(r.warnings.join('\n')).toMatch(/sequence length 2048 \(context 32768\)/);
  });

  it('an unknown model_type is refused with the list of supported types; bad dims name the key', async () => {
    const r = await importModel('config.json', bytes({ model_type: 'bert', hidden_size: 768 }));
    expect(r.ok ? undefined : r.error.message).toBe(`config.json: model_type "bert" is not supported; supported: ${SUPPORTED_MODEL_TYPES.join(', ')}`);
    expect(SUPPORTED_MODEL_TYPES).toEqual(expect.arrayContaining(['gpt2', 'llama', 'mistral', 'mixtral', 'qwen2']));
    const bad = await importModel('config.json', bytes({ ...GPT2, n_layer: 0 }));
    expect(bad.ok ? undefined : [bad.error.message, bad.error.node]).toEqual(["config.json: 'n_layer' must be a positive integer, got 0", 'n_layer']);
  });
});
