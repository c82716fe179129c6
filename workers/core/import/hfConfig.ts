/**
 * Hugging Face config.json -> a decoder built from the config's own fields (hfDecoder.ts): bias flags, tied
 * embeddings, GQA heads, head_dim, intermediate sizes, MoE experts / top-k / router / shared experts, MLA, learned
 * positions. Absent optional fields take the transformers default of that model_type. vocab_size is the embedding
 * row count as transformers builds it (checkpoints pad it themselves, e.g. Phi-3's 32064), so it is used as is.
 * An unknown model_type with the standard fields builds a generic Llama-style decoder, with a warning saying so.
 */
import type { DType, ModelGraph } from '../ir/types.ts';
import { fail } from './errors.ts';
import { buildDecoder, type DecoderSpec, type MoeSpec } from './hfDecoder.ts';

const FORMAT = 'hf-config';
type Cfg = Readonly<Record<string, unknown>>;
type Base = Omit<DecoderSpec, 'seq' | 'batch' | 'dtype' | 'name' | 'warnings' | 'config'>;
type Reader = (c: Reader1, cfg: Cfg) => Base;
/** Field access bound to one file, failing with the key named. */
interface Reader1 {
  int(key: string, dflt?: number): number;
  opt(key: string): number | undefined;
  bool(key: string, dflt: boolean): boolean;
}

/**
 * Llama-style decoder (RMSNorm, rotary, gated MLP); `over` changes the family's defaults. Graph families: 'gpt' and
 * 'llama' for dense decoders (as the zoo's), the model_type itself for MoE ones (not the zoo's GShard 'moe').
 */
function llamaLike(family: string, over: { qkvBias?: boolean; oBias?: boolean; tied?: boolean; qkNorm?: boolean; headDim?: number; kvHeads?: number } = {}): Reader {
  return (c) => {
    const hidden = c.int('hidden_size'), heads = c.int('num_attention_heads');
    const bias = c.bool('attention_bias', false);
    return {
      family, hidden, layers: c.int('num_hidden_layers'), vocab: c.int('vocab_size'), norm: 'rms', tied: c.bool('tie_word_embeddings', over.tied ?? false),
      attention: {
        kind: 'mha', heads, kvHeads: c.opt('num_key_value_heads') ?? over.kvHeads ?? heads, headDim: c.opt('head_dim') ?? over.headDim ?? hidden / heads,
        qkvBias: over.qkvBias ?? bias, oBias: over.oBias ?? bias, rotary: true, ...(over.qkNorm ? { qkNorm: true } : {}),
      },
      mlp: { kind: 'gated', intermediate: c.int('intermediate_size'), bias: c.bool('mlp_bias', false) },
    };
  };
}

/** transformers' Mixtral / Qwen2-MoE / DeepSeek MoE layout on top of a Llama-style decoder. */
function withMoe(base: Reader, moe: (c: Reader1, cfg: Cfg) => MoeSpec): Reader {
  return (c, cfg) => ({ ...base(c, cfg), moe: moe(c, cfg) });
}

const FAMILIES: Readonly<Record<string, Reader>> = {
  gpt2: (c) => {
    const hidden = c.int('n_embd'), heads = c.int('n_head');
    return {
      family: 'gpt', hidden, layers: c.int('n_layer'), vocab: c.int('vocab_size'), norm: 'layer', tied: c.bool('tie_word_embeddings', true),
      positions: c.int('n_positions', 1024),
      attention: { kind: 'mha', heads, kvHeads: heads, headDim: hidden / heads, qkvBias: true, oBias: true, rotary: false },
      mlp: { kind: 'plain', intermediate: c.opt('n_inner') ?? 4 * hidden, bias: true },
    };
  },
  gpt_neox: (c) => {
    const hidden = c.int('hidden_size'), heads = c.int('num_attention_heads'), bias = c.bool('attention_bias', true);
    return {
      family: 'gpt', hidden, layers: c.int('num_hidden_layers'), vocab: c.int('vocab_size'), norm: 'layer', tied: c.bool('tie_word_embeddings', false),
      attention: { kind: 'mha', heads, kvHeads: heads, headDim: hidden / heads, qkvBias: bias, oBias: bias, rotary: true },
      mlp: { kind: 'plain', intermediate: c.int('intermediate_size'), bias: true },
    };
  },
  opt: (c) => {
    const hidden = c.int('hidden_size'), heads = c.int('num_attention_heads'), bias = c.bool('enable_bias', true);
    return {
      family: 'gpt', hidden, layers: c.int('num_hidden_layers'), vocab: c.int('vocab_size'), norm: 'layer', tied: c.bool('tie_word_embeddings', true),
      // OPT's learned positions keep two extra rows (the padding offset).
      positions: c.int('max_position_embeddings', 2048) + 2,
      attention: { kind: 'mha', heads, kvHeads: heads, headDim: hidden / heads, qkvBias: bias, oBias: bias, rotary: false },
      mlp: { kind: 'plain', intermediate: c.int('ffn_dim'), bias },
    };
  },
  llama: llamaLike('llama'),
  mistral: llamaLike('llama', { kvHeads: 8 }),
  qwen2: llamaLike('llama', { qkvBias: true, oBias: false }),
  qwen3: llamaLike('llama', { qkNorm: true, headDim: 128 }),
  gemma: llamaLike('llama', { tied: true, headDim: 256 }),
  gemma2: llamaLike('llama', { tied: true, headDim: 256 }),
  phi3: llamaLike('llama'),
  mixtral: withMoe(llamaLike('mixtral', { kvHeads: 8 }), (c) => ({
    experts: c.int('num_local_experts', 8), topK: c.int('num_experts_per_tok', 2), intermediate: c.int('intermediate_size'), isMoeLayer: () => true,
  })),
  qwen2_moe: withMoe(llamaLike('qwen2_moe', { qkvBias: true, oBias: false }), (c, cfg) => {
    const step = c.int('decoder_sparse_step', 1);
    const dense = new Set(Array.isArray(cfg.mlp_only_layers) ? cfg.mlp_only_layers.map(Number) : []);
    return {
      experts: c.int('num_experts', 60), topK: c.int('num_experts_per_tok', 4), intermediate: c.int('moe_intermediate_size'),
      shared: { intermediate: c.int('shared_expert_intermediate_size'), gate: true },
      isMoeLayer: (i) => !dense.has(i) && (i + 1) % step === 0,
    };
  }),
  deepseek_v2: deepseek('deepseek_v2'),
  deepseek_v3: deepseek('deepseek_v3'),
};
export const SUPPORTED_MODEL_TYPES: readonly string[] = Object.keys(FAMILIES);

function deepseek(family: string): Reader {
  return (c, cfg) => {
    const base = llamaLike(family)(c, cfg);
    const heads = c.int('num_attention_heads');
    const shared = c.int('n_shared_experts', 0), first = c.int('first_k_dense_replace', 0), freq = c.int('moe_layer_freq', 1);
    const routed = c.opt('n_routed_experts');
    return {
      ...base,
      attention: {
        kind: 'mla', heads, kvLoraRank: c.int('kv_lora_rank'), qkNope: c.int('qk_nope_head_dim'), qkRope: c.int('qk_rope_head_dim'),
        vHead: c.int('v_head_dim'), bias: c.bool('attention_bias', false), ...(c.opt('q_lora_rank') ? { qLoraRank: c.opt('q_lora_rank')! } : {}),
      },
      ...(routed ? {
        moe: {
          experts: routed, topK: c.int('num_experts_per_tok'), intermediate: c.int('moe_intermediate_size'),
          ...(shared ? { shared: { intermediate: shared * c.int('moe_intermediate_size'), gate: false } } : {}),
          isMoeLayer: (i: number) => i >= first && i % freq === 0,
        },
      } : {}),
    };
  };
}

/** Standard fields an unknown model_type must have to build as a generic decoder. */
const STANDARD = ['hidden_size', 'num_hidden_layers', 'num_attention_heads', 'intermediate_size', 'vocab_size'];
/** Default sequence length when the user gives none: the context length, capped so a default plan stays small. */
const DEFAULT_SEQ_CAP = 2048;
/** Generated graphs grow with layers (and experts): beyond these a config is a typo, not a model. */
const MAX_LAYERS = 1024;
const MAX_EXPERTS = 1024;
const DTYPES: Readonly<Record<string, DType>> = { bfloat16: 'bf16', float16: 'f16', float32: 'f32', float64: 'f64' };

export function looksLikeHfConfig(value: unknown): value is Cfg {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && ('model_type' in value || 'architectures' in value) && !('schemaVersion' in value);
}

function reader(cfg: Cfg, fileName: string): Reader1 {
  const bad = (key: string, what: string, v: unknown): never => fail(FORMAT, `${fileName}: '${key}' must be ${what}, got ${JSON.stringify(v)}`, { node: key });
  return {
    int(key, dflt) {
      const v = cfg[key] ?? dflt;
      if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) return bad(key, 'a positive integer', cfg[key]);
      return v;
    },
    opt(key) {
      const v = cfg[key];
      return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
    },
    bool(key, dflt) {
      const v = cfg[key];
      if (v === undefined || v === null) return dflt;
      if (typeof v !== 'boolean') return bad(key, 'true or false', v);
      return v;
    },
  };
}

export function importHfConfig(fileName: string, cfg: Cfg, opts: { batch?: number; seq?: number } = {}): ModelGraph {
  const type = typeof cfg.model_type === 'string' ? cfg.model_type : undefined;
  const warnings: string[] = [];
  let read = type === undefined ? undefined : FAMILIES[type];
  if (!read) {
    if (!STANDARD.every((k) => k in cfg)) {
      fail(FORMAT, `${fileName}: model_type ${JSON.stringify(type ?? null)} is not supported and the config lacks the standard fields (${STANDARD.filter((k) => !(k in cfg)).join(', ')}); supported: ${SUPPORTED_MODEL_TYPES.join(', ')}`, { node: 'model_type' });
    }
    read = llamaLike('llama');
    warnings.push(`hf-config: model_type ${JSON.stringify(type ?? null)} is unknown; built as a generic decoder from ${STANDARD.join(', ')}: assumed RMSNorm, rotary positions, a gated (SwiGLU) MLP, biases only where attention_bias / mlp_bias say, an untied head unless tie_word_embeddings`);
  }
  const c = reader(cfg, fileName);
  const base = read(c, cfg);
  const positionsKey = type === 'gpt2' ? 'n_positions' : 'max_position_embeddings';
  const context = c.opt(positionsKey);
  const layersKey = type === 'gpt2' ? 'n_layer' : 'num_hidden_layers';
  if (base.layers > MAX_LAYERS) fail(FORMAT, `${fileName}: '${layersKey}' is ${base.layers}; at most ${MAX_LAYERS} layers are supported`, { node: layersKey });
  if (base.moe && base.moe.experts > MAX_EXPERTS) fail(FORMAT, `${fileName}: ${base.moe.experts} experts; at most ${MAX_EXPERTS} are supported`, { node: 'experts' });
  const att = base.attention;
  if (att.kind === 'mha' && (!Number.isInteger(att.headDim) || att.heads % att.kvHeads !== 0)) {
    fail(FORMAT, `${fileName}: ${att.heads} attention heads do not split evenly (hidden ${base.hidden}, ${att.kvHeads} key/value heads, head_dim ${att.headDim})`, { node: 'num_attention_heads' });
  }
  const seq = opts.seq ?? Math.min(context ?? DEFAULT_SEQ_CAP, DEFAULT_SEQ_CAP);
  if (!opts.seq && context && context > DEFAULT_SEQ_CAP) warnings.push(`hf-config: sequence length ${seq} (context ${context}); pass --seq to change it`);
  const window = c.opt('sliding_window');
  const windowed = window !== undefined && cfg.use_sliding_window !== false && window < seq;
  if (windowed) warnings.push(`hf-config: sliding_window ${window} < sequence ${seq}: attention is counted dense (as SDPA computes it), not windowed`);
  const config: Record<string, number | string | boolean> = { modelType: type ?? 'decoder', tied: base.tied, ...(window ? { slidingWindow: window } : {}) };
  if (att.kind === 'mha') Object.assign(config, { heads: att.heads, kvHeads: att.kvHeads, headDim: att.headDim, intermediate: base.mlp.intermediate });
  else Object.assign(config, { heads: att.heads, kvLoraRank: att.kvLoraRank, intermediate: base.mlp.intermediate });
  if (base.moe) Object.assign(config, { experts: base.moe.experts, topK: base.moe.topK, expertIntermediate: base.moe.intermediate, sharedIntermediate: base.moe.shared?.intermediate ?? 0 });
  const dtype = DTYPES[String(cfg.torch_dtype ?? cfg.dtype ?? '')] ?? 'bf16';
  const spec: DecoderSpec = {
    ...base, name: `${type ?? 'decoder'}-h${base.hidden}-l${base.layers}`, seq, batch: opts.batch ?? 1, dtype, config, warnings,
  };
  return buildDecoder(spec, `hf-config:${fileName.replace(/^.*[\\/]/, '')}`);
}
