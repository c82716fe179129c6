/**
 * Strategies of contraction-like ops (dot, conv, gather) from their iteration space (alpa.md §1.2, dot handler).
 * Each iteration dim appears in some operands and maybe the output; every mesh axis splits one iteration dim or
 * none. Splitting a dim the output lacks (contracted) leaves partial sums: an all-reduce on that axis. In backward,
 * an operand's gradient is partial over the axes of the dims it lacks (dA of a matmul over its n axes, dB over m).
 */
import type { DimSharding } from './types.ts';
import type { CommStep } from './resharding.ts';
import { activeAxes, axesSize, dimOfAxes, formatSpec, type MeshAxis, type MeshCtx, replicatedSpec, type Spec, specTiles } from './specs.ts';

/** b: in every operand and the output; m/n: in one operand and the output; k: contracted (not in the output). */
export type IterClass = 'b' | 'm' | 'n' | 'k';

export interface IterDim {
  readonly cls: IterClass;
  readonly size: number;
  /** Dim of each input (undefined where the input lacks it). */
  readonly inputDims: readonly (number | undefined)[];
  readonly outDim?: number;
}

export interface IterOperand {
  readonly rank: number;
  readonly bytes: number;
  /** Whether its gradient flows back through this op as an activation (not a parameter, input or constant). */
  readonly needsGrad: boolean;
}

/** A strategy of one op: what it consumes, what it produces, how far its work is split and what it communicates. */
export interface OpStrategy {
  readonly name: string;
  readonly inputSpecs: readonly Spec[];
  readonly outputSpecs: readonly Spec[];
  /** Devices the op's work is divided over: per-device compute = full compute / shardFactor. */
  readonly shardFactor: number;
  readonly forwardComm: readonly CommStep[];
  readonly backwardComm: readonly CommStep[];
  /** For iteration-space ops: how many ways each GEMM dim is split (batch dims count as 'batch'). */
  readonly gemmSplit?: { readonly batch: number; readonly m: number; readonly n: number; readonly k: number };
}

/**
 * Candidate dims for one axis: every batch dim, and per other class the first dim divisible by the axis size
 * (splitting a second m dim of the same class is the same work split with another layout).
 */
function candidates(dims: readonly IterDim[], n: number): number[] {
  const out: number[] = [];
  const seen = new Set<IterClass>();
  dims.forEach((d, i) => {
    if (d.size % n !== 0 || d.size < n) return;
    if (d.cls === 'b') out.push(i);
    else if (!seen.has(d.cls)) { seen.add(d.cls); out.push(i); }
  });
  return out;
}

export function iterationStrategies(dims: readonly IterDim[], inputs: readonly IterOperand[],
  out: { rank: number; bytes: number }, mesh: MeshCtx, training: boolean): OpStrategy[] {
  const axes = activeAxes(mesh);
  const perAxis = axes.map((a) => [-1, ...candidates(dims, mesh.shape[a])]);
  const result: OpStrategy[] = [];
  const seen = new Set<string>();
  const visit = (k: number, pick: number[]): void => {
    if (k < axes.length) {
      for (const c of perAxis[k]) visit(k + 1, [...pick, c]);
      return;
    }
    const axesOn: MeshAxis[][] = dims.map(() => []);
    pick.forEach((d, j) => { if (d >= 0) axesOn[d].push(axes[j]); });
    if (dims.some((d, i) => d.size % axesSize(axesOn[i], mesh) !== 0)) return;
    const specFor = (rank: number, dimOf: (d: IterDim) => number | undefined): Spec => {
      const s: DimSharding[] = replicatedSpec(rank).slice();
      dims.forEach((d, i) => { const x = dimOf(d); if (x !== undefined) s[x] = dimOfAxes(axesOn[i]); });
      return s;
    };
    const inputSpecs = inputs.map((inp, j) => specFor(inp.rank, (d) => d.inputDims[j]));
    const outSpec = specFor(out.rank, (d) => d.outDim);
    const name = `${formatSpec(outSpec)} = ${inputSpecs.map(formatSpec).join(' × ')}`;
    if (seen.has(name)) return;
    seen.add(name);
    const axesWhere = (pred: (d: IterDim) => boolean): MeshAxis[] =>
      dims.flatMap((d, i) => (pred(d) ? axesOn[i] : []));
    const forwardComm: CommStep[] = [];
    const kAxes = axesWhere((d) => d.outDim === undefined);
    if (kAxes.length) forwardComm.push({ kind: 'all-reduce', axes: kAxes, bytes: out.bytes / specTiles(outSpec, mesh) });
    const backwardComm: CommStep[] = [];
    if (training) {
      inputs.forEach((inp, j) => {
        if (!inp.needsGrad) return;
        const partial = axesWhere((d) => d.inputDims[j] === undefined);
        if (partial.length) backwardComm.push({ kind: 'all-reduce', axes: partial, bytes: inp.bytes / specTiles(inputSpecs[j], mesh) });
      });
    }
    const shardFactor = axesSize(pick.flatMap((d, j) => (d >= 0 ? [axes[j]] : [])), mesh);
    const split = (cls: IterClass): number => axesSize(axesWhere((d) => d.cls === cls), mesh);
    const gemmSplit = { batch: split('b'), m: split('m'), n: split('n'), k: split('k') };
    result.push({ name, inputSpecs, outputSpecs: [outSpec], shardFactor, forwardComm, backwardComm, gemmSplit });
  };
  visit(0, []);
  // On a 2-D mesh keep the strategies that use every device, plus the replicated one (Alpa's 1-D strategies on a
  // 2-D mesh are optional); fall back to all when no strategy splits over the whole mesh.
  const devices = axesSize(axes, mesh);
  const full = result.filter((r) => r.shardFactor === devices || r.shardFactor === 1);
  return axes.length === 2 && full.some((r) => r.shardFactor === devices) ? full : result;
}
