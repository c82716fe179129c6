/** A hand-made two-stage plan for the views' unit tests (numbers chosen so the geometry is easy to check). */
import type { Plan, Stage } from '../../workers/core/plan/types.ts';

const memory = { paramBytes: 2 * 2 ** 30, gradBytes: 2 * 2 ** 30, optimizerBytes: 4 * 2 ** 30, activationBytes: 4 * 2 ** 30, temporaryBytes: 0 };

function stage(index: number, layers: [number, number], gpuStart: number): Stage {
  return {
    index, layers, submesh: { nodeStart: 0, nodes: 1, gpuStart, gpusPerNode: 4 }, submeshShape: [1, 4], logicalMesh: [2, 2],
    devices: [gpuStart, gpuStart + 1, gpuStart + 2, gpuStart + 3], gpu: 'V100-16GB', forwardSeconds: 0.1, backwardSeconds: 0.2,
    gradientSyncSeconds: 0.05, sendSeconds: 0.01, sendBytes: 1e6, sendCrossesNodes: false, remat: false, memory, memoryBytesPerDevice: 12 * 2 ** 30, memoryLimitBytes: 16 * 2 ** 30,
  };
}

export const FIXTURE_PLAN: Plan = {
  kind: 'searched', label: 'Meshplan', model: 'gpt-tiny', cluster: 'p3.16xlarge:1x8', mode: 'train', globalBatch: 8, microbatches: 2,
  schedule: '1f1b',
  stages: [
    {
      ...stage(0, [0, 3], 0),
      sharding: {
        status: 'optimal', objectiveSeconds: 0.3, forwardSeconds: 0.1, backwardSeconds: 0.2, gradientSyncSeconds: 0.05, meshShape: [2, 2],
        ops: [{ op: 'op1', name: 'h.0/mlp/fc1', strategy: 'S0R = S0R×RR', inputSpecs: ['S0R', 'RR'], outputSpecs: ['S0R'], computeSeconds: 0.01, communicationSeconds: 0 }],
        tensors: [{ tensor: 't1', name: 'h.0/mlp/fc1.weight', kind: 'parameter', shape: [64, 256], spec: 'RS1' }],
        collectives: [{ kind: 'all-reduce', axis: 0, bytes: 2 ** 20, seconds: 0.001, op: 'op1', reason: 'gradient-sync' }],
        cost: { computeSeconds: 0.25, communicationSeconds: 0.05, reshardingSeconds: 0 }, memory, memoryBytesPerDevice: 12 * 2 ** 30,
        ilp: { variables: 10, constraints: 5, solveSeconds: 0.01 },
      },
    },
    stage(1, [3, 4], 4),
  ],
  feasible: true, stepSeconds: 1, tflopsPerGpu: 50, modelTflopsPerGpu: 45, samplesPerSecond: 8,
  breakdown: { computeSeconds: 0.6, intraStageCommunicationSeconds: 0.1, crossStageSeconds: 0.05, bubbleSeconds: 0.2, gradientSyncSeconds: 0.05 },
  timeline: [
    { stage: 0, microbatch: 0, kind: 'forward', startSeconds: 0, endSeconds: 0.1 },
    { stage: 0, microbatch: 0, kind: 'send', toStage: 1, startSeconds: 0.1, endSeconds: 0.11 },
    { stage: 1, microbatch: 0, kind: 'forward', startSeconds: 0.11, endSeconds: 0.21 },
    { stage: 1, microbatch: 0, kind: 'backward', startSeconds: 0.21, endSeconds: 0.41 },
    { stage: 0, microbatch: 0, kind: 'backward', startSeconds: 0.42, endSeconds: 0.62 },
    { stage: 0, microbatch: -1, kind: 'gradient-sync', startSeconds: 0.95, endSeconds: 1 },
  ],
  searchSeconds: 0.5, trace: [{ label: 'B=2', stepSeconds: 1, feasible: true }],
  explanation: {
    summary: '2 stages on 2 sub-meshes of 4 GPUs',
    dominantTerms: [{ term: 'compute', seconds: 0.6, fraction: 0.6 }],
    runnerUp: { label: 'DP=8', stepSeconds: 1.25, why: 'gradient all-reduce of all parameters' },
  },
};
