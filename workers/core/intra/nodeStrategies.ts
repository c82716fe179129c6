/**
 * Expands each node of the simplified graph into its strategies: the anchor's (or a source tensor's spec), with
 * every follower's strategy derived from it. Each expansion carries what the node costs under that strategy:
 * forward/backward compute, the collectives its ops imply, resharding inside the node, gradient synchronisation
 * of a parameter (plain all-reduce or ZeRO-like reduce-scatter + all-gather) and per-device memory.
 */
import type { Op, Tensor } from '../ir/types.ts';
import { precisionBytes } from '../cost/memory.ts';
import type { MemoryBreakdown } from '../cost/memory.ts';
import { followStrategy } from './follow.ts';
import { type ComputeEnv, type ComputeSeconds, opComputeSeconds } from './opTime.ts';
import { backwardReshardSteps, type CommStep, commSeconds, reshardSteps } from './resharding.ts';
import type { GraphNode } from './simplify.ts';
import { axesSize, divisibleSpecs, formatSpec, type MeshAxis, replicatedAxes, type Spec, specTiles } from './specs.ts';
import { anchorStrategies, type OpStrategy, type StrategyCtx } from './strategies.ts';

export interface StageEnv {
  readonly ctx: StrategyCtx;
  readonly compute: ComputeEnv;
  readonly gradientSync: boolean;
  readonly optimizer: 'adam' | 'sgd';
  /** Tensors whose backward reads them (kept from forward to backward). */
  readonly saved: ReadonlySet<string>;
  /** Training (derived backward or a train-step graph): saved activations stay in memory. */
  readonly keepsActivations: boolean;
  /** What flows back into a tensor in backward: nothing (inputs, constants, inference), an activation gradient,
   * or a parameter gradient (a partial sum over data-parallel devices; parameters and what follows them). */
  readonly gradient: (id: string) => 'none' | 'activation' | 'parameter';
}

export interface OpChoice {
  readonly op: Op;
  readonly strategy: OpStrategy;
  readonly compute: ComputeSeconds;
}

/** A tensor resharded inside a node (its producer and consumer share the node); `backward` marks the collectives
 * on its gradient (backwardReshardSteps of the same from/to). */
export interface InternalReshard {
  readonly tensor: string;
  readonly op: string;
  readonly from: Spec;
  readonly to: Spec;
  readonly backward: boolean;
}

export interface GradSync {
  readonly axes: readonly MeshAxis[];
  readonly gradBytes: number;
  readonly paramBytes: number;
  /** Weight-update sharding: reduce-scatter gradients, update a shard, all-gather parameters. */
  readonly zero: boolean;
}

export interface NodeChoice {
  readonly name: string;
  /** Spec of every tensor the node produces (the source tensor of a source node). */
  readonly specs: ReadonlyMap<string, Spec>;
  readonly ops: readonly OpChoice[];
  readonly internal: readonly InternalReshard[];
  /** What the node's ops need of tensors produced by other nodes: tensor -> required specs. */
  readonly consumes: ReadonlyMap<string, readonly Spec[]>;
  readonly gradSync?: GradSync;
  readonly forwardSeconds: number;
  readonly backwardSeconds: number;
  readonly computeSeconds: number;
  readonly communicationSeconds: number;
  readonly reshardingSeconds: number;
  readonly gradientSyncSeconds: number;
  readonly memory: MemoryBreakdown;
}

function sumComm(steps: readonly CommStep[], env: StageEnv): number {
  let s = 0;
  for (const st of steps) s += commSeconds(st, env.ctx.mesh);
  return s;
}

function sourceChoices(t: Tensor, env: StageEnv): NodeChoice[] {
  const { ctx, compute } = env;
  const mesh = ctx.mesh;
  const numel = t.shape.reduce((p, d) => p * d, 1);
  const out: NodeChoice[] = [];
  for (const spec of divisibleSpecs(t.shape, mesh)) {
    const tiles = specTiles(spec, mesh);
    const base = { specs: new Map([[t.id, spec]]), ops: [], internal: [], consumes: new Map(), forwardSeconds: 0, backwardSeconds: 0, computeSeconds: 0, communicationSeconds: 0, reshardingSeconds: 0 };
    if (t.kind !== 'parameter') {
      const bytes = ctx.bytes(t.id) / tiles;
      const state = t.kind === 'optimizer-state';
      const activationBytes = !state && (env.keepsActivations || t.kind === 'input') ? bytes : 0;
      out.push({ ...base, name: formatSpec(spec), gradientSyncSeconds: 0, memory: { paramBytes: 0, gradBytes: 0, optimizerBytes: state ? bytes : 0, activationBytes, temporaryBytes: 0 } });
      continue;
    }
    const pb = precisionBytes(compute.precision);
    if (!compute.training) {
      out.push({ ...base, name: formatSpec(spec), gradientSyncSeconds: 0, memory: { paramBytes: numel * pb.paramBytes / tiles, gradBytes: 0, optimizerBytes: 0, activationBytes: 0, temporaryBytes: 0 } });
      continue;
    }
    const axes = replicatedAxes(spec, mesh);
    const stateBytes = pb.masterBytes + (env.optimizer === 'adam' ? pb.optimizerBytes : 0);
    const variants = axes.length && env.gradientSync ? [false, true] : [false];
    for (const zero of variants) {
      const div = zero ? axesSize(axes, mesh) : 1;
      const gradSync: GradSync = { axes, gradBytes: numel * pb.gradBytes / tiles, paramBytes: numel * pb.paramBytes / tiles, zero };
      out.push({
        ...base,
        name: `${formatSpec(spec)}${zero ? ' (weight update sharded)' : ''}`,
        gradSync: env.gradientSync ? gradSync : undefined,
        gradientSyncSeconds: env.gradientSync ? gradSyncSeconds(gradSync, env) : 0,
        memory: { paramBytes: numel * pb.paramBytes / tiles, gradBytes: numel * pb.gradBytes / tiles / div, optimizerBytes: numel * stateBytes / tiles / div, activationBytes: 0, temporaryBytes: 0 },
      });
    }
  }
  return out;
}

export function gradSyncSteps(g: GradSync): CommStep[] {
  if (!g.axes.length) return [];
  return g.zero
    ? [{ kind: 'reduce-scatter', axes: g.axes, bytes: g.gradBytes }, { kind: 'all-gather', axes: g.axes, bytes: g.paramBytes }]
    : [{ kind: 'all-reduce', axes: g.axes, bytes: g.gradBytes }];
}

function gradSyncSeconds(g: GradSync, env: StageEnv): number {
  return sumComm(gradSyncSteps(g), env);
}

function opChoices(node: GraphNode, anchorStrategy: OpStrategy | undefined, sourceSpecs: ReadonlyMap<string, Spec>, env: StageEnv): NodeChoice {
  const { ctx, compute } = env;
  const mesh = ctx.mesh;
  const specs = new Map(sourceSpecs);
  const ops: OpChoice[] = [];
  const add = (op: Op, strategy: OpStrategy): void => {
    op.outputs.forEach((id, i) => specs.set(id, strategy.outputSpecs[i]));
    ops.push({ op, strategy, compute: opComputeSeconds(op, strategy, compute) });
  };
  if (node.anchor && anchorStrategy) add(node.anchor, anchorStrategy);
  for (const f of node.followers) add(f.op, followStrategy(f.op, f.primary, specs.get(f.op.inputs[f.primary]) as Spec, ctx));
  const internal: InternalReshard[] = [];
  const consumes = new Map<string, Spec[]>();
  let fwdCompute = 0, bwdCompute = 0, fwdComm = 0, bwdComm = 0, fwdReshard = 0, bwdReshard = 0, activationBytes = 0;
  for (const { op, strategy, compute: c } of ops) {
    fwdCompute += c.forwardSeconds;
    bwdCompute += c.backwardSeconds;
    fwdComm += sumComm(strategy.forwardComm, env);
    bwdComm += sumComm(strategy.backwardComm, env);
    op.inputs.forEach((id, i) => {
      const need = strategy.inputSpecs[i];
      const have = specs.get(id);
      if (!have) { consumes.set(id, [...(consumes.get(id) ?? []), need]); return; }
      if (formatSpec(have) === formatSpec(need)) return;
      const bytes = ctx.bytes(id);
      fwdReshard += sumComm(reshardSteps(bytes, have, need, mesh), env);
      internal.push({ tensor: id, op: op.id, from: have, to: need, backward: false });
      const grad = env.gradient(id);
      if (grad !== 'none') {
        bwdReshard += sumComm(backwardReshardSteps(bytes, have, need, mesh, grad === 'parameter'), env);
        internal.push({ tensor: id, op: op.id, from: have, to: need, backward: true });
      }
    });
    for (const id of op.outputs) {
      if (env.keepsActivations && !compute.remat && env.saved.has(id)) activationBytes += ctx.bytes(id) / specTiles(specs.get(id) as Spec, mesh);
    }
  }
  const memory = { paramBytes: 0, gradBytes: 0, optimizerBytes: 0, activationBytes, temporaryBytes: 0 };
  return {
    name: anchorStrategy?.name ?? '', specs, ops, internal, consumes,
    forwardSeconds: fwdCompute + fwdComm + fwdReshard,
    backwardSeconds: bwdCompute + bwdComm + bwdReshard,
    computeSeconds: fwdCompute + bwdCompute,
    communicationSeconds: fwdComm + bwdComm,
    reshardingSeconds: fwdReshard + bwdReshard,
    gradientSyncSeconds: 0,
    memory,
  };
}

/** Every strategy of a node with its costs; never empty. */
export function expandNode(node: GraphNode, env: StageEnv): NodeChoice[] {
  if (node.source) {
    const sources = sourceChoices(node.source, env);
    if (!node.followers.length) return sources;
    return sources.map((s) => {
      const f = opChoices(node, undefined, s.specs, env);
      return {
        ...f, name: s.name, gradSync: s.gradSync, gradientSyncSeconds: s.gradientSyncSeconds,
        memory: { ...s.memory, activationBytes: s.memory.activationBytes + f.memory.activationBytes },
      };
    });
  }
  const anchor = node.anchor as Op;
  return anchorStrategies(anchor, env.ctx).map((st) => opChoices(node, st, new Map(), env));
}
