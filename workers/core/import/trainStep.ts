/**
 * Whole training steps lowered from JAX: forward ops are the ancestors of the scalar loss; float arguments the
 * forward never reads are optimizer state; ops fed by optimizer state (and the elementwise ops that only feed
 * them) are the update; the rest is backward. Forward ops get layer paths (from while-loop trips, or from the
 * repeating parameter shapes), and every backward / update op the path of the forward layer it pairs with.
 */
import type { Op, OpPhase, Tensor, TrainingSpec } from '../ir/types.ts';
import { blocksFromSignatures } from './layerPeriods.ts';

export interface TrainStepInput {
  readonly ops: readonly Op[];
  readonly tensors: readonly Tensor[];
  /** Float arguments of the entry function, in argument order. */
  readonly argIds: readonly string[];
  readonly resultIds: readonly string[];
  readonly root: string;
}

const ABSORBABLE = new Set(['elementwise', 'broadcast', 'reshape', 'transpose']);

export function analyseTrainStep(input: TrainStepInput): { ops: Op[]; tensors: Tensor[]; training: TrainingSpec } {
  const { ops, tensors, root } = input;
  const tensorById = new Map(tensors.map((t) => [t.id, t] as const));
  const producer = new Map<string, number>();
  const consumers = new Map<string, number[]>();
  ops.forEach((op, i) => {
    op.outputs.forEach((o) => producer.set(o, i));
    op.inputs.forEach((t) => { const c = consumers.get(t); if (c) c.push(i); else consumers.set(t, [i]); });
  });

  // Forward: ancestors of the scalar float loss.
  const losses = input.resultIds.filter((id) => { const t = tensorById.get(id); return t && t.shape.length === 0 && t.dtype.startsWith('f'); });
  const forward = new Uint8Array(ops.length);
  if (losses.length) {
    const stack = losses.map((id) => producer.get(id)).filter((i): i is number => i !== undefined);
    while (stack.length) {
      const i = stack.pop()!;
      if (forward[i]) continue;
      forward[i] = 1;
      for (const t of ops[i]!.inputs) { const p = producer.get(t); if (p !== undefined && !forward[p]) stack.push(p); }
    }
  } else forward.fill(1);
  const isTrain = forward.some((f) => !f);
  const readByForward = (id: string) => (consumers.get(id) ?? []).some((i) => forward[i]);
  const params = isTrain ? input.argIds.filter(readByForward) : [...input.argIds];
  const optState = isTrain ? input.argIds.filter((id) => !readByForward(id)) : [];

  // Update: descendants of optimizer state (or, for plain SGD, of param-shaped elementwise ops on parameters).
  const phase: OpPhase[] = ops.map((_, i) => (forward[i] ? 'forward' : 'backward'));
  if (isTrain) {
    const paramSet = new Set(params);
    const seeds = optState.length
      ? optState.flatMap((id) => consumers.get(id) ?? [])
      : ops.map((op, i) => (!forward[i] && op.kind === 'elementwise' && op.inputs.some((t) => paramSet.has(t))
        && op.outputs.every((o) => tensorById.get(o)!.shape.join() === tensorById.get(op.inputs.find((t) => paramSet.has(t))!)!.shape.join()) ? i : -1)).filter((i) => i >= 0);
    const stack = seeds.filter((i) => !forward[i]);
    while (stack.length) {
      const i = stack.pop()!;
      if (phase[i] === 'update') continue;
      phase[i] = 'update';
      for (const o of ops[i]!.outputs) for (const c of consumers.get(o) ?? []) if (!forward[c] && phase[c] !== 'update') stack.push(c);
    }
    for (let i = ops.length - 1; i >= 0; i--) {
      if (phase[i] !== 'backward' || !ABSORBABLE.has(ops[i]!.kind)) continue;
      const users = ops[i]!.outputs.flatMap((o) => consumers.get(o) ?? []);
      if (users.length && users.every((c) => phase[c] === 'update')) phase[i] = 'update';
    }
  }

  // Layers of forward ops: from while-loop trips in the path, else from repeating parameter shapes.
  const firstUse = new Map<string, number>();
  for (const id of params) {
    const f = (consumers.get(id) ?? []).find((i) => forward[i]);
    if (f !== undefined) firstUse.set(id, f);
  }
  const ordered = [...firstUse.keys()].sort((a, b) => firstUse.get(a)! - firstUse.get(b)!);
  const blocks = blocksFromSignatures(ordered.map((id) => tensorById.get(id)!.shape.join('x') || 's'));
  const starts: number[] = [];
  let lastLayerUse = -1;
  ordered.forEach((id, k) => {
    const b = blocks[k];
    if (b === undefined) return;
    starts[b] = Math.min(starts[b] ?? Infinity, firstUse.get(id)!);
    for (const c of consumers.get(id) ?? []) if (forward[c]) lastLayerUse = Math.max(lastLayerUse, c);
  });
  // The head opens where the first parameter outside the blocks is read after the last block (final norm, logits).
  let headOpen = Infinity;
  const blockOf = new Map(ordered.map((id, k) => [id, blocks[k]] as const));
  for (const id of params) {
    if (blockOf.get(id) !== undefined) continue;
    for (const c of consumers.get(id) ?? []) if (forward[c] && c > lastLayerUse) headOpen = Math.min(headOpen, c);
  }
  const headStart = Number.isFinite(headOpen) ? headOpen : lastLayerUse + 1;
  // Without repeating parameter shapes (lax.scan over stacked weights), forward ops after the last loop-trip op are the head.
  let lastTrip = -1;
  ops.forEach((op, i) => { if (forward[i] && /\/layers\.\d+(\/|$)/.test(op.path)) lastTrip = i; });
  const suffixOf = (op: Op) => (op.path.startsWith(`${root}/`) ? op.path.slice(root.length + 1) : op.path);
  const layerPrefix: string[] = ops.map((op, i) => {
    const own = /^(.*?\/layers\.\d+)(\/|$)/.exec(op.path)?.[1];
    if (own) return own;
    if (!forward[i]) return '';
    if (!starts.length) return lastTrip >= 0 && i > lastTrip ? `${root}/head` : `${root}/embed`;
    if (i < starts[0]!) return `${root}/embed`;
    if (i >= headStart) return `${root}/head`;
    let j = 0;
    for (let b = 0; b < starts.length; b++) if (starts[b]! <= i) j = b;
    return `${root}/layers.${j}`;
  });

  // Pairing: each backward/update op takes the layer of the forward activations or parameters it reads.
  const tensorLayer = new Map<string, string>();
  ops.forEach((op, i) => { if (forward[i]) for (const o of op.outputs) tensorLayer.set(o, layerPrefix[i]!); });
  for (const id of params) { const f = firstUse.get(id); if (f !== undefined) tensorLayer.set(id, layerPrefix[f]!); }
  if (params.length && optState.length % params.length === 0) {
    optState.forEach((id, k) => { const p = params[k % params.length]!; const l = tensorLayer.get(p); if (l) tensorLayer.set(id, l); });
  }
  const paired: (string | undefined)[] = ops.map(() => undefined);
  const isBlock = (p: string) => /\/layers\.\d+$/.test(p);
  const fromTrips = scanTripLayers(ops, forward);
  ops.forEach((op, i) => {
    if (forward[i]) return;
    if (fromTrips[i] !== undefined) { paired[i] = fromTrips[i]; return; }
    const fromForward = op.inputs.map((t) => tensorLayer.get(t)).filter((p): p is string => p !== undefined);
    const fromInputs = op.inputs.map((t) => producer.get(t)).filter((p): p is number => p !== undefined && !forward[p]).map((p) => paired[p]).filter((p): p is string => p !== undefined);
    paired[i] = fromForward.find(isBlock) ?? fromInputs.find(isBlock) ?? fromForward[0] ?? fromInputs[0];
  });
  for (let i = ops.length - 1; i >= 0; i--) {
    if (forward[i] || paired[i] !== undefined) continue;
    const users = ops[i]!.outputs.flatMap((o) => consumers.get(o) ?? []);
    paired[i] = users.map((c) => paired[c]).find((p) => p !== undefined) ?? `${root}/head`;
  }

  const outOps = ops.map((op, i): Op => {
    if (forward[i]) return { ...op, path: `${layerPrefix[i]}/${suffixOf(op).replace(/^.*?layers\.\d+\//, '')}`, phase: 'forward' };
    const p = paired[i]!;
    return { ...op, phase: phase[i]!, pairedPath: p, path: `${p}/${phase[i]}/${suffixOf(op).replace(/^.*?layers\.\d+\//, '')}` };
  });
  const optSet = new Set(optState);
  const outTensors = tensors.map((t): Tensor => (optSet.has(t.id) ? { ...t, kind: 'optimizer-state' } : t));
  const training: TrainingSpec = isTrain
    ? { optimizer: optState.length ? 'adam' : 'sgd', explicitBackward: true }
    : { optimizer: 'adam', explicitBackward: false };
  return { ops: outOps, tensors: outTensors, training };
}

/**
 * Layers of the non-forward ops of unrolled while loops (lax.scan: one `layers.k` path per trip). The stacked
 * residuals they read carry no layer, so the trip says it: in a loop that also runs forward ops trip k is layer k;
 * a loop of backward ops alone is the transposed scan, which runs the layers in reverse (trip k is layer n-1-k).
 */
function scanTripLayers(ops: readonly Op[], forward: Uint8Array): (string | undefined)[] {
  const out: (string | undefined)[] = ops.map(() => undefined);
  const trip = ops.map((op) => /^(.*?\/layers\.)(\d+)(\/|$)/.exec(op.path));
  let loop: number[] = [];
  const close = () => {
    if (!loop.length) return;
    const n = Math.max(...loop.map((i) => Number(trip[i]![2]))) + 1;
    const reversed = !loop.some((i) => forward[i]);
    for (const i of loop) if (!forward[i]) out[i] = `${trip[i]![1]}${reversed ? n - 1 - Number(trip[i]![2]) : trip[i]![2]}`;
    loop = [];
  };
  let last = -1;
  ops.forEach((_, i) => {
    const m = trip[i];
    if (!m) return;
    const k = Number(m[2]);
    if (k === 0 && last !== 0) close();
    loop.push(i);
    last = k;
  });
  close();
  return out;
}

