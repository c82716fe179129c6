/** Plans one paper case on p3.16xlarge with its global batch and precision (shared by run.ts' tests). */
import { parseClusterSpec } from '../../workers/core/cluster/spec.ts';
import { defaultPlanOptions, plan, type PlanDeps } from '../../workers/core/plan.ts';
import type { Plan, PlanOptions } from '../../workers/core/plan/types.ts';
import { zooModel } from '../../workers/core/zoo/index.ts';
import type { PaperCase } from './cases.ts';

export async function planCase(c: PaperCase, extra: Partial<PlanOptions>, deps: PlanDeps): Promise<Plan> {
  const model = zooModel(c.zoo, { batch: c.globalBatch });
  const cluster = parseClusterSpec(`p3.16xlarge:${c.nodes}x${c.gpusPerNode}`);
  const r = await plan(model, cluster, { ...defaultPlanOptions(model), globalBatch: c.globalBatch, precision: c.precision, ...extra }, undefined, undefined, deps);
  if (!r.ok) throw new Error(`${c.id}: ${r.reason}`);
  return r.plan;
}
