/**
 * Megatron-LM launch arguments for a plan that Megatron can run: every stage on the same (dp, tp) logical mesh
 * (axis 0 data parallel, axis 1 tensor parallel, Alpa's `force_batch_dim_to_mesh_dim=0` convention), the same
 * number of layers per stage, and a 1F1B schedule. Anything else is a value saying why not.
 */
import type { Plan } from '../inter/plan.ts';

export type MegatronArgsResult =
  | {
      readonly ok: true;
      readonly tensorParallel: number;
      readonly pipelineParallel: number;
      readonly dataParallel: number;
      readonly worldSize: number;
      readonly microBatchSize: number;
      readonly args: readonly string[];
      /** One line, for a shell. */
      readonly commandLine: string;
      /** Where the plan and Megatron's fixed layout differ (what Megatron will not reproduce). */
      readonly notes: readonly string[];
    }
  | { readonly ok: false; readonly reason: string };

export function megatronArgs(plan: Plan): MegatronArgsResult {
  if (plan.mode !== 'train') return { ok: false, reason: 'Megatron-LM arguments describe training; this is an inference plan' };
  if (plan.stages.length === 0) return { ok: false, reason: 'the plan has no stages' };
  if (plan.schedule !== '1f1b') {
    return { ok: false, reason: `Megatron-LM runs 1F1B pipelines; this plan uses '${plan.schedule}'` };
  }
  const first = plan.stages[0];
  const [dp, tp] = first.logicalMesh;
  for (const s of plan.stages) {
    if (s.logicalMesh[0] !== dp || s.logicalMesh[1] !== tp) {
      return { ok: false, reason: `stage ${s.index} runs on a ${s.logicalMesh.join('x')} mesh, stage 0 on ${dp}x${tp}: Megatron uses one (dp, tp) for all stages` };
    }
    const layers = s.layers[1] - s.layers[0];
    const firstLayers = first.layers[1] - first.layers[0];
    if (layers !== firstLayers) {
      return { ok: false, reason: `stage ${s.index} has ${layers} layers, stage 0 has ${firstLayers}: Megatron splits layers evenly over stages` };
    }
  }
  const pp = plan.stages.length;
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
  if (remat === pp) args.push('--recompute-granularity', 'full', '--recompute-method', 'uniform');
  else if (remat > 0) notes.push(`${remat} of ${pp} stages rematerialise; Megatron recomputes on all stages or none`);
  if (plan.kind === 'searched') {
    notes.push('sharding inside a stage follows the ILP; Megatron fixes column/row-parallel attention and MLP');
  }
  return {
    ok: true,
    tensorParallel: tp,
    pipelineParallel: pp,
    dataParallel: dp,
    worldSize: dp * tp * pp,
    microBatchSize: perReplica,
    args,
    commandLine: args.join(' '),
    notes,
  };
}
