/**
 * Megatron-LM launch arguments for a plan that Megatron can run: every stage on the same (dp, tp) logical mesh
 * (axis 0 data parallel, axis 1 tensor parallel, Alpa's `force_batch_dim_to_mesh_dim=0` convention), transformer
 * blocks split evenly over stages (or uneven only on the first / last stage: Megatron-Core's
 * --decoder-first/last-pipeline-num-layers), weights split as Megatron's column- and row-parallel layers are, and
 * a 1F1B schedule. Anything else is a value naming what Megatron cannot express.
 */
import type { Precision } from '../cost/precision.ts';
import type { Plan, Stage } from '../inter/plan.ts';
import { stageContents } from './jaxScript.ts';

export type MegatronArgsResult =
  | {
      readonly ok: true;
      readonly tensorParallel: number;
      readonly pipelineParallel: number;
      readonly dataParallel: number;
      /** Context-parallel degree (1: none). */
      readonly contextParallel: number;
      readonly worldSize: number;
      readonly microBatchSize: number;
      /** Transformer blocks per pipeline stage, in stage order (when the stages name their layers). */
      readonly blocksPerStage?: readonly number[];
      readonly args: readonly string[];
      /** One line, for a shell. */
      readonly commandLine: string;
      /** Where the plan and Megatron's fixed layout differ (what Megatron will not reproduce). */
      readonly notes: readonly string[];
    }
  | { readonly ok: false; readonly reason: string };

/** The model's shape, for the model arguments (--num-layers, --hidden-size, ...); without it only the parallel
 * layout is printed. */
export interface MegatronModel {
  readonly family?: string;
  readonly config?: Readonly<Record<string, number>>;
}

/** Megatron's weight splits: column-parallel (output dim over tp) and row-parallel (input dim over tp). */
const COLUMN = /\/(attn\/qkv|mlp\/fc|self_attn\/[qkv]_proj|mlp\/gate_proj|mlp\/up_proj)\/kernel$/;
const ROW = /\/(attn\/proj|mlp\/proj|self_attn\/o_proj|mlp\/down_proj)\/kernel$/;

/** The first block weight whose split is not Megatron's, as a sentence; undefined when all are. */
function nonMegatronWeight(s: Stage, tp: number): string | undefined {
  for (const t of s.sharding?.tensors ?? []) {
    if (t.kind !== 'parameter') continue;
    const want = COLUMN.test(t.name) ? (tp > 1 ? 'RS1' : 'RR') : ROW.test(t.name) ? (tp > 1 ? 'S1R' : 'RR') : undefined;
    if (want && t.spec !== want) {
      return `stage ${s.index}: ${t.name} is sharded '${t.spec}', Megatron splits it as '${want}' (${COLUMN.test(t.name) ? 'column' : 'row'}-parallel over tensor ranks)`;
    }
  }
  return undefined;
}

function blocksOf(s: Stage, blocks: number | undefined): number | undefined {
  if (!s.layerNames || blocks === undefined) return undefined;
  const c = stageContents(s.layerNames, blocks);
  return c.end - c.first;
}

/** Megatron lays blocks evenly over stages; the first and last stage may differ (Megatron-Core). */
function layout(counts: readonly number[]): { first?: number; last?: number } | string {
  const n = counts.length;
  if (n <= 2) return counts[0] === counts[n - 1] ? {} : { first: counts[0], last: counts[n - 1] };
  const middle = counts.slice(1, n - 1);
  if (middle.some((c) => c !== middle[0])) {
    return `stages hold ${counts.join(', ')} transformer blocks: Megatron splits blocks evenly (only the first and last stage may differ)`;
  }
  return { ...(counts[0] !== middle[0] ? { first: counts[0] } : {}), ...(counts[n - 1] !== middle[0] ? { last: counts[n - 1] } : {}) };
}

const PRECISION_ARG: Record<Precision, string[]> = {
  'fp16-mixed': ['--fp16'], 'bf16-mixed': ['--bf16'], 'bf16-adam32': ['--bf16'], 'fp16-adafactor': ['--fp16'], fp32: [],
};

function modelArgs(model: MegatronModel | undefined, precision: Precision | undefined): string[] {
  const c = model?.config;
  const out: string[] = [];
  if (c && (model?.family === 'gpt' || model?.family === 'llama')) {
    out.push('--num-layers', String(c.layers), '--hidden-size', String(c.hidden), '--num-attention-heads', String(c.heads),
      '--seq-length', String(c.seq), '--max-position-embeddings', String(c.seq));
    if (model.family === 'gpt') out.push('--ffn-hidden-size', String((c.mlpFactor ?? 4) * c.hidden));
    if (model.family === 'llama') {
      out.push('--ffn-hidden-size', String(c.intermediate), '--normalization', 'RMSNorm', '--swiglu', '--position-embedding-type', 'rope',
        '--untie-embeddings-and-output-weights', '--disable-bias-linear');
      if (c.kvHeads !== c.heads) out.push('--group-query-attention', '--num-query-groups', String(c.kvHeads));
    }
  }
  if (precision) out.push(...PRECISION_ARG[precision]);
  return out;
}

/**
 * The ZeRO level as Megatron-Core takes it: ZeRO-1 its distributed optimizer, ZeRO-2/3 Megatron-FSDP's sharding
 * strategy (M-Core 0.14+). One setting for all stages: stages the search gave different levels run at the highest
 * (never more memory than planned), said in a note. ILP stages are priced at ZeRO-1 at least (the optimizer state
 * over each weight's replicas: inter/ilpProfile.ts); plans without levels keep the weight-update sharding their
 * tensors name.
 */
function zeroArgs(plan: Plan, notes: string[]): string[] {
  const levels = plan.stages.map((s) => s.zero).filter((z): z is NonNullable<Stage['zero']> => z !== undefined);
  const sharded = plan.stages.some((s) => s.sharding?.tensors.some((t) => t.weightUpdateSharded));
  if (!levels.length) return sharded ? ['--use-distributed-optimizer'] : [];
  const level = Math.max(...levels);
  if (new Set(levels).size > 1) notes.push(`stages use ZeRO levels ${levels.join(', ')}; Megatron takes one, the highest (${level})`);
  if (level === 0) return [];
  if (level === 1) return ['--use-distributed-optimizer'];
  return ['--use-megatron-fsdp', '--data-parallel-sharding-strategy', level === 2 ? 'optim_grads' : 'optim_grads_params',
    '--no-gradient-accumulation-fusion', '--use-distributed-optimizer'];
}

/** Expert parallelism: one --expert-model-parallel-size for all stages, dividing the data-parallel size. */
function expertArgs(plan: Plan, dp: number): string[] | string {
  const degrees = plan.stages.map((s) => s.expertParallel).filter((e): e is number => e !== undefined);
  if (!degrees.length) return [];
  const ep = degrees[0];
  const other = plan.stages.find((s) => s.expertParallel !== undefined && s.expertParallel !== ep);
  if (other) return `stage ${other.index} spreads its experts over ${other.expertParallel} devices, stage 0 over ${ep}: Megatron uses one --expert-model-parallel-size for all stages`;
  if (dp % ep !== 0) return `expert-parallel degree ${ep} does not divide the data-parallel size ${dp}`;
  return ep > 1 ? ['--expert-model-parallel-size', String(ep)] : [];
}

export function megatronArgs(plan: Plan, model?: MegatronModel, precision?: Precision): MegatronArgsResult {
  if (plan.mode !== 'train') return { ok: false, reason: 'Megatron-LM arguments describe training; this is an inference plan' };
  if (plan.stages.length === 0) return { ok: false, reason: 'the plan has no stages' };
  if (precision === 'fp16-adafactor') return { ok: false, reason: "Megatron-LM's optimizers are Adam and SGD; this plan's state is Adafactor's (fp16-adafactor)" };
  if (plan.schedule !== '1f1b') {
    return { ok: false, reason: `Megatron-LM runs 1F1B pipelines; this plan uses '${plan.schedule}'` };
  }
  if (plan.kind === 'zero3') {
    return { ok: false, reason: "ZeRO-3 splits the parameters themselves; Megatron-LM's distributed optimizer splits only the optimizer state" };
  }
  const first = plan.stages[0];
  // Context parallelism splits mesh axis 0 into dp x cp (inter/seqParallel.ts); Megatron takes one cp for all stages.
  const cp = first.contextParallel?.degree ?? 1;
  const cpKind = first.contextParallel?.kind ?? 'ring';
  const [axis0, tp] = first.logicalMesh;
  const dp = axis0 / cp;
  const blocks = model?.config?.layers;
  const counts: number[] = [];
  for (const s of plan.stages) {
    if (s.logicalMesh[0] !== axis0 || s.logicalMesh[1] !== tp) {
      return { ok: false, reason: `stage ${s.index} runs on a ${s.logicalMesh.join('x')} mesh, stage 0 on ${axis0}x${tp}: Megatron uses one (dp, tp) for all stages` };
    }
    const scp = s.contextParallel?.degree ?? 1;
    if (scp !== cp || (s.contextParallel?.kind ?? 'ring') !== cpKind) {
      return { ok: false, reason: `stage ${s.index} runs context parallel ${scp}${scp > 1 ? ` (${s.contextParallel?.kind})` : ''}, stage 0 ${cp}${cp > 1 ? ` (${cpKind})` : ''}: Megatron uses one --context-parallel-size for all stages` };
    }
    const weight = nonMegatronWeight(s, tp);
    if (weight) return { ok: false, reason: weight };
    const b = blocksOf(s, blocks);
    if (b !== undefined) counts.push(b);
    else {
      const layers = s.layers[1] - s.layers[0];
      const firstLayers = first.layers[1] - first.layers[0];
      if (layers !== firstLayers) {
        return { ok: false, reason: `stage ${s.index} has ${layers} layers, stage 0 has ${firstLayers}: Megatron splits layers evenly over stages` };
      }
    }
  }
  const pp = plan.stages.length;
  const uneven = counts.length === pp ? layout(counts) : {};
  if (typeof uneven === 'string') return { ok: false, reason: uneven };
  const perReplica = plan.globalBatch / plan.microbatches / dp;
  if (!Number.isInteger(perReplica) || perReplica < 1) {
    return { ok: false, reason: `global batch ${plan.globalBatch} / ${plan.microbatches} micro-batches / dp ${dp} is not a whole micro-batch size` };
  }
  const notes: string[] = [];
  const gpusPerNode = first.submeshShape[1];
  if (tp > gpusPerNode) notes.push(`tensor parallel ${tp} spans nodes (${gpusPerNode} GPUs per node)`);
  const remat = plan.stages.filter((s) => s.remat).length;
  const args = [
    '--tensor-model-parallel-size', String(tp),
    '--pipeline-model-parallel-size', String(pp),
    '--micro-batch-size', String(perReplica),
    '--global-batch-size', String(plan.globalBatch),
  ];
  if (uneven.first !== undefined) args.push('--decoder-first-pipeline-num-layers', String(uneven.first));
  if (uneven.last !== undefined) args.push('--decoder-last-pipeline-num-layers', String(uneven.last));
  if (remat === pp) args.push('--recompute-granularity', 'full', '--recompute-method', 'uniform', '--recompute-num-layers', '1');
  else if (remat > 0) notes.push(`${remat} of ${pp} stages rematerialise; Megatron recomputes on all stages or none`);
  const sequenceSplit = tp > 1 && plan.stages.some((s) => s.sequenceParallel || s.sharding?.tensors.some((t) => /\/(ln_1|input_layernorm)$/.test(t.name) && t.spec.startsWith('RS1')));
  if (sequenceSplit) args.push('--sequence-parallel');
  const spStages = plan.stages.filter((s) => s.sequenceParallel).length;
  if (spStages > 0 && spStages < pp) notes.push(`${spStages} of ${pp} stages run sequence parallel; Megatron's --sequence-parallel holds for all`);
  // Ring attention is TransformerEngine's point-to-point exchange; Ulysses its all-to-all.
  if (cp > 1) args.push('--context-parallel-size', String(cp), '--cp-comm-type', cpKind === 'ring' ? 'p2p' : 'a2a');
  const zero = dp > 1 ? zeroArgs(plan, notes) : [];
  args.push(...zero);
  const ep = expertArgs(plan, dp);
  if (typeof ep === 'string') return { ok: false, reason: ep };
  args.push(...ep);
  args.push(...modelArgs(model, precision));
  if (plan.kind === 'searched') {
    notes.push('sharding inside a stage follows the ILP; Megatron fixes column/row-parallel attention and MLP');
  }
  notes.push('no virtual pipeline stages: the plan\'s schedule is plain 1F1B (--num-layers-per-virtual-pipeline-stage unset)');
  return {
    ok: true,
    tensorParallel: tp,
    pipelineParallel: pp,
    dataParallel: dp,
    contextParallel: cp,
    worldSize: dp * cp * tp * pp,
    microBatchSize: perReplica,
    ...(counts.length === pp ? { blocksPerStage: counts } : {}),
    args,
    commandLine: args.join(' '),
    notes,
  };
}
