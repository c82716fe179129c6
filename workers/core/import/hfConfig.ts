/**
 * Hugging Face config.json -> the zoo's generators with the config's dimensions. Decoder families only; the
 * generated graph is the zoo's architecture (GPT, Llama, GShard MoE), so small details (biases, norms) may
 * differ from the checkpoint, which the warnings say.
 */
import type { DType, ModelGraph } from '../ir/types.ts';
import { gpt, llama, moe, ZooError } from '../zoo/index.ts';
import { fail } from './errors.ts';

const FORMAT = 'hf-config';
type Cfg = Readonly<Record<string, unknown>>;
type Family = 'gpt' | 'llama' | 'moe';

/** model_type -> generator family and the config keys holding hidden, layers, heads, mlp width. */
const TYPES: Readonly<Record<string, { family: Family; hidden: string; layers: string; heads: string; mlp?: string; positions?: string }>> = {
  gpt2: { family: 'gpt', hidden: 'n_embd', layers: 'n_layer', heads: 'n_head', mlp: 'n_inner', positions: 'n_positions' },
  gptj: { family: 'gpt', hidden: 'n_embd', layers: 'n_layer', heads: 'n_head', mlp: 'n_inner', positions: 'n_positions' },
  gpt_neox: { family: 'gpt', hidden: 'hidden_size', layers: 'num_hidden_layers', heads: 'num_attention_heads', mlp: 'intermediate_size', positions: 'max_position_embeddings' },
  opt: { family: 'gpt', hidden: 'hidden_size', layers: 'num_hidden_layers', heads: 'num_attention_heads', mlp: 'ffn_dim', positions: 'max_position_embeddings' },
  llama: { family: 'llama', hidden: 'hidden_size', layers: 'num_hidden_layers', heads: 'num_attention_heads', mlp: 'intermediate_size', positions: 'max_position_embeddings' },
  mistral: { family: 'llama', hidden: 'hidden_size', layers: 'num_hidden_layers', heads: 'num_attention_heads', mlp: 'intermediate_size', positions: 'max_position_embeddings' },
  qwen2: { family: 'llama', hidden: 'hidden_size', layers: 'num_hidden_layers', heads: 'num_attention_heads', mlp: 'intermediate_size', positions: 'max_position_embeddings' },
  qwen3: { family: 'llama', hidden: 'hidden_size', layers: 'num_hidden_layers', heads: 'num_attention_heads', mlp: 'intermediate_size', positions: 'max_position_embeddings' },
  gemma: { family: 'llama', hidden: 'hidden_size', layers: 'num_hidden_layers', heads: 'num_attention_heads', mlp: 'intermediate_size', positions: 'max_position_embeddings' },
  phi3: { family: 'llama', hidden: 'hidden_size', layers: 'num_hidden_layers', heads: 'num_attention_heads', mlp: 'intermediate_size', positions: 'max_position_embeddings' },
  mixtral: { family: 'moe', hidden: 'hidden_size', layers: 'num_hidden_layers', heads: 'num_attention_heads', mlp: 'intermediate_size', positions: 'max_position_embeddings' },
  qwen2_moe: { family: 'moe', hidden: 'hidden_size', layers: 'num_hidden_layers', heads: 'num_attention_heads', mlp: 'moe_intermediate_size', positions: 'max_position_embeddings' },
};
export const SUPPORTED_MODEL_TYPES: readonly string[] = Object.keys(TYPES);
/** Default sequence length when the user gives none: the context length, capped so a default plan stays small. */
const DEFAULT_SEQ_CAP = 2048;
/** Generated graphs grow with layers (and experts): beyond these a config is a typo, not a model. */
const MAX_LAYERS = 1024;
const MAX_EXPERTS = 1024;

export function looksLikeHfConfig(value: unknown): value is Cfg {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && ('model_type' in value || 'architectures' in value) && !('schemaVersion' in value);
}

function int(cfg: Cfg, key: string, fileName: string): number {
  const v = cfg[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) fail(FORMAT, `${fileName}: '${key}' must be a positive integer, got ${JSON.stringify(v)}`, { node: key });
  return v;
}
const optInt = (cfg: Cfg, key: string | undefined): number | undefined => {
  const v = key === undefined ? undefined : cfg[key];
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
};
const DTYPES: Readonly<Record<string, DType>> = { bfloat16: 'bf16', float16: 'f16', float32: 'f32', float64: 'f64' };

export function importHfConfig(fileName: string, cfg: Cfg, opts: { batch?: number; seq?: number } = {}): ModelGraph {
  try {
    return buildFromConfig(fileName, cfg, opts);
  } catch (e) {
    // The generators reject inconsistent dims (hidden not a multiple of heads ...) with a ZooError naming them.
    if (e instanceof ZooError) fail(FORMAT, `${fileName}: ${e.message}`);
    throw e;
  }
}

function buildFromConfig(fileName: string, cfg: Cfg, opts: { batch?: number; seq?: number }): ModelGraph {
  const type = typeof cfg.model_type === 'string' ? cfg.model_type : undefined;
  const spec = type === undefined ? undefined : TYPES[type];
  if (!spec) fail(FORMAT, `${fileName}: model_type ${JSON.stringify(type ?? null)} is not supported; supported: ${SUPPORTED_MODEL_TYPES.join(', ')}`, { node: 'model_type' });
  const hidden = int(cfg, spec.hidden, fileName), layers = int(cfg, spec.layers, fileName), heads = int(cfg, spec.heads, fileName);
  const vocab = int(cfg, 'vocab_size', fileName);
  if (layers > MAX_LAYERS) fail(FORMAT, `${fileName}: '${spec.layers}' is ${layers}; at most ${MAX_LAYERS} layers are supported`, { node: spec.layers });
  const positions = optInt(cfg, spec.positions);
  const warnings: string[] = [];
  const seq = opts.seq ?? Math.min(positions ?? DEFAULT_SEQ_CAP, DEFAULT_SEQ_CAP);
  if (!opts.seq && positions && positions > DEFAULT_SEQ_CAP) warnings.push(`hf-config: sequence length ${seq} (context ${positions}); pass --seq to change it`);
  const batch = opts.batch ?? 1;
  const dtype = DTYPES[String(cfg.torch_dtype ?? cfg.dtype ?? '')];
  const name = `${type}-h${hidden}-l${layers}`;
  const mlp = optInt(cfg, spec.mlp);
  let graph: ModelGraph;
  if (spec.family === 'gpt') {
    graph = gpt({ hidden, layers, heads, vocab, seq, batch, mlpFactor: mlp ? mlp / hidden : 4, name, ...(dtype ? { dtype } : {}) });
    warnings.push('hf-config: built with the zoo GPT generator (learned positions, tied embedding, biases)');
  } else if (spec.family === 'llama') {
    graph = llama({
      hidden, layers, heads, kvHeads: optInt(cfg, 'num_key_value_heads') ?? heads, intermediate: mlp ?? 4 * hidden, vocab, seq, batch,
      ...(optInt(cfg, 'head_dim') ? { headDim: optInt(cfg, 'head_dim')! } : {}), tieEmbeddings: cfg.tie_word_embeddings === true, name, ...(dtype ? { dtype } : {}),
    });
  } else {
    const experts = optInt(cfg, 'num_local_experts') ?? optInt(cfg, 'num_experts');
    if (experts && experts > MAX_EXPERTS) fail(FORMAT, `${fileName}: ${experts} experts; at most ${MAX_EXPERTS} are supported`, { node: 'num_local_experts' });
    if (!experts) fail(FORMAT, `${fileName}: a ${type} config needs num_local_experts (or num_experts)`, { node: 'num_local_experts' });
    graph = moe({ hidden, layers, heads, experts, vocab, seq, batch, mlpFactor: Math.max(1, Math.round((mlp ?? 4 * hidden) / hidden)), name, ...(dtype ? { dtype } : {}) });
    warnings.push('hf-config: built with the zoo GShard MoE generator (MoE every second layer, top-2 gating, GELU experts)');
  }
  return { ...graph, source: `hf-config:${fileName.replace(/^.*[\\/]/, '')}`, warnings: [...(graph.warnings ?? []), ...warnings] };
}
