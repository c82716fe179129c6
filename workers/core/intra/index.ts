/**
 * The intra-op pass (alpa.md §1): for one stage on one logical mesh, choose a sharding strategy per op by an ILP
 * minimising the stage's predicted latency (compute + communication + resharding, seconds) under an optional
 * per-device memory budget. Callers that solve many stages should pass one solver (createHighsSolver) to every call:
 * without one, each call loads its own HiGHS module.
 */
import type { ShardingPlan } from './types.ts';
import { createHighsSolver } from '../solver/highs.ts';
import type { MilpSolver } from '../solver/types.ts';
import { solveCostGraph } from './autoSharding.ts';
import { buildStageCostGraph } from './buildCostGraph.ts';
import { decodePlan } from './decode.ts';
import type { IntraInput } from './types.ts';

export type { IntraInput } from './types.ts';
export { createHighsSolver } from '../solver/highs.ts';

function failed(input: IntraInput, message: string): ShardingPlan {
  return {
    status: 'error', objectiveSeconds: Infinity, forwardSeconds: Infinity, backwardSeconds: Infinity, gradientSyncSeconds: 0,
    meshShape: input.meshShape, ops: [], tensors: [], collectives: [],
    cost: { computeSeconds: 0, communicationSeconds: 0, reshardingSeconds: 0 },
    memory: { paramBytes: 0, gradBytes: 0, optimizerBytes: 0, activationBytes: 0, temporaryBytes: 0 },
    memoryBytesPerDevice: 0, ilp: { variables: 0, constraints: 0, solveSeconds: 0 }, message,
  };
}

export async function runIntra(input: IntraInput, solver?: MilpSolver): Promise<ShardingPlan> {
  const [n0, n1] = input.meshShape;
  const devices = input.submesh.nodes * input.submesh.gpusPerNode;
  if (!(n0 >= 1 && n1 >= 1 && Number.isInteger(n0) && Number.isInteger(n1)) || n0 * n1 !== devices) {
    return failed(input, `logical mesh ${n0}x${n1} does not cover the sub-mesh's ${devices} devices`);
  }
  let stage: ReturnType<typeof buildStageCostGraph>;
  try {
    stage = buildStageCostGraph(input);
  } catch (err) {
    // A graph the pass cannot read (a tensor id with no tensor, an unknown GPU): say which, do not throw.
    return failed(input, err instanceof Error ? err.message : String(err));
  }
  const sol = await solveCostGraph(stage.graph, solver ?? createHighsSolver(), input.memoryBudgetBytes, {
    timeLimitSeconds: input.timeLimitSeconds ?? 60,
    mipRelGap: input.mipRelGap ?? 1e-4,
  });
  return decodePlan(stage, sol, input.meshShape);
}
