/**
 * A stage's parallelism in one line, the Sharding view's per-stage summary: "DP 4 · TP 2 · SP · CP 2 (ring) · ZeRO-1
 * · EP 4". Parts in the order agreed for issue 14 (DP · TP · SP · CP · ZeRO · EP); a part is left out when its degree
 * is 1 or the plan does not say (a stage without a data-parallel axis has no ZeRO level). With context parallelism
 * mesh axis 0 is dp x cp: DP names dp, CP names cp and its exchange (ring attention or Ulysses all-to-all).
 */
import type { Stage } from '../../../workers/core/plan/types.ts';

type Labelled = Pick<Stage, 'logicalMesh' | 'zero' | 'expertParallel' | 'sequenceParallel' | 'contextParallel'>;

export function stageParallelParts(stage: Labelled): string[] {
  const [axis0, tp] = stage.logicalMesh;
  // With context parallelism axis 0 is dp x cp: DP names dp, CP names cp and its exchange.
  const cp = stage.contextParallel?.degree ?? 1;
  const dp = axis0 / cp;
  const parts: string[] = [];
  if (dp > 1) parts.push(`DP ${dp}`);
  if (tp > 1) parts.push(`TP ${tp}`);
  if (tp > 1 && stage.sequenceParallel) parts.push('SP');
  if (stage.contextParallel && cp > 1) parts.push(`CP ${cp} (${stage.contextParallel.kind})`);
  if (axis0 > 1 && stage.zero !== undefined) parts.push(`ZeRO-${stage.zero}`);
  // Degree 1: every device holds all experts, split by tensor parallelism when there is some.
  if (stage.expertParallel !== undefined) parts.push(stage.expertParallel > 1 ? `EP ${stage.expertParallel}` : tp > 1 ? 'experts TP' : 'experts replicated');
  return parts;
}

export function stageParallelLabel(stage: Labelled): string {
  const parts = stageParallelParts(stage);
  return parts.length ? parts.join(' · ') : 'one device';
}
