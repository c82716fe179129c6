/**
 * A self-contained JAX training script for a plan (`meshplan export --format jax`): the Python of
 * jaxTemplateModel.ts + jaxTemplateRun.ts with the plan written into it as JSON. What the script does and does not
 * overlap is said in its docstring. Zoo GPT and Llama models (model.family); anything else is a value saying why
 * not.
 */
import type { ModelGraph } from '../ir/types.ts';
import type { Precision } from '../cost/precision.ts';
import type { Plan, Stage } from '../inter/plan.ts';
import type { TensorSharding } from '../intra/types.ts';
import { parseAlpaSpec } from './jaxPartitionSpecs.ts';
import { JAX_TEMPLATE_MODEL } from './jaxTemplateModel.ts';
import { JAX_TEMPLATE_RUN } from './jaxTemplateRun.ts';

/** One dim of a PartitionSpec as JSON: null (replicated), 'x', 'y' or ['x', 'y']. */
export type SpecDim = null | 'x' | 'y' | readonly ['x', 'y'];

export interface JaxSegment {
  /** Blocks [start, end) stacked under one lax.scan: consecutive blocks with the same specs. */
  readonly blocks: readonly [number, number];
  readonly params: Readonly<Record<string, readonly SpecDim[]>>;
  /** Optimizer state (Adam moments, master weights) where it is split further than the parameter (ZeRO). */
  readonly opt: Readonly<Record<string, readonly SpecDim[]>>;
  readonly acts: Readonly<Record<string, readonly SpecDim[]>>;
}

export interface JaxStage {
  readonly index: number;
  readonly devices: readonly number[];
  readonly mesh: readonly [number, number];
  readonly remat: boolean;
  /** Holds the embedding ('pre') / the final norm and LM head ('post'). */
  readonly pre: boolean;
  readonly post: boolean;
  readonly tokens: readonly SpecDim[];
  /** Spec of the activation coming in from the previous stage, and of the one going out to the next. */
  readonly input: readonly SpecDim[];
  readonly output: readonly SpecDim[];
  readonly outer: Readonly<Record<string, readonly SpecDim[]>>;
  readonly outerOpt: Readonly<Record<string, readonly SpecDim[]>>;
  readonly outerActs: Readonly<Record<string, readonly SpecDim[]>>;
  readonly segments: readonly JaxSegment[];
}

/** What the script reads (its PLAN constant). */
export interface JaxScriptPlan {
  readonly label: string;
  readonly model: Readonly<Record<string, string | number>>;
  readonly precision: { readonly params: 'bf16' | 'f16' | 'f32'; readonly master: boolean };
  readonly globalBatch: number;
  readonly microbatches: number;
  /** ['F' | 'B', stage, micro-batch] in the schedule's order. */
  readonly order: readonly (readonly ['F' | 'B', number, number])[];
  readonly predicted: {
    readonly stepSeconds: number;
    readonly feasible: boolean;
    readonly memoryBytesPerDevice: readonly number[];
    readonly requiredBytesPerDevice: readonly number[];
    readonly memoryLimitBytes: number;
  };
  readonly stages: readonly JaxStage[];
}

export type JaxScriptResult = { readonly ok: true; readonly script: string; readonly plan: JaxScriptPlan } | { readonly ok: false; readonly reason: string };

const PRECISION: Record<Exclude<Precision, 'fp16-adafactor'>, JaxScriptPlan['precision']> = {
  'fp16-mixed': { params: 'f16', master: true },
  'bf16-mixed': { params: 'bf16', master: true },
  'bf16-adam32': { params: 'bf16', master: false },
  fp32: { params: 'f32', master: false },
};

/** Per family: the block path prefix, the script's names of block parameters / activations and of the rest. */
const NAMES = {
  gpt: {
    block: (i: number) => `gpt/h.${i}/`,
    params: ['ln_1/scale', 'ln_1/bias', 'attn/qkv/kernel', 'attn/qkv/bias', 'attn/proj/kernel', 'attn/proj/bias', 'ln_2/scale',
      'ln_2/bias', 'mlp/fc/kernel', 'mlp/fc/bias', 'mlp/proj/kernel', 'mlp/proj/bias'],
    acts: ['ln_1', 'attn/qkv/bias_add', 'attn/q', 'attn/k', 'attn/v', 'attn/softmax', 'attn/merge_heads', 'attn/residual', 'ln_2',
      'mlp/gelu', 'mlp/residual'],
    outer: { wte: 'gpt/embed/wte', wpe: 'gpt/embed/wpe', 'ln_f/scale': 'gpt/head/ln_f/scale', 'ln_f/bias': 'gpt/head/ln_f/bias', 'logits/bias': 'gpt/head/logits/bias' },
    outerActs: { embed: 'gpt/embed/add_positions', logits: 'gpt/head/logits/bias_add' },
  },
  llama: {
    block: (i: number) => `llama/layers.${i}/`,
    params: ['input_layernorm/scale', 'self_attn/q_proj/kernel', 'self_attn/k_proj/kernel', 'self_attn/v_proj/kernel', 'self_attn/o_proj/kernel',
      'post_attention_layernorm/scale', 'mlp/gate_proj/kernel', 'mlp/up_proj/kernel', 'mlp/down_proj/kernel'],
    acts: ['input_layernorm', 'self_attn/q_heads', 'self_attn/k_heads', 'self_attn/v_heads', 'self_attn/softmax', 'self_attn/merge_heads',
      'self_attn/residual', 'post_attention_layernorm', 'mlp/swiglu', 'mlp/residual'],
    outer: { embed: 'llama/embed_tokens/weight', 'norm/scale': 'llama/norm/scale', 'lm_head/kernel': 'llama/lm_head/kernel' },
    outerActs: { embed: 'llama/embed_tokens', logits: 'llama/lm_head' },
  },
} as const;

type Family = keyof typeof NAMES;

export function specDims(spec: string): SpecDim[] {
  return parseAlpaSpec(spec).map((d) => (d === 'R' ? null : d === 'S0' ? 'x' : d === 'S1' ? 'y' : ['x', 'y'] as const));
}

/**
 * A spec split further over the mesh axes it leaves unused (size > 1), on its largest replicated dim that they
 * divide: ZeRO's placement of optimizer state (and under ZeRO-3 of the parameters too). Unchanged when none fits.
 */
export function zeroSpec(shape: readonly number[], spec: readonly SpecDim[], mesh: readonly [number, number]): SpecDim[] {
  const used = new Set(spec.flatMap((d) => (d === null ? [] : Array.isArray(d) ? d : [d])));
  const free = (['x', 'y'] as const).filter((a, i) => mesh[i] > 1 && !used.has(a));
  const ways = free.reduce((n, a) => n * mesh[a === 'x' ? 0 : 1], 1);
  if (free.length === 0) return [...spec];
  let best = -1;
  shape.forEach((n, i) => { if (spec[i] === null && n % ways === 0 && (best < 0 || n > shape[best])) best = i; });
  if (best < 0) return [...spec];
  return spec.map((d, i) => (i === best ? (free.length === 2 ? ['x', 'y'] as const : free[0]) : d));
}

/** Blocks, embedding and head of a stage from its layer names ('pre', 'layer 3', 'layer 1 .. layer 2', 'layer 23 .. post'). */
export function stageContents(layerNames: readonly string[], blocks: number): { pre: boolean; post: boolean; first: number; end: number } {
  let pre = false, post = false, first = Infinity, last = -1;
  for (const name of layerNames) {
    for (const part of name.split(' .. ')) {
      if (part === 'pre') pre = true;
      else if (part === 'post') post = true;
      else {
        const m = /^layer (\d+)$/.exec(part);
        if (!m) throw new Error(`layer name '${name}' is not 'pre', 'post' or 'layer N'`);
        first = Math.min(first, Number(m[1]));
        last = Math.max(last, Number(m[1]));
      }
    }
  }
  // A range 'pre .. layer 3' or 'layer 20 .. post' spans every block between its ends.
  if (pre && first === Infinity && post) return { pre, post, first: 0, end: blocks };
  if (first === Infinity) return { pre, post, first: pre ? 0 : blocks, end: pre ? 0 : blocks };
  if (layerNames.some((n) => n.startsWith('layer') && n.endsWith('.. post'))) last = blocks - 1;
  if (layerNames.some((n) => n.startsWith('pre ..'))) first = Math.min(first, 0);
  return { pre, post, first, end: last + 1 };
}

function jaxStage(s: Stage, family: Family, blocks: number, zero3: boolean): JaxStage | string {
  if (!s.layerNames) return `stage ${s.index} has no layer names (export it from a plan made by this Meshplan)`;
  if (!s.sharding) return `stage ${s.index} has no per-tensor shardings (a plan printed without --sharding)`;
  const names = NAMES[family];
  // A gather's output may share its table's name ('gpt/embed/wte'): parameters and activations are looked up apart.
  const byName = (param: boolean) => new Map<string, TensorSharding>(
    s.sharding!.tensors.filter((t) => (t.kind === 'parameter') === param).map((t) => [t.name, t]));
  const specs = { param: byName(true), act: byName(false) };
  const lookup = (kind: 'param' | 'act', name: string): SpecDim[] | undefined => {
    const t = specs[kind].get(name);
    return t ? specDims(t.spec) : undefined;
  };
  const dims = (name: string) => lookup('act', name);
  const pick = (kind: 'param' | 'act', local: readonly string[], prefix: string) => {
    const out: Record<string, SpecDim[]> = {};
    for (const n of local) { const d = lookup(kind, prefix + n); if (d) out[n] = d; }
    return out;
  };
  // ZeRO: the parameters the ILP marks weight-update sharded keep their optimizer state split; ZeRO-3 plans split
  // the parameters themselves too. Moves the parameter's spec under ZeRO-3; returns the optimizer state's.
  const zero = (local: readonly string[], full: (n: string) => string, params: Record<string, SpecDim[]>) => {
    const opt: Record<string, SpecDim[]> = {};
    for (const n of local) {
      const t = specs.param.get(full(n));
      if (!t || !params[n] || !(zero3 || t.weightUpdateSharded)) continue;
      const z = zeroSpec(t.shape, params[n], s.logicalMesh);
      if (JSON.stringify(z) === JSON.stringify(params[n])) continue;
      opt[n] = z;
      if (zero3) params[n] = z;
    }
    return opt;
  };
  const { pre, post, first, end } = stageContents(s.layerNames, blocks);
  const segments: JaxSegment[] = [];
  for (let i = first; i < end; i++) {
    const params = pick('param', names.params, names.block(i));
    const opt = zero(names.params, (n) => names.block(i) + n, params);
    const acts = pick('act', names.acts, names.block(i));
    const prev = segments[segments.length - 1];
    if (prev && JSON.stringify([prev.params, prev.opt, prev.acts]) === JSON.stringify([params, opt, acts])) segments[segments.length - 1] = { ...prev, blocks: [prev.blocks[0], i + 1] };
    else segments.push({ blocks: [i, i + 1], params, opt, acts });
  }
  const outer: Record<string, SpecDim[]> = {};
  for (const [local, full] of Object.entries(names.outer)) { const d = lookup('param', full); if (d) outer[local] = d; }
  const fullName: Record<string, string> = names.outer;
  const outerOpt = zero(Object.keys(names.outer), (n) => fullName[n], outer);
  const outerActs: Record<string, SpecDim[]> = {};
  for (const [local, full] of Object.entries(names.outerActs)) { const d = dims(full); if (d) outerActs[local] = d; }
  const replicated = [null, null, null];
  return {
    index: s.index, devices: s.devices, mesh: s.logicalMesh, remat: s.remat, pre, post,
    tokens: dims('input_ids') ?? dims('labels') ?? [null, null],
    input: (first > 0 ? dims(`${names.block(first - 1)}mlp/residual`) : dims(names.outerActs.embed)) || replicated,
    output: (end > first && dims(`${names.block(end - 1)}mlp/residual`)) || (pre && dims(names.outerActs.embed)) || replicated,
    outer, outerOpt, outerActs, segments,
  };
}

/** Forward and backward events in the schedule's order; without a timeline, GPipe's (all forwards, then all
 * backwards from the last stage). */
export function scheduleOrder(plan: Plan): ['F' | 'B', number, number][] {
  const events = plan.timeline.filter((e) => e.kind === 'forward' || e.kind === 'backward')
    .slice().sort((a, b) => a.startSeconds - b.startSeconds || a.stage - b.stage);
  if (events.length === 2 * plan.stages.length * plan.microbatches) {
    return events.map((e) => [e.kind === 'forward' ? 'F' : 'B', e.stage, e.microbatch]);
  }
  const order: ['F' | 'B', number, number][] = [];
  const S = plan.stages.length, M = plan.microbatches;
  for (let m = 0; m < M; m++) for (let s = 0; s < S; s++) order.push(['F', s, m]);
  for (let m = 0; m < M; m++) for (let s = S - 1; s >= 0; s--) order.push(['B', s, m]);
  return order;
}

/** The script's PLAN constant, or why this plan cannot be exported to JAX. */
export function jaxScriptPlan(plan: Plan, graph: Pick<ModelGraph, 'name' | 'family' | 'config'>, precision: Precision): JaxScriptPlan | string {
  if (plan.mode !== 'train') return 'the JAX export runs training steps; this is an inference plan';
  if (precision === 'fp16-adafactor') return "the JAX export's script trains with Adam; this plan's state is Adafactor's (fp16-adafactor)";
  const family = graph.family;
  if (family !== 'gpt' && family !== 'llama') {
    return `the JAX export rebuilds zoo GPT and Llama models in plain JAX; ${graph.name} is ${family ? `a ${family} model` : 'not a zoo model'}`;
  }
  const cfg = graph.config ?? {};
  if (family === 'llama' && cfg.tieEmbeddings) return 'the JAX export does not rebuild a Llama with tied embeddings';
  if (plan.globalBatch % plan.microbatches !== 0) return `global batch ${plan.globalBatch} is not a multiple of ${plan.microbatches} micro-batches`;
  const cpStage = plan.stages.find((s) => (s.contextParallel?.degree ?? 1) > 1);
  if (cpStage) return `stage ${cpStage.index} runs context parallel ${cpStage.contextParallel?.degree} (${cpStage.contextParallel?.kind}); the JAX export splits only the batch over mesh axis 0`;
  const stages: JaxStage[] = [];
  for (const s of plan.stages) {
    const st = jaxStage(s, family, cfg.layers, plan.kind === 'zero3');
    if (typeof st === 'string') return st;
    stages.push(st);
  }
  const model: Record<string, string | number> = { family, name: graph.name, mlpFactor: 4, ...cfg };
  return {
    label: plan.label, model, precision: PRECISION[precision], globalBatch: plan.globalBatch, microbatches: plan.microbatches,
    order: scheduleOrder(plan),
    predicted: {
      stepSeconds: plan.stepSeconds, feasible: plan.feasible,
      memoryBytesPerDevice: plan.stages.map((s) => s.memoryBytesPerDevice),
      requiredBytesPerDevice: plan.stages.map((s) => s.requiredBytesPerDevice ?? s.memoryBytesPerDevice),
      memoryLimitBytes: Math.min(...plan.stages.map((s) => s.memoryLimitBytes)),
    },
    stages,
  };
}

/** The Python script, or why not. */
export function jaxScript(plan: Plan, graph: Pick<ModelGraph, 'name' | 'family' | 'config'>, precision: Precision): JaxScriptResult {
  const p = jaxScriptPlan(plan, graph, precision);
  if (typeof p === 'string') return { ok: false, reason: p };
  // The JSON sits in a raw ''' string: no quote of its own may close it.
  const json = JSON.stringify(p).replace(/'/g, '\\u0027');
  const title = `Meshplan: ${plan.label} for ${graph.name} (batch ${plan.globalBatch}) on ${plan.cluster}`.replace(/["\\]/g, '');
  const script = (JAX_TEMPLATE_MODEL + JAX_TEMPLATE_RUN).replace('__TITLE__', title).replace('__PLAN__', () => json);
  return { ok: true, script, plan: p };
}
