/**
 * From a stage (graph, op subset, mesh) to the cost graph of the ILP: simplify (follow ops join their node),
 * expand every node's strategies with their costs, and build the resharding edges between nodes. Edge costs are
 * forward resharding plus, when a gradient flows back, the mirrored collective on it (all-gather <-> reduce-scatter
 * / all-gather of the gradient slice).
 */
import { logicalMesh, gpuSpec } from '../cluster/topology.ts';
import { savedForBackward } from '../cost/memory.ts';
import { tensorLookup } from '../cost/opCost.ts';
import { activationElementBytes } from '../cost/precision.ts';
import type { Op, Tensor } from '../ir/types.ts';
import type { CostGraph } from './costGraph.ts';
import { expandNode, type NodeChoice, type StageEnv } from './nodeStrategies.ts';
import { backwardReshardSteps, reshardSeconds, stepsSeconds } from './resharding.ts';
import { type GraphNode, simplify } from './simplify.ts';
import { formatSpec, type MeshCtx, type Spec } from './specs.ts';
import { type StrategyCtx, tensorBytesAt } from './strategies.ts';
import type { IntraInput } from './types.ts';

export interface EdgeDetail {
  readonly tensor: string;
  readonly from: number;
  readonly to: number;
  /** Spec of the tensor leaving the producer, per producer group. */
  readonly fromSpecs: readonly Spec[];
  /** Specs the consumer's ops need, per consumer group. */
  readonly toSpecs: readonly (readonly Spec[])[];
  readonly fromGroup: readonly number[];
  readonly toGroup: readonly number[];
  readonly forwardSeconds: readonly (readonly number[])[];
  readonly backwardSeconds: readonly (readonly number[])[];
}

export interface StageCostGraph {
  readonly graph: CostGraph;
  readonly nodes: readonly GraphNode[];
  readonly choices: readonly (readonly NodeChoice[])[];
  readonly edges: readonly EdgeDetail[];
  readonly env: StageEnv;
  readonly ops: readonly Op[];
  readonly training: boolean;
}

export function stageEnv(input: IntraInput, ops: readonly Op[]): { env: StageEnv; nodes: readonly GraphNode[]; nodeOfTensor: ReadonlyMap<string, number>; training: boolean } {
  const { graph, cluster, submesh } = input;
  const lookup = tensorLookup(graph);
  const tensor = (id: string): Tensor => {
    const t = lookup(id);
    if (!t) throw new Error(`intra: tensor '${id}' is not in graph '${graph.name}'`);
    return t;
  };
  const lm = logicalMesh(cluster, submesh, input.meshShape);
  const mesh: MeshCtx = { shape: lm.shape, axisLinks: lm.axisLinks };
  const gpu = gpuSpec(cluster, cluster.nodes[submesh.nodeStart].gpu);
  // A train-step graph carries its own backward ops: nothing is derived for it.
  const training = input.mode === 'train' && graph.training !== null && !graph.training.explicitBackward;
  const { nodes, nodeOfTensor } = simplify(ops, tensor);
  const paramDerived = (id: string): boolean => nodes[nodeOfTensor.get(id) ?? -1]?.source?.kind === 'parameter';
  const floatBytes = activationElementBytes(input.precision);
  const ctx: StrategyCtx = {
    mesh, training, tensor,
    needsGrad: (id) => training && tensor(id).kind === 'activation' && !paramDerived(id),
    bytes: (id) => tensorBytesAt(tensor(id), floatBytes),
  };
  const explicit = input.mode === 'train' && graph.training?.explicitBackward === true;
  const saved = new Set<string>();
  if (explicit) {
    // A train-step graph keeps what its forward produces and its backward reads.
    const forwardMade = new Set(ops.filter((o) => o.phase === 'forward').flatMap((o) => o.outputs));
    for (const op of ops) if (op.phase !== 'forward') for (const id of op.inputs) if (forwardMade.has(id)) saved.add(id);
  } else {
    for (const op of ops) for (const t of savedForBackward(op, lookup)) saved.add(t.id);
  }
  const env: StageEnv = {
    ctx, saved, keepsActivations: training || explicit,
    gradient: (id) => {
      const kind = tensor(id).kind;
      if (!training || (kind !== 'activation' && kind !== 'parameter')) return 'none';
      return kind === 'parameter' || paramDerived(id) ? 'parameter' : 'activation';
    },
    compute: { gpu, precision: input.precision, tensors: lookup, training, remat: input.remat ?? false },
    gradientSync: training && (input.gradientSync ?? true),
    optimizer: graph.training?.optimizer ?? 'adam',
  };
  return { env, nodes, nodeOfTensor, training };
}

/** Spec numbers of a stage stay far below this: (from, to) -> from x span + to is one exact double per pair. */
const SPEC_KEY_SPAN = 2 ** 26;

function groupBy<T>(items: readonly T[], key: (x: T) => string): { group: number[]; reps: T[] } {
  const index = new Map<string, number>();
  const reps: T[] = [];
  const group = items.map((x) => {
    const k = key(x);
    let g = index.get(k);
    if (g === undefined) { g = reps.length; index.set(k, g); reps.push(x); }
    return g;
  });
  return { group, reps };
}

export function buildStageCostGraph(input: IntraInput): StageCostGraph {
  const wanted = input.opIds ? new Set(input.opIds) : undefined;
  const ops = wanted ? input.graph.ops.filter((o) => wanted.has(o.id)) : input.graph.ops;
  const { env, nodes, nodeOfTensor, training } = stageEnv(input, ops);
  const choices = nodes.map((n) => expandNode(n, env));
  const microbatches = Math.max(1, input.microbatches ?? 1);
  const edges: EdgeDetail[] = [];
  const mesh = env.ctx.mesh;
  // Resharding seconds by (bytes, direction), then (from spec, to spec): edges repeat them. Specs are numbered by
  // their text (formatSpec), so a price is found by two numbers rather than by a string built for each cell.
  const memo = new Map<string, Map<number, number>>();
  const specIds = new Map<string, number>();
  const specId = (text: string): number => {
    let id = specIds.get(text);
    if (id === undefined) specIds.set(text, (id = specIds.size));
    return id;
  };
  nodes.forEach((_, to) => {
    const consumed = [...choices[to][0].consumes.keys()];
    for (const t of consumed) {
      const from = nodeOfTensor.get(t) as number;
      const fromSide = groupBy(choices[from].map((c) => c.specs.get(t) as Spec), formatSpec);
      const toSide = groupBy(choices[to].map((c) => c.consumes.get(t) as readonly Spec[]), (r) => r.map(formatSpec).join('|'));
      const bytes = env.ctx.bytes(t);
      const grad = env.gradient(t);
      const fromIds = fromSide.reps.map((src) => specId(formatSpec(src)));
      const toIds = toSide.reps.map((reqs) => reqs.map((r) => specId(formatSpec(r))));
      // Plain loops: this runs cold (a CLI's ILP thread builds each graph once), where closures per cell cost most.
      const priced = (backward: boolean): (readonly number[])[] => {
        const none = backward && grad === 'none';
        const direction = `${bytes}|${backward ? grad : 'fwd'}`;
        let prices = memo.get(direction);
        if (!prices) memo.set(direction, (prices = new Map()));
        const rows: number[][] = [];
        for (let i = 0; i < fromSide.reps.length; i++) {
          const src = fromSide.reps[i];
          const row: number[] = [];
          for (let j = 0; j < toSide.reps.length; j++) {
            const reqs = toSide.reps[j];
            let sum = 0;
            for (let k = 0; !none && k < reqs.length; k++) {
              const key = fromIds[i] * SPEC_KEY_SPAN + toIds[j][k];
              let v = prices.get(key);
              if (v === undefined) {
                const r = reqs[k];
                v = backward ? stepsSeconds(backwardReshardSteps(bytes, src, r, mesh, grad === 'parameter'), mesh) : reshardSeconds(bytes, src, r, mesh);
                prices.set(key, v);
              }
              sum += v;
            }
            row.push(sum);
          }
          rows.push(row);
        }
        return rows;
      };
      edges.push({
        tensor: t, from, to,
        fromSpecs: fromSide.reps, toSpecs: toSide.reps, fromGroup: fromSide.group, toGroup: toSide.group,
        forwardSeconds: priced(false),
        backwardSeconds: priced(true),
      });
    }
  });
  const graph: CostGraph = {
    nodes: choices.map((cs) => ({
      costSeconds: cs.map((c) => c.forwardSeconds + c.backwardSeconds + c.gradientSyncSeconds / microbatches),
      memoryBytes: cs.map((c) => c.memory.paramBytes + c.memory.gradBytes + c.memory.optimizerBytes + c.memory.activationBytes),
    })),
    edges: edges.map((e) => ({
      from: e.from, to: e.to, fromGroup: e.fromGroup, toGroup: e.toGroup,
      costSeconds: e.forwardSeconds.map((row, i) => row.map((f, j) => f + e.backwardSeconds[i][j])),
    })),
  };
  return { graph, nodes, choices, edges, env, ops, training };
}
