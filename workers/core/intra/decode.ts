/**
 * Turns the ILP's choice into a ShardingPlan: per-op strategies, per-tensor specs, collectives, costs, memory.
 * Collective reasons partition the costs: 'forward' + 'backward' sum to cost.communicationSeconds, 'resharding'
 * (both directions; the backward ones move gradients) to cost.reshardingSeconds, 'gradient-sync' and
 * 'weight-update' to gradientSyncSeconds.
 */
import type { Collective } from '../cost/collectives.ts';
import type { MemoryBreakdown } from '../cost/memory.ts';
import type { OpSharding, ShardingPlan, SolveStatus, TensorSharding } from './types.ts';
import type { IlpSolution } from './autoSharding.ts';
import type { StageCostGraph } from './buildCostGraph.ts';
import { gradSyncSteps } from './nodeStrategies.ts';
import { backwardReshardSteps, type CommStep, commSeconds, reshardSteps } from './resharding.ts';
import { formatSpec, type Spec, specTiles } from './specs.ts';

function axisOf(step: CommStep): Collective['axis'] {
  return step.axes.length === 2 ? '01' : step.axes[0];
}

export function decodePlan(stage: StageCostGraph, sol: IlpSolution, meshShape: readonly [number, number]): ShardingPlan {
  const { env, nodes, choices, edges, ops } = stage;
  const mesh = env.ctx.mesh;
  const collectives: Collective[] = [];
  const emit = (steps: readonly CommStep[], op: string, reason: string): number => {
    let s = 0;
    for (const step of steps) {
      const seconds = commSeconds(step, mesh);
      if (seconds <= 0) continue;
      collectives.push({ kind: step.kind, axis: axisOf(step), bytes: step.bytes, seconds, op, reason });
      s += seconds;
    }
    return s;
  };
  const chosen = nodes.map((_, i) => choices[i][sol.choice[i]]);
  const zeroSharded = new Set(chosen.filter((c) => c.gradSync?.zero).flatMap((c) => [...c.specs.keys()].slice(0, 1)));
  const opRows = new Map<string, OpSharding>();
  const specOf = new Map<string, Spec>();
  let compute = 0, communication = 0, resharding = 0, forward = 0, backward = 0, gradientSync = 0;
  const memory = { paramBytes: 0, gradBytes: 0, optimizerBytes: 0, activationBytes: 0, temporaryBytes: 0 };
  chosen.forEach((c) => {
    for (const [t, s] of c.specs) specOf.set(t, s);
    forward += c.forwardSeconds;
    backward += c.backwardSeconds;
    compute += c.computeSeconds;
    gradientSync += c.gradientSyncSeconds;
    for (const k of ['paramBytes', 'gradBytes', 'optimizerBytes', 'activationBytes'] as const) memory[k] += c.memory[k];
    for (const { op, strategy, compute: cs } of c.ops) {
      const comm = emit(strategy.forwardComm, op.id, 'forward') + emit(strategy.backwardComm, op.id, 'backward');
      communication += comm;
      opRows.set(op.id, {
        op: op.id, name: op.name, strategy: strategy.name,
        inputSpecs: strategy.inputSpecs.map(formatSpec), outputSpecs: strategy.outputSpecs.map(formatSpec),
        computeSeconds: cs.forwardSeconds + cs.backwardSeconds, communicationSeconds: comm,
      });
    }
    for (const r of c.internal) {
      const bytes = env.ctx.bytes(r.tensor);
      resharding += r.backward
        ? emit(backwardReshardSteps(bytes, r.from, r.to, mesh, env.gradient(r.tensor) === 'parameter'), r.op, 'resharding')
        : emit(reshardSteps(bytes, r.from, r.to, mesh), r.op, 'resharding');
    }
    if (c.gradSync) {
      const t = [...c.specs.keys()][0];
      emit(gradSyncSteps(c.gradSync), t, c.gradSync.zero ? 'weight-update' : 'gradient-sync');
    }
  });
  for (const e of edges) {
    const src = e.fromSpecs[e.fromGroup[sol.choice[e.from]]];
    const g = e.toGroup[sol.choice[e.to]];
    const bytes = env.ctx.bytes(e.tensor);
    const grad = env.gradient(e.tensor);
    for (const need of e.toSpecs[g]) {
      resharding += emit(reshardSteps(bytes, src, need, mesh), e.tensor, 'resharding');
      if (grad !== 'none') resharding += emit(backwardReshardSteps(bytes, src, need, mesh, grad === 'parameter'), e.tensor, 'resharding');
    }
    forward += e.forwardSeconds[e.fromGroup[sol.choice[e.from]]][g];
    backward += e.backwardSeconds[e.fromGroup[sol.choice[e.from]]][g];
  }
  if (!env.keepsActivations) {
    // Inference keeps no activations: the peak is the largest op's live inputs and outputs.
    for (const op of ops) {
      let live = 0;
      for (const id of [...op.inputs, ...op.outputs]) {
        const s = specOf.get(id);
        if (s && env.ctx.tensor(id).kind !== 'parameter') live += env.ctx.bytes(id) / specTiles(s, mesh);
      }
      memory.temporaryBytes = Math.max(memory.temporaryBytes, live);
    }
  }
  const tensors: TensorSharding[] = [];
  const seen = new Set<string>();
  for (const op of ops) {
    for (const id of [...op.inputs, ...op.outputs]) {
      if (seen.has(id)) continue;
      seen.add(id);
      const t = env.ctx.tensor(id);
      tensors.push({
        tensor: id, name: t.name, kind: t.kind, shape: t.shape, spec: formatSpec(specOf.get(id) ?? []),
        ...(t.kind === 'parameter' && stage.training ? { weightUpdateSharded: zeroSharded.has(id) } : {}),
      });
    }
  }
  const mem: MemoryBreakdown = memory;
  const status: SolveStatus = sol.status;
  return {
    status,
    objectiveSeconds: forward + backward,
    forwardSeconds: forward,
    backwardSeconds: backward,
    gradientSyncSeconds: gradientSync,
    meshShape,
    ops: ops.map((o) => opRows.get(o.id) as OpSharding),
    tensors,
    collectives,
    cost: { computeSeconds: compute, communicationSeconds: communication, reshardingSeconds: resharding },
    memory: mem,
    memoryBytesPerDevice: mem.paramBytes + mem.gradBytes + mem.optimizerBytes + mem.activationBytes + mem.temporaryBytes,
    ilp: { variables: sol.variables, constraints: sol.constraints, solveSeconds: sol.solveSeconds },
    ...(sol.status === 'infeasible' ? { minimumMemoryBytes: sol.minimumMemoryBytes } : {}),
    ...(sol.message ? { message: sol.message } : {}),
  };
}
