import loadHighs from 'highs';
import { describe, expect, it } from 'vitest';
import { createHighsSolver, mapHighsStatus } from './highs.ts';
import { toLpText } from './lpText.ts';
import type { MilpModel } from './types.ts';

const knapsack: MilpModel = {
  objectiveOffset: 0.5,
  variables: [
    { name: 'a', lowerBound: 0, upperBound: 1, binary: true, objective: -3 },
    { name: 'b', lowerBound: 0, upperBound: 1, binary: true, objective: -2 },
    { name: 'c', lowerBound: 0, upperBound: 1, binary: true, objective: -4 },
  ],
  constraints: [{ name: 'cap', terms: [[0, 2], [1, 1], [2, 3]], lowerBound: -Infinity, upperBound: 4 }],
};

describe('HiGHS solver', () => {
  it('solves a small MILP to optimality, offset included', async () => {
    const r = await createHighsSolver().solve(knapsack, { mipRelGap: 0 });
    expect(r.status).toBe('optimal');
    expect(r.objective).toBeCloseTo(-6 + 0.5, 9);
    expect(r.values.map(Math.round)).toEqual([0, 1, 1]);
  });

  it('maps infeasibility to a status, not a throw', async () => {
    const model: MilpModel = { ...knapsack, constraints: [...knapsack.constraints, { name: 'all', terms: [[0, 1], [1, 1], [2, 1]], lowerBound: 3, upperBound: 3 }] };
    const r = await createHighsSolver().solve(model);
    expect(r.status).toBe('infeasible');
    expect(r.values).toEqual([]);
    expect(mapHighsStatus('Time limit reached')).toBe('time-limit');
    expect(mapHighsStatus('Solve error')).toBe('error');
  });

  it('a time limit hit before any incumbent returns no solution', async () => {
    // 60 binaries under a knapsack row and a cardinality row: no incumbent within a microsecond
    const n = 60;
    const model: MilpModel = {
      objectiveOffset: 0,
      variables: Array.from({ length: n }, (_, i) => ({ name: `x${i}`, lowerBound: 0, upperBound: 1, binary: true, objective: -((i * 7919) % 97) - 1 })),
      constraints: [
        { name: 'w', terms: Array.from({ length: n }, (_, i) => [i, ((i * 104729) % 89) + 10] as const), lowerBound: -Infinity, upperBound: 1000 },
        { name: 'e', terms: Array.from({ length: n }, (_, i) => [i, 2] as const), lowerBound: 31, upperBound: 61 },
      ],
    };
    const r = await createHighsSolver().solve(model, { timeLimitSeconds: 1e-6 });
    expect(r.status).toBe('time-limit');
    expect(r.values).toEqual([]);
    expect(r.objective).toBeNaN();
  });

  it('loads the module once, and again after an Aborted() poisoned it', async () => {
    let loads = 0;
    let abortNext = true;
    const solver = createHighsSolver({
      loader: async () => {
        loads++;
        const real = await loadHighs();
        return {
          ...real,
          createModel: (...args: Parameters<typeof real.createModel>) => {
            if (abortNext) { abortNext = false; throw new Error('RuntimeError: Aborted()'); }
            return real.createModel(...args);
          },
        } as typeof real;
      },
    });
    const first = await solver.solve(knapsack);
    expect(first.status).toBe('error');
    expect(first.message).toContain('Aborted');
    const second = await solver.solve(knapsack);
    const third = await solver.solve(knapsack);
    expect([second.status, third.status]).toEqual(['optimal', 'optimal']);
    expect(loads).toBe(2);
  });

  it('solves the arrays as HiGHS solves the LP text', async () => {
    const bounded: MilpModel = {
      objectiveOffset: 2,
      variables: [...knapsack.variables, { name: 'y', lowerBound: -1, upperBound: 2.5, binary: false, objective: 1.25 }],
      constraints: [...knapsack.constraints, { name: 'link', terms: [[3, 1], [0, -1]], lowerBound: -0.5, upperBound: Infinity }],
    };
    const text = (await loadHighs()).solve(toLpText(bounded), { mip_rel_gap: 0, presolve: 'off', output_flag: false });
    const r = await createHighsSolver().solve(bounded, { mipRelGap: 0 });
    expect(r.status).toBe('optimal');
    expect(r.objective).toBeCloseTo(text.ObjectiveValue + 2, 12);
    expect(r.values).toEqual(bounded.variables.map((v) => (text.Columns as Record<string, { Primal: number }>)[v.name].Primal));
    expect(r.values).toEqual([0, 1, 1, -0.5]);
  });

  it('writes CPLEX LP text with bounds and binaries', () => {
    expect(toLpText(knapsack)).toBe([
      'Minimize', ' obj: - 3 a - 2 b - 4 c', 'Subject To', ' cap: 2 a + b + 3 c <= 4', 'Bounds', 'Binary', ' a b c', 'End', '',
    ].join('\n'));
  });
});

describe('non-finite models', () => {
  it('are refused before HiGHS, naming the variable or row', async () => {
    const { createHighsSolver } = await import('./highs.ts');
    const x = { name: 'x', lowerBound: 0, upperBound: 1, binary: true, objective: 1 };
    const solver = createHighsSolver();
    const nan = await solver.solve({ variables: [{ ...x, objective: NaN }], constraints: [], objectiveOffset: 0 });
    expect([nan.status, nan.message]).toEqual(['error', 'non-finite ILP: variable x has objective coefficient NaN (a cost of the cluster or model overflowed)']);
    const inf = await solver.solve({ variables: [x], constraints: [{ name: 'r0', terms: [[0, Infinity]], lowerBound: 1, upperBound: Infinity }], objectiveOffset: 0 });
    expect(inf.message).toBe('non-finite ILP: row r0 has coefficient Infinity (a cost of the cluster or model overflowed)');
  });
});
