import { describe, expect, it } from 'vitest';
import { GraphBuilder } from './builder.ts';
import type { ModelGraph, Op, Tensor } from './types.ts';
import { validateGraph } from './validate.ts';
import { zooModel } from '../zoo/index.ts';

/** x[2,4] @ w[4,3] -> y, relu(y) -> z */
function small(): ModelGraph {
  const b = new GraphBuilder({ name: 'small', source: 'test', batch: 2 });
  const x = b.input('x', [2, 4], 'f32', 0);
  const w = b.param('w', [4, 3], 'f32');
  const y = b.linear('mm', x, w);
  b.elementwise('act', 'relu', [y]);
  return b.build();
}

function errorsOf(g: Pick<ModelGraph, 'ops' | 'tensors'>): string[] {
  const r = validateGraph(g);
  return r.ok ? [] : r.errors;
}

const withOps = (g: ModelGraph, ops: Op[]) => ({ ...g, ops });
const withTensors = (g: ModelGraph, tensors: Tensor[]) => ({ ...g, tensors });

describe('validateGraph', () => {
  it('accepts good graphs, including every zoo family', () => {
    expect(validateGraph(small())).toEqual({ ok: true });
    for (const name of ['gpt-tiny', 'llama-tiny', 'moe-380M', 'wresnet-250M']) expect(validateGraph(zooModel(name, { batch: 2 }))).toEqual({ ok: true });
  });

  it('names an unknown tensor', () => {
    const g = small();
    const ops = [{ ...g.ops[0], inputs: ['t0', 'ghost'] }, g.ops[1]];
    expect(errorsOf(withOps(g, ops))).toEqual([`op 'o0' (dot mm) reads unknown tensor 'ghost'`]);
  });

  it('names the dims of a dot whose contracting dims differ', () => {
    const g = small();
    const tensors = g.tensors.map((t) => (t.name === 'w' ? { ...t, shape: [5, 3] } : t));
    expect(errorsOf(withTensors(g, tensors))).toEqual([
      `op 'o0' (dot mm): contracting dims differ: lhs[1]=4 vs rhs[0]=5 (lhs x [2,4], rhs w [5,3])`,
    ]);
  });

  it('finds a cycle and says which ops form it', () => {
    const g = small();
    // mm now also reads act's output: o0 -> o1 -> o0
    const ops = [{ ...g.ops[0], inputs: [...g.ops[0].inputs, g.ops[1].outputs[0]] }, g.ops[1]];
    const errors = errorsOf(withOps(g, ops));
    expect(errors).toEqual([`cycle: op 'o0' (dot mm) -> op 'o1' (elementwise act) -> op 'o0' (dot mm)`]);
  });

  it('distinguishes ops merely out of topological order', () => {
    const g = small();
    expect(errorsOf(withOps(g, [g.ops[1], g.ops[0]]))).toEqual([
      `ops not in topological order: op 'o1' (elementwise act) reads 't2' before op 'o0' (dot mm) produces it`,
    ]);
  });

  it('names a non-positive dim', () => {
    const g = small();
    const tensors = g.tensors.map((t) => (t.name === 'x' ? { ...t, shape: [2, 0] } : t));
    expect(errorsOf(withTensors(g, tensors))[0]).toBe(`tensor 't0' (x) has non-positive or non-integer dim 0 at axis 1 (shape [2,0])`);
  });

  it('names duplicate ids', () => {
    const g = small();
    const errors = errorsOf({ tensors: [...g.tensors, g.tensors[0]], ops: [...g.ops, { ...g.ops[1], outputs: [] }] });
    expect(errors).toContain(`duplicate tensor id 't0' (x)`);
    expect(errors).toContain(`duplicate op id 'o1' (act)`);
  });

  it('names an output produced twice', () => {
    const g = small();
    const again: Op = { ...g.ops[1], id: 'o2', inputs: [g.ops[0].outputs[0]], outputs: g.ops[1].outputs };
    expect(errorsOf(withOps(g, [...g.ops, again]))).toEqual([
      `tensor 't3' (act) is produced twice: by op 'o1' (elementwise act) and op 'o2' (elementwise act)`,
    ]);
  });

  it('names an activation nobody produces and an elementwise that does not broadcast', () => {
    const g = small();
    expect(errorsOf(withOps(g, [g.ops[1]]))).toEqual([`op 'o1' (elementwise act) reads activation 't2' (mm) that no op produces`]);
    const tensors = g.tensors.map((t) => (t.name === 'act' ? { ...t, shape: [2, 7] } : t));
    expect(errorsOf(withTensors(g, tensors))).toEqual([`op 'o1' (elementwise act): output shape [2,7] is not the broadcast [2,3] of its inputs`]);
  });

  it('names a reshape that changes the element count and a bad transpose', () => {
    const b = new GraphBuilder({ name: 'r', source: 'test', batch: 2 });
    const x = b.input('x', [2, 6], 'f32', 0);
    b.reshape('flat', x, [2, 3, 2]);
    b.transpose('t', x, [1, 0]);
    const g = b.build();
    const tensors = g.tensors.map((t) => (t.name === 'flat' ? { ...t, shape: [2, 5] } : t));
    const ops = g.ops.map((o) => (o.path === 't' ? { ...o, attrs: { kind: 'transpose' as const, perm: [0, 0] } } : o));
    expect(errorsOf({ tensors, ops })).toEqual([
      `op 'o0' (reshape flat): reshape changes the element count: [2,6] -> [2,5]`,
      `op 'o1' (transpose t): transpose perm [0,0] is not a permutation of rank 2`,
    ]);
  });
});
