/**
 * MilpSolver on the `highs` package (HiGHS compiled to WebAssembly). The module is loaded once per solver instance
 * and reused (loading costs 35-70 ms and the first solves run slower until V8 tiers the wasm up); after an
 * "Aborted()" it is treated as poisoned and loaded again on the next solve (tooling.md §1).
 */
import loadHighs from 'highs';
import { toLpText } from './lpText.ts';
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

/** A HiGHS-backed MilpSolver. Solves run one at a time (the wasm call blocks the thread anyway). */
export function createHighsSolver(options: HighsSolverOptions = {}): MilpSolver {
  const loader: HighsLoader = options.loader
    ?? (() => loadHighs(options.locateFile ? { locateFile: options.locateFile } : undefined));
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
    const lp = toLpText(model);
    try {
      const sol = highs.solve(lp, {
        time_limit: opts.timeLimitSeconds ?? 60,
        mip_rel_gap: opts.mipRelGap ?? 1e-4,
        presolve: opts.presolve ? 'on' : 'off',
        output_flag: false,
      });
      const status = mapHighsStatus(sol.Status);
      const cols = sol.Columns as Record<string, { Primal?: number }>;
      // A time limit hit before the first incumbent reports an infinite objective and zero columns.
      const hasSolution = (status === 'optimal' || status === 'time-limit') && Number.isFinite(sol.ObjectiveValue)
        && model.variables.every((v) => typeof cols[v.name]?.Primal === 'number');
      const values = hasSolution ? model.variables.map((v) => cols[v.name].Primal as number) : [];
      const objective = hasSolution ? sol.ObjectiveValue + model.objectiveOffset : NaN;
      return {
        status: status === 'time-limit' && !hasSolution ? 'time-limit' : status,
        objective, values, solveSeconds: now() - start,
        ...(status === 'error' ? { message: `HiGHS status '${sol.Status}'` } : {}),
      };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // A wasm abort leaves the module in an unknown state: load a fresh one next time.
      if (/Abort/i.test(message)) module = undefined;
      return { status: 'error', objective: NaN, values: [], solveSeconds: now() - start, message: `HiGHS failed: ${message}` };
    }
  }

  return { solve };
}
