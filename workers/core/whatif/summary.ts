/**
 * summarizePlan: the figures a Compare column shows, each with the cost-model terms that make it up. Reads only
 * the Plan (and the options it was planned with); nothing is re-priced here.
 */
import type { Plan, PlanOptions, Stage } from '../inter/plan.ts';
import type { CostTerm, Figure, PlanStructure, PlanSummary, StageSummary } from './types.ts';

const memoryOf = (s: Stage): number => s.requiredBytesPerDevice ?? s.memoryBytesPerDevice;

/** Step time and its parts: the breakdown's terms (per-stage means) and what the schedule overlaps. */
export function stepFigure(p: Plan): Figure {
  const b = p.breakdown;
  const parts: CostTerm[] = [
    { label: 'compute', value: b.computeSeconds, unit: 's' },
    { label: 'intra-stage communication', value: b.intraStageCommunicationSeconds, unit: 's' },
    { label: 'cross-stage sends', value: b.crossStageSeconds, unit: 's' },
    { label: 'pipeline bubble', value: b.bubbleSeconds, unit: 's' },
    { label: 'gradient sync', value: b.gradientSyncSeconds, unit: 's' },
  ];
  const rest = p.stepSeconds - parts.reduce((a, t) => a + t.value, 0);
  // The breakdown averages stages; the simulated step is the slowest path, so a remainder is imbalance or overlap.
  if (Math.abs(rest) > 1e-9 * p.stepSeconds) parts.push({ label: rest > 0 ? 'stage imbalance' : 'overlapped by the schedule', value: rest, unit: 's' });
  return { value: p.stepSeconds, unit: 's', formula: 'sum (per-stage means; simulated step)', terms: parts };
}

function gpusOf(p: Plan): number {
  return p.stages.reduce((a, s) => a + s.devices.length, 0);
}

/** Seconds per step as throughput counts it (training: the step; steady-state inference: the period). */
function rateSeconds(p: Plan): number {
  return p.samplesPerSecond > 0 ? p.globalBatch / p.samplesPerSecond : p.stepSeconds;
}

function tflopsFigure(p: Plan, tflops: number, what: string): Figure {
  const gpus = gpusOf(p);
  const seconds = rateSeconds(p);
  return {
    value: tflops * 1e12, unit: 'FLOP/s', formula: `${what} / step / GPUs`,
    terms: [
      { label: what, value: tflops * 1e12 * seconds * gpus, unit: 'FLOP' },
      { label: 'step', value: seconds, unit: 's' },
      { label: 'GPUs', value: gpus, unit: 'GPUs' },
    ],
  };
}

function headroomOf(p: Plan): PlanSummary['headroom'] {
  let tight = 0;
  p.stages.forEach((s, i) => {
    const t = p.stages[tight];
    if (s.memoryLimitBytes - memoryOf(s) < t.memoryLimitBytes - memoryOf(t)) tight = i;
  });
  const s = p.stages[tight];
  if (!s) return { stage: -1, bytes: { value: 0, unit: 'B', formula: 'limit - used', terms: [] }, fraction: 0 };
  const m = s.memory;
  const used = memoryOf(s);
  const terms: CostTerm[] = [
    { label: 'memory limit', value: s.memoryLimitBytes, unit: 'B' },
    { label: 'parameters', value: -m.paramBytes, unit: 'B' },
    { label: 'gradients', value: -m.gradBytes, unit: 'B' },
    { label: 'optimizer state', value: -m.optimizerBytes, unit: 'B' },
    { label: 'activations', value: -m.activationBytes, unit: 'B' },
    { label: 'temporaries', value: -m.temporaryBytes, unit: 'B' },
  ];
  if (used > s.memoryBytesPerDevice) terms.push({ label: 'runtime: more steps in flight', value: s.memoryBytesPerDevice - used, unit: 'B' });
  return {
    stage: s.index,
    bytes: { value: s.memoryLimitBytes - used, unit: 'B', formula: 'limit - used (stage ' + s.index + ')', terms },
    fraction: (s.memoryLimitBytes - used) / s.memoryLimitBytes,
  };
}

export function stageSummaries(p: Plan): StageSummary[] {
  return p.stages.map((s) => ({
    index: s.index, layers: s.layers, submeshShape: s.submeshShape, logicalMesh: s.logicalMesh, gpu: s.gpu, remat: s.remat,
    ...(s.recompute ? { recompute: s.recompute } : {}),
    memoryBytesPerDevice: memoryOf(s), memoryLimitBytes: s.memoryLimitBytes,
  }));
}

export function planStructure(p: Plan): PlanStructure {
  return {
    stages: p.stages.length,
    meshes: p.stages.map((s) => `${s.submeshShape.join('x')}/${s.logicalMesh.join('x')}`),
    microbatches: p.microbatches,
    remat: p.stages.map((s) => s.remat),
    layers: p.stages.map((s) => s.layers),
  };
}

export function summarizePlan(p: Plan, options: Pick<PlanOptions, 'seq'>, pricePerGpuHour?: number): PlanSummary {
  const gpus = gpusOf(p);
  const seconds = rateSeconds(p);
  const step = stepFigure(p);
  const samples: Figure = {
    value: p.samplesPerSecond, unit: 'samples/s', formula: 'global batch / step',
    terms: [{ label: 'global batch', value: p.globalBatch, unit: 'samples' }, { label: 'step', value: seconds, unit: 's' }],
  };
  const seq = options.seq;
  const tokens: Figure | undefined = seq === undefined ? undefined : {
    value: p.samplesPerSecond * seq, unit: 'tokens/s', formula: 'samples/s x sequence length',
    terms: [{ label: 'samples/s', value: p.samplesPerSecond, unit: '1' }, { label: 'sequence length', value: seq, unit: 'tokens' }],
  };
  let costPerStep: Figure | undefined;
  let costPerMillionTokens: Figure | undefined;
  if (pricePerGpuHour !== undefined && pricePerGpuHour > 0) {
    const usd = (pricePerGpuHour * gpus * seconds) / 3600;
    costPerStep = {
      value: usd, unit: 'USD', formula: 'price per GPU-hour x GPUs x step / 3600',
      terms: [{ label: 'price per GPU-hour', value: pricePerGpuHour, unit: 'USD/h' }, { label: 'GPUs', value: gpus, unit: 'GPUs' }, { label: 'step', value: seconds, unit: 's' }],
    };
    if (seq !== undefined) {
      const tokensPerStep = p.globalBatch * seq;
      costPerMillionTokens = {
        value: (usd / tokensPerStep) * 1e6, unit: 'USD/Mtok', formula: 'cost per step / tokens per step x 1e6',
        terms: [{ label: 'cost per step', value: usd, unit: 'USD' }, { label: 'tokens per step', value: tokensPerStep, unit: 'tokens' }],
      };
    }
  }
  return {
    label: p.label,
    feasible: p.feasible,
    ...(p.infeasibleReason ? { infeasibleReason: p.infeasibleReason } : {}),
    gpus,
    microbatches: p.microbatches,
    stageCount: p.stages.length,
    stages: stageSummaries(p),
    stepSeconds: step,
    samplesPerSecond: samples,
    ...(tokens ? { tokensPerSecond: tokens } : {}),
    modelTflopsPerGpu: tflopsFigure(p, p.modelTflopsPerGpu, 'model FLOPs per step'),
    tflopsPerGpu: tflopsFigure(p, p.tflopsPerGpu, 'FLOPs per step with recomputation'),
    headroom: headroomOf(p),
    ...(costPerStep ? { costPerStep } : {}),
    ...(costPerMillionTokens ? { costPerMillionTokens } : {}),
  };
}
