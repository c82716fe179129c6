/**
 * A plain mixed-integer linear program (minimisation) and the solver boundary. The ILP builders emit this model;
 * tests read it as LP text (lpText.ts) without solving; HiGHS (highs.ts) solves it.
 */

export interface MilpVariable {
  readonly name: string;
  readonly lowerBound: number;
  /** Infinity for unbounded. */
  readonly upperBound: number;
  /** Binary variables are integers in [0, 1]; lowerBound/upperBound are then 0 and 1. */
  readonly binary: boolean;
  /** Objective coefficient (minimised). */
  readonly objective: number;
}

export interface MilpConstraint {
  readonly name: string;
  /** [variable index, coefficient] pairs. */
  readonly terms: readonly (readonly [number, number])[];
  /** -Infinity when the row has no lower bound. */
  readonly lowerBound: number;
  /** Infinity when the row has no upper bound. */
  readonly upperBound: number;
}

export interface MilpModel {
  readonly variables: readonly MilpVariable[];
  readonly constraints: readonly MilpConstraint[];
  /** Constant added to the objective. */
  readonly objectiveOffset: number;
}

export interface MilpOptions {
  /** Wall-clock limit of the solve; default 60 s. */
  readonly timeLimitSeconds?: number;
  /** Relative MIP gap at which the solve stops; default 1e-4. */
  readonly mipRelGap?: number;
  /** HiGHS presolve; default off (faster on this ILP family and time limits then hold, tooling.md §1). */
  readonly presolve?: boolean;
}

export type MilpStatus = 'optimal' | 'time-limit' | 'infeasible' | 'error';

export interface MilpResult {
  readonly status: MilpStatus;
  /** Objective of the returned solution including the offset; NaN when there is none. */
  readonly objective: number;
  /** Value per variable (model order); empty when no solution was found. */
  readonly values: readonly number[];
  /** Wall time of the solve call (passing the model to the solver included). */
  readonly solveSeconds: number;
  readonly message?: string;
}

export interface MilpSolver {
  solve(model: MilpModel, options?: MilpOptions): Promise<MilpResult>;
  /** Starts loading the solver now, so that it compiles while the caller does other work (else on the first solve). */
  preload?(): void;
}
