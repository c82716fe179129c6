/**
 * The model zoo: named instances of the generators. The paper's models (../shared/reference/paper-eval.json
 * cases) come with their global batch and sequence length as defaults; a few Llama-family models and two tiny
 * models for tests and demos are added.
 */
import type { ModelGraph } from '../ir/types.ts';
import { gpt, type GptConfig } from './gpt.ts';
import { llama, type LlamaConfig } from './llama.ts';
import { moe, type MoeConfig } from './moe.ts';
import { wresnet, type WresnetConfig } from './wresnet.ts';
import { ZooError } from './transformer.ts';

export { gpt, llama, moe, wresnet, ZooError };
export type { GptConfig, LlamaConfig, MoeConfig, WresnetConfig };

type Entry =
  | { readonly family: 'gpt'; readonly cfg: Omit<GptConfig, 'name'> }
  | { readonly family: 'moe'; readonly cfg: Omit<MoeConfig, 'name'> }
  | { readonly family: 'wresnet'; readonly cfg: Omit<WresnetConfig, 'name'> }
  | { readonly family: 'llama'; readonly cfg: Omit<LlamaConfig, 'name'> };

const GPT = (hidden: number, layers: number, heads: number): Entry =>
  ({ family: 'gpt', cfg: { hidden, layers, heads, vocab: 51200, seq: 1024, batch: 1024 } });
const MOE = (hidden: number, layers: number, experts: number): Entry =>
  ({ family: 'moe', cfg: { hidden, layers, heads: 16, experts, vocab: 32000, seq: 1024, batch: 1024, expertGroupSize: 2048, mlpFactor: 8 } });
const WRN = (baseChannels: number, widthFactor: number, batch: number): Entry =>
  ({ family: 'wresnet', cfg: { layers: 50, baseChannels, widthFactor, classes: 1024, image: 224, batch } });
const LLAMA = (cfg: Omit<LlamaConfig, 'name'>): Entry => ({ family: 'llama', cfg });

const ZOO: Readonly<Record<string, Entry>> = {
  'gpt-350M': GPT(1024, 24, 16),
  'gpt-760M': GPT(1536, 24, 16),
  'gpt-1.3B': GPT(2048, 24, 32),
  'gpt-2.6B': GPT(2560, 32, 32),
  'gpt-6.7B': GPT(4096, 32, 32),
  'gpt-15B': GPT(5120, 48, 40),
  'gpt-39B': GPT(8192, 48, 64),
  // GPT-3 175B as Megatron-LM trained it on 1,536 A100s (Narayanan et al., SC'21, Table 1): seq 2,048, batch 1,536.
  'gpt-175B': { family: 'gpt', cfg: { hidden: 12288, layers: 96, heads: 96, vocab: 51200, seq: 2048, batch: 1536 } },
  'moe-380M': MOE(768, 8, 8),
  'moe-690M': MOE(768, 8, 16),
  'moe-1.3B': MOE(768, 16, 16),
  'moe-2.4B': MOE(1024, 16, 16),
  'moe-10B': MOE(1536, 16, 32),
  'moe-27B': MOE(2048, 16, 48),
  'moe-70B': MOE(2048, 32, 64),
  'wresnet-250M': WRN(160, 2, 1536),
  'wresnet-500M': WRN(224, 2, 1536),
  'wresnet-1B': WRN(320, 2, 1536),
  'wresnet-2B': WRN(448, 2, 1536),
  'wresnet-4B': WRN(640, 2, 1536),
  'wresnet-6.8B': WRN(320, 16, 1520),
  'wresnet-13B': WRN(320, 32, 1520),
  'tinyllama-1.1B': LLAMA({ hidden: 2048, layers: 22, heads: 32, kvHeads: 4, intermediate: 5632, vocab: 32000, seq: 2048, batch: 256 }),
  'llama-7B': LLAMA({ hidden: 4096, layers: 32, heads: 32, kvHeads: 32, intermediate: 11008, vocab: 32000, seq: 2048, batch: 256 }),
  'llama-13B': LLAMA({ hidden: 5120, layers: 40, heads: 40, kvHeads: 40, intermediate: 13824, vocab: 32000, seq: 2048, batch: 256 }),
  'llama-3-8B': LLAMA({ hidden: 4096, layers: 32, heads: 32, kvHeads: 8, intermediate: 14336, vocab: 128256, seq: 8192, batch: 64 }),
  // Llama 3 70B and 405B: the public config.json of meta-llama/Meta-Llama-3-70B and Llama-3.1-405B; batch 2,048
  // sequences of 8,192 tokens = the 16M-token global batch of the Llama 3 paper (Dubey et al. 2024, §3.4.1).
  'llama-3-70B': LLAMA({ hidden: 8192, layers: 80, heads: 64, kvHeads: 8, intermediate: 28672, vocab: 128256, seq: 8192, batch: 2048 }),
  'llama-3-405B': LLAMA({ hidden: 16384, layers: 126, heads: 128, kvHeads: 8, intermediate: 53248, vocab: 128256, seq: 8192, batch: 2048 }),
  'gpt-tiny': { family: 'gpt', cfg: { hidden: 64, layers: 2, heads: 4, vocab: 512, seq: 32, batch: 8 } },
  'llama-tiny': LLAMA({ hidden: 64, layers: 2, heads: 4, kvHeads: 2, intermediate: 176, vocab: 512, seq: 32, batch: 8 }),
};

export const ZOO_NAMES: readonly string[] = Object.keys(ZOO);

export interface ZooOptions {
  /** Global batch (samples); default: the paper's global batch for the model. */
  readonly batch?: number;
  /** Sequence length for sequence models; ignored by Wide-ResNet. */
  readonly seq?: number;
  /** Overrides of the generator's own dimensions (e.g. { hidden: 3072, layers: 40 } for a GPT, { experts: 32 } for
   * an MoE): the page's dimension sliders. Each key must be a numeric field of the family's config. */
  readonly dims?: Readonly<Record<string, number>>;
}

/** The entry's config with `dims` applied, each key checked against the family's own numeric fields. */
function withDims<C extends object>(key: string, cfg: C, dims: Readonly<Record<string, number>> | undefined): C {
  if (!dims) return cfg;
  const out: Record<string, unknown> = { ...(cfg as Record<string, unknown>) };
  for (const [k, v] of Object.entries(dims)) {
    if (!Object.hasOwn(cfg, k) || typeof out[k] !== 'number') throw new ZooError(`zoo model ${key}: '${k}' is not a dimension of its family`);
    if (!Number.isInteger(v) || v <= 0) throw new ZooError(`zoo model ${key}: ${k} must be a positive integer, got ${v}`);
    out[k] = v;
  }
  return out as C;
}

/** The named model's graph at the given (or its default) batch and sequence length. */
export function zooModel(name: string, opts: ZooOptions = {}): ModelGraph {
  const key = ZOO_NAMES.find((n) => n === name) ?? ZOO_NAMES.find((n) => n.toLowerCase() === name.toLowerCase());
  if (!key) throw new ZooError(`unknown zoo model '${name}' (known: ${ZOO_NAMES.join(', ')})`);
  for (const [k, v] of Object.entries(opts)) {
    if (k !== 'dims' && v !== undefined && (!Number.isInteger(v as number) || (v as number) <= 0)) throw new ZooError(`zoo model ${key}: ${k} must be a positive integer, got ${v}`);
  }
  const e = ZOO[key];
  const batch = opts.batch ?? e.cfg.batch;
  // A model with changed dimensions is named by what changed ('gpt-350M (layers=12)'), so it is never mistaken for
  // the entry itself.
  const cfg = withDims(key, e.cfg as Record<string, unknown>, opts.dims);
  const changed = Object.keys(opts.dims ?? {}).filter((k) => cfg[k] !== (e.cfg as Record<string, unknown>)[k]);
  const graphName = changed.length ? `${key} (${changed.map((k) => `${k}=${cfg[k]}`).join(', ')})` : key;
  switch (e.family) {
    case 'gpt': return gpt({ ...withDims(key, e.cfg, opts.dims), batch, seq: opts.seq ?? e.cfg.seq, name: graphName });
    case 'moe': return moe({ ...withDims(key, e.cfg, opts.dims), batch, seq: opts.seq ?? e.cfg.seq, name: graphName });
    case 'llama': return llama({ ...withDims(key, e.cfg, opts.dims), batch, seq: opts.seq ?? e.cfg.seq, name: graphName });
    case 'wresnet': return wresnet({ ...withDims(key, e.cfg, opts.dims), batch, name: graphName });
  }
}

/** The family and default batch / seq of a zoo name, without building it; undefined for unknown names. */
export function zooDefaults(name: string): { family: string; batch: number; seq?: number } | undefined {
  if (!Object.hasOwn(ZOO, name)) return undefined;
  const e = ZOO[name];
  return { family: e.family, batch: e.cfg.batch, ...('seq' in e.cfg ? { seq: e.cfg.seq } : {}) };
}
