/**
 * Graph validation with messages that name the op or tensor at fault: duplicate ids, unknown tensors, bad dims,
 * outputs produced twice, reads before the producer (a cycle or ops out of topological order), and shape
 * mismatches of dot, conv and elementwise ops.
 */
import type { ModelGraph, Op, Tensor } from './types.ts';
import { broadcastShapes, convOutputShape, convShapeErrors, dotOutputShape, dotShapeErrors, formatShape, numel, sameShape } from './shapes.ts';

export type ValidationResult = { ok: true } | { ok: false; errors: string[] };

/** Stop collecting after this many errors: a broken import could otherwise yield one per op. */
const MAX_ERRORS = 50;

export function validateGraph(graph: Pick<ModelGraph, 'ops' | 'tensors'>): ValidationResult {
  const errors: string[] = [];
  const tensors = new Map<string, Tensor>();
  for (const t of graph.tensors) {
    if (tensors.has(t.id)) errors.push(`duplicate tensor id '${t.id}' (${t.name})`);
    tensors.set(t.id, t);
    errors.push(...tensorErrors(t));
  }
  const opIds = new Set<string>();
  const producer = new Map<string, { op: Op; index: number }>();
  graph.ops.forEach((op, index) => {
    if (opIds.has(op.id)) errors.push(`duplicate op id '${op.id}' (${op.path})`);
    opIds.add(op.id);
    for (const o of op.outputs) {
      const t = tensors.get(o);
      if (!t) { errors.push(`${opLabel(op)} writes unknown tensor '${o}'`); continue; }
      const prev = producer.get(o);
      if (prev) errors.push(`tensor ${tensorLabel(t)} is produced twice: by ${opLabel(prev.op)} and ${opLabel(op)}`);
      else producer.set(o, { op, index });
      if (t.kind === 'parameter' || t.kind === 'input') errors.push(`${opLabel(op)} writes ${t.kind} tensor ${tensorLabel(t)}`);
    }
  });
  let outOfOrder = false;
  graph.ops.forEach((op, index) => {
    for (const i of op.inputs) {
      const t = tensors.get(i);
      if (!t) { errors.push(`${opLabel(op)} reads unknown tensor '${i}'`); continue; }
      const p = producer.get(i);
      if (p && p.index >= index) outOfOrder = true;
      if (!p && t.kind === 'activation') errors.push(`${opLabel(op)} reads activation ${tensorLabel(t)} that no op produces`);
    }
    if (op.inputs.every((i) => tensors.has(i)) && op.outputs.every((o) => tensors.has(o))) {
      errors.push(...shapeErrors(op, tensors).map((e) => `${opLabel(op)}: ${e}`));
    }
  });
  if (outOfOrder) errors.push(orderError(graph.ops, producer));
  return errors.length ? { ok: false, errors: errors.slice(0, MAX_ERRORS) } : { ok: true };
}

function tensorErrors(t: Tensor): string[] {
  const errors: string[] = [];
  t.shape.forEach((d, axis) => {
    if (!Number.isInteger(d) || d <= 0) errors.push(`tensor ${tensorLabel(t)} has non-positive or non-integer dim ${d} at axis ${axis} (shape ${formatShape(t.shape)})`);
  });
  if (t.batchDim !== undefined && (t.batchDim < 0 || t.batchDim >= t.shape.length)) {
    errors.push(`tensor ${tensorLabel(t)} has batchDim ${t.batchDim} outside its rank ${t.shape.length}`);
  }
  return errors;
}

function shapeErrors(op: Op, tensors: ReadonlyMap<string, Tensor>): string[] {
  const ins = op.inputs.map((i) => tensors.get(i) as Tensor);
  const out = tensors.get(op.outputs[0]);
  const a = op.attrs;
  if (op.kind === 'dot' && a.kind === 'dot' && ins.length >= 2) {
    const errs = dotShapeErrors(ins[0].shape, ins[1].shape, a);
    if (errs.length) return errs.map((e) => `${e} (lhs ${ins[0].name} ${formatShape(ins[0].shape)}, rhs ${ins[1].name} ${formatShape(ins[1].shape)})`);
    const expected = dotOutputShape(ins[0].shape, ins[1].shape, a);
    if (out && !sameShape(expected, out.shape)) return [`output ${out.name} has shape ${formatShape(out.shape)}, expected ${formatShape(expected)}`];
  }
  if (op.kind === 'conv' && a.kind === 'conv' && ins.length >= 2) {
    const errs = convShapeErrors(ins[0].shape, ins[1].shape, a);
    if (errs.length) return errs;
    const expected = convOutputShape(ins[0].shape, ins[1].shape, a);
    if (out && !sameShape(expected, out.shape)) return [`output ${out.name} has shape ${formatShape(out.shape)}, expected ${formatShape(expected)}`];
  }
  if (op.kind === 'reshape' && out && ins[0] && numel(ins[0].shape) !== numel(out.shape)) {
    return [`reshape changes the element count: ${formatShape(ins[0].shape)} -> ${formatShape(out.shape)}`];
  }
  if (op.kind === 'transpose' && a.kind === 'transpose' && out && ins[0]) {
    const perm = a.perm;
    const isPerm = perm.length === ins[0].shape.length && [...perm].sort((x, y) => x - y).every((d, i) => d === i);
    if (!isPerm) return [`transpose perm [${perm.join(',')}] is not a permutation of rank ${ins[0].shape.length}`];
    const expected = perm.map((d) => ins[0].shape[d]);
    if (!sameShape(expected, out.shape)) return [`output ${out.name} has shape ${formatShape(out.shape)}, expected ${formatShape(expected)}`];
  }
  if (op.kind === 'elementwise' && out) {
    const b = broadcastShapes(ins.map((t) => t.shape));
    if (!b) return [`inputs do not broadcast: ${ins.map((t) => formatShape(t.shape)).join(' vs ')}`];
    if (ins.length && !sameShape(broadcastShapes([b, out.shape]) ?? [], out.shape)) return [`output shape ${formatShape(out.shape)} is not the broadcast ${formatShape(b)} of its inputs`];
  }
  return [];
}

/** Distinguishes a real cycle (no order exists) from ops merely listed out of topological order. */
function orderError(ops: readonly Op[], producer: ReadonlyMap<string, { op: Op; index: number }>): string {
  const cycle = findCycle(ops, producer);
  if (cycle) return `cycle: ${cycle.map(opLabel).join(' -> ')}`;
  for (const [index, op] of ops.entries()) {
    for (const i of op.inputs) {
      const p = producer.get(i);
      if (p && p.index >= index) return `ops not in topological order: ${opLabel(op)} reads '${i}' before ${opLabel(p.op)} produces it`;
    }
  }
  return 'ops not in topological order';
}

function findCycle(ops: readonly Op[], producer: ReadonlyMap<string, { op: Op; index: number }>): Op[] | undefined {
  const state = new Map<string, 1 | 2>(); // 1 = on the stack, 2 = done
  const byId = new Map(ops.map((o) => [o.id, o]));
  for (const start of ops) {
    if (state.has(start.id)) continue;
    // iterative DFS over "depends on" edges (op -> producers of its inputs)
    const stack: { op: Op; next: number }[] = [{ op: start, next: 0 }];
    state.set(start.id, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (top.next >= top.op.inputs.length) {
        state.set(top.op.id, 2);
        stack.pop();
        continue;
      }
      const dep = producer.get(top.op.inputs[top.next++])?.op;
      if (!dep || !byId.has(dep.id)) continue;
      const s = state.get(dep.id);
      if (s === 1) {
        const from = stack.findIndex((f) => f.op.id === dep.id);
        return [...stack.slice(from).map((f) => f.op), dep].reverse();
      }
      if (s === undefined) {
        state.set(dep.id, 1);
        stack.push({ op: dep, next: 0 });
      }
    }
  }
  return undefined;
}

function opLabel(op: Op): string {
  return `op '${op.id}' (${op.kind} ${op.path})`;
}

function tensorLabel(t: Tensor): string {
  return t.name && t.name !== t.id ? `'${t.id}' (${t.name})` : `'${t.id}'`;
}
