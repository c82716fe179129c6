/**
 * The Learn region's live knobs: inter-node bandwidth, GPUs per node, nodes and global batch. Each reads its value
 * from the scenario and writes it back through the core's `applySweepValue` (workers/core/whatif/sweep.ts): the
 * knobs are sweep variables, so a knob and a sweep point at the same value build the same cluster, and a value the
 * core refuses (a node count on a cluster mixing node types) is refused here with the core's message.
 */
import type { Cluster } from '../../../workers/core/cluster/types.ts';
import type { PlanOptions } from '../../../workers/core/plan/types.ts';
import { applySweepValue, type Checked } from '../../../workers/core/whatif/sweep.ts';
import type { WhatIfModel } from '../../../workers/core/whatif/types.ts';
import { bytesPerSecondToGbit, sig3 } from '../../format.ts';

export const KNOBS = ['inter-gbps', 'gpus-per-node', 'nodes', 'batch'] as const;
export type KnobId = (typeof KNOBS)[number];

export interface KnobSpec {
  readonly id: KnobId;
  readonly label: string;
  readonly unit: string;
  /** The values the slider steps through (the scenario's own value is added when it is not one of them). */
  readonly ladder: readonly number[];
  /** The few values planned to find where the best strategy crosses over (a subset of the ladder). */
  readonly probes: readonly number[];
}

export const KNOB_SPECS: Readonly<Record<KnobId, KnobSpec>> = {
  'inter-gbps': { id: 'inter-gbps', label: 'inter-node bandwidth', unit: 'Gbit/s', ladder: [5, 10, 25, 50, 100, 200, 400, 800, 1600, 3200], probes: [10, 25, 100, 400, 1600] },
  'gpus-per-node': { id: 'gpus-per-node', label: 'GPUs per node', unit: '', ladder: [1, 2, 4, 8, 16], probes: [2, 4, 8] },
  nodes: { id: 'nodes', label: 'nodes', unit: '', ladder: [1, 2, 4, 8, 16, 32, 64], probes: [1, 2, 4, 8] },
  batch: { id: 'batch', label: 'global batch', unit: 'samples', ladder: [32, 64, 128, 256, 512, 1024, 2048, 4096], probes: [64, 256, 1024, 4096] },
};

export interface KnobScenario {
  readonly cluster: Cluster;
  readonly options: PlanOptions;
}

/** The knob's current value in the scenario (nodes and GPUs per node: of the first node for GPUs). */
export function knobValue(id: KnobId, s: KnobScenario): number {
  switch (id) {
    case 'inter-gbps': return Math.round(bytesPerSecondToGbit(s.cluster.interNode.bandwidthBytesPerSecond) * 1000) / 1000;
    case 'gpus-per-node': return s.cluster.nodes[0]?.gpus ?? 1;
    case 'nodes': return s.cluster.nodes.length;
    case 'batch': return s.options.globalBatch;
  }
}

/** No knob varies the model (seq is not a knob), so the core's scenario gets a stand-in it never reads. */
const UNUSED_MODEL: WhatIfModel = { kind: 'zoo', name: 'learn-knob' };

/** The scenario with the knob at `value` (only the knob's own field changes), or the core's reason it cannot be. */
export function withKnob<S extends KnobScenario>(id: KnobId, s: S, value: number): Checked<S> {
  const r = applySweepValue({ model: UNUSED_MODEL, cluster: s.cluster, options: s.options }, id, value);
  return r.ok ? { ok: true, value: { ...s, cluster: r.value.cluster, options: r.value.options } } : r;
}

/** The slider's stops: the ladder with the scenario's value in order. */
export function knobStops(id: KnobId, current: number): readonly number[] {
  const ladder = KNOB_SPECS[id].ladder;
  return ladder.includes(current) ? ladder : [...ladder, current].sort((a, b) => a - b);
}

/**
 * A key for "everything but this knob": crossover points along a knob stay valid while only that knob moves.
 * Built from the scenario with the knob pinned to its first probe.
 */
export function keyWithoutKnob<S extends KnobScenario>(id: KnobId, s: S, encode: (s: S) => string): string {
  const pinned = withKnob(id, s, KNOB_SPECS[id].probes[0]);
  return `${id}:${encode(pinned.ok ? pinned.value : s)}`;
}

/** A knob value as text: counts exactly (a batch of 1024 is not "1020"), bandwidths to three significant digits. */
export function formatKnob(id: KnobId, v: number): string {
  return id === 'inter-gbps' ? sig3(v) : String(v);
}
