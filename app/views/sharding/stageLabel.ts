/**
 * A stage's parallelism in one line, the Sharding view's per-stage summary: "DP 4 · TP 2 · ZeRO-1 · EP 4". Parts in
 * the order agreed for issue 14 (DP · TP · SP · CP · ZeRO · EP); a part is left out when its degree is 1 or the
 * plan does not say (a stage without a data-parallel axis has no ZeRO level).
 */
import type { Stage } from '../../../workers/core/plan/types.ts';

export function stageParallelParts(stage: Pick<Stage, 'logicalMesh' | 'zero' | 'expertParallel'>): string[] {
  const [dp, tp] = stage.logicalMesh;
  const parts: string[] = [];
  if (dp > 1) parts.push(`DP ${dp}`);
  if (tp > 1) parts.push(`TP ${tp}`);
  if (dp > 1 && stage.zero !== undefined) parts.push(`ZeRO-${stage.zero}`);
  // Degree 1: every device holds all experts, split by tensor parallelism when there is some.
  if (stage.expertParallel !== undefined) parts.push(stage.expertParallel > 1 ? `EP ${stage.expertParallel}` : tp > 1 ? 'experts TP' : 'experts replicated');
  return parts;
}

export function stageParallelLabel(stage: Pick<Stage, 'logicalMesh' | 'zero' | 'expertParallel'>): string {
  const parts = stageParallelParts(stage);
  return parts.length ? parts.join(' · ') : 'one device';
}
