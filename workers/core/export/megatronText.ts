/**
 * The Megatron-LM export as text (CLI `meshplan export --format megatron` and the page's Export menu): the
 * arguments as one shell line under '#' comments; for a plan Megatron cannot express, the reason, then the nearest
 * Megatron plan the caller found (its predicted step against this plan's) and its arguments.
 */
import type { Precision } from '../cost/precision.ts';
import type { Plan } from '../inter/plan.ts';
import { megatronArgs, type MegatronModel } from './megatronArgs.ts';

/** `nearest`: a plan of the Megatron grid the caller planned, or a sentence saying why there is none. */
export function megatronText(plan: Plan, model: MegatronModel | undefined, precision: Precision | undefined, nearest?: Plan | string): string {
  const r = megatronArgs(plan, model, precision);
  if (r.ok) {
    const context = r.contextParallel > 1 ? ` x context ${r.contextParallel}` : '';
    return [`# Megatron-LM: ${r.worldSize} processes (data parallel ${r.dataParallel} = ${r.worldSize} / (tensor ${r.tensorParallel} x pipeline ${r.pipelineParallel}${context}))`,
      ...r.notes.map((n) => `# note: ${n}`), r.commandLine].join('\n') + '\n';
  }
  const lines = [`# Megatron-LM cannot express this plan: ${r.reason}`];
  if (nearest === undefined) return lines.join('\n') + '\n';
  if (typeof nearest === 'string') return [...lines, `# ${nearest}`].join('\n') + '\n';
  const near = megatronArgs(nearest, model, precision);
  if (!near.ok) return [...lines, `# no Megatron-LM plan either: ${near.reason}`].join('\n') + '\n';
  const slower = nearest.stepSeconds / plan.stepSeconds - 1;
  lines.push(`# nearest Megatron-LM plan: ${nearest.label}, predicted ${nearest.stepSeconds.toFixed(4)} s per step` +
    ` (this plan ${plan.stepSeconds.toFixed(4)} s: ${slower >= 0 ? '+' : ''}${(100 * slower).toFixed(1)}%)${nearest.feasible ? '' : ', does not fit'}`);
  lines.push(...near.notes.map((n) => `# note: ${n}`), near.commandLine);
  return lines.join('\n') + '\n';
}
