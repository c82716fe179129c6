/**
 * MilpSolver on the `highs` package (HiGHS compiled to WebAssembly). The module is loaded once per solver instance
 * and reused (loading costs 35-70 ms and the first solves run slower until V8 tiers the wasm up); after an
 * "Aborted()" it is treated as poisoned and loaded again on the next solve (tooling.md §1).
 */
import type loadHighs from 'highs';
import { nonFiniteProblem } from './finite.ts';
import type { MilpModel, MilpOptions, MilpResult, MilpSolver, MilpStatus } from './types.ts';

type HighsModule = Awaited<ReturnType<typeof loadHighs>>;
type HighsLoader = () => Promise<HighsModule>;

export interface HighsSolverOptions {
  /** Where the wasm is, e.g. `() => wasmUrl` with `import wasmUrl from 'highs/runtime?url'` in a Vite worker. */
  readonly locateFile?: (file: string) => string;
  /** Replaces the loader altogether (tests, a precompiled module). */
  readonly loader?: HighsLoader;
}

const STATUS: Readonly<Record<string, MilpStatus>> = {
  Optimal: 'optimal',
  'Time limit reached': 'time-limit',
  Infeasible: 'infeasible',
  'Primal infeasible or unbounded': 'infeasible',
};

function now(): number {
  return Date.now() / 1000;
}

export function mapHighsStatus(status: string): MilpStatus {
  return STATUS[status] ?? 'error';
}

type HighsOptions = Parameters<HighsModule['solve']>[1];

/**
 * Solves the model passed as arrays (rows in CSR order, exact doubles): the same problem the CPLEX LP text of
 * lpText.ts describes, without writing the text and HiGHS parsing it (half of a stage ILP's solve). Checked on the
 * 39 non-trivial ILPs of Llama-3-70B on 128 x 8 H100 and GPT-39B on 8 x 8 V100: identical solutions and objectives.
 */
function runModel(highs: HighsModule, model: MilpModel, options: HighsOptions): { status: MilpStatus; objective: number; values: number[]; native: string } {
  const n = model.variables.length;
  const rows = model.constraints;
  const starts = [0];
  const indices: number[] = [];
  const coefficients: number[] = [];
  for (const r of rows) {
    for (const [i, c] of r.terms) { indices.push(i); coefficients.push(c); }
    starts.push(indices.length);
  }
  const inf = (x: number) => (x === Infinity ? highs.infinity : x === -Infinity ? -highs.infinity : x);
  const hm = highs.createModel();
  try {
    hm.options.set(options as Record<string, string | number | boolean>);
    hm.passModel({
      numCols: n, numRows: rows.length,
      colCost: model.variables.map((v) => v.objective),
      colLower: model.variables.map((v) => inf(v.lowerBound)), colUpper: model.variables.map((v) => inf(v.upperBound)),
      rowLower: rows.map((r) => inf(r.lowerBound)), rowUpper: rows.map((r) => inf(r.upperBound)),
      matrix: { format: 'csr', numRows: rows.length, numCols: n, starts, indices, values: coefficients },
      integrality: model.variables.map((v) => (v.binary ? 1 : 0)),
    });
    const { modelStatus } = hm.run();
    const codes = highs.constants.modelStatus;
    const status: MilpStatus = modelStatus === codes.optimal ? 'optimal' : modelStatus === codes.timeLimit ? 'time-limit'
      : modelStatus === codes.infeasible || modelStatus === codes.unboundedOrInfeasible ? 'infeasible' : 'error';
    const native = Object.keys(codes).find((k) => codes[k as keyof typeof codes] === modelStatus) ?? String(modelStatus);
    // A time limit hit before the first incumbent leaves no primal solution.
    const hasSolution = (status === 'optimal' || status === 'time-limit') && hm.info.get('primal_solution_status') === 2;
    if (!hasSolution) return { status, objective: NaN, values: [], native };
    return { status, objective: hm.getObjectiveValue() + model.objectiveOffset, values: Array.from(hm.getSolution().colValue), native };
  } finally {
    hm.dispose();
  }
}

/** A HiGHS-backed MilpSolver. Solves run one at a time (the wasm call blocks the thread anyway). */
export function createHighsSolver(options: HighsSolverOptions = {}): MilpSolver {
  // The package is imported when first loaded: a program that never solves (the CLI's main thread, whose solves run
  // on its ILP thread) does not load its JavaScript either.
  const loader: HighsLoader = options.loader
    ?? (async () => (await import('highs')).default(options.locateFile ? { locateFile: options.locateFile } : undefined));
  let module: Promise<HighsModule> | undefined;

  async function solve(model: MilpModel, opts: MilpOptions = {}): Promise<MilpResult> {
    const start = now();
    if (model.variables.length === 0) {
      return { status: 'optimal', objective: model.objectiveOffset, values: [], solveSeconds: 0 };
    }
    const nonFinite = nonFiniteProblem(model);
    if (nonFinite) return { status: 'error', objective: NaN, values: [], solveSeconds: now() - start, message: `non-finite ILP: ${nonFinite} (a cost of the cluster or model overflowed)` };
    module ??= loader();
    let highs: HighsModule;
    try {
      highs = await module;
    } catch (err) {
      module = undefined;
      return { status: 'error', objective: NaN, values: [], solveSeconds: now() - start, message: `loading HiGHS failed: ${String(err)}` };
    }
    try {
      const { status, objective, values, native } = runModel(highs, model, {
        time_limit: opts.timeLimitSeconds ?? 60,
        mip_rel_gap: opts.mipRelGap ?? 1e-4,
        presolve: opts.presolve ? 'on' : 'off',
        output_flag: false,
      });
      return {
        status, objective, values, solveSeconds: now() - start,
        ...(status === 'error' ? { message: `HiGHS status '${native}'` } : {}),
      };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // A wasm abort leaves the module in an unknown state: load a fresh one next time.
      if (/Abort/i.test(message)) module = undefined;
      return { status: 'error', objective: NaN, values: [], solveSeconds: now() - start, message: `HiGHS failed: ${message}` };
    }
  }

  function preload(): void {
    // A failed load is reported by the next solve, which loads again.
    (module ??= loader()).catch(() => { module = undefined; });
  }

  return { solve, preload };
}
