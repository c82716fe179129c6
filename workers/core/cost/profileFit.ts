/**
 * Fitting the cost model's GPU and link figures to a measured profile (profile.ts), and the check that the fitted
 * figures reproduce the measured points. Least-max-relative-error fits by coordinate descent on a few numbers:
 * the GEMM efficiency curve's knots (the preset's tiling kept, multiprocessors from the profile), the peak of
 * each other GEMM dtype, the HBM efficiency per kernel class, and the link's bus bandwidth, start-up, floor and
 * per-collective efficiencies.
 */
import { collectiveSeconds, type CollectiveKind } from './collectives.ts';
import { matmulSeconds } from './compute.ts';
import type { ComputeDType, EfficiencyCurve, GpuSpec, Link } from '../cluster/types.ts';

/** A measured GEMM under this many seconds sits on the framework's dispatch floor: left out of fits and checks. */
export const GEMM_FLOOR_SECONDS = 35e-6;
/** Memory-bound kernels under this many bytes are launch-bound: left out. */
export const BANDWIDTH_MIN_BYTES = 64 * 2 ** 20;
/** Collectives under this many bytes sit on the per-call floor: left out of the check (issue 15: over 1 MiB). */
export const COLLECTIVE_MIN_BYTES = 2 ** 20;

export interface ProfileMatmul { readonly dtype: string; readonly m: number; readonly n: number; readonly k: number; readonly s: number }
export interface ProfileBandwidth {
  readonly op: string;
  readonly mib: number;
  readonly s: number;
  readonly gbps: number;
  /** Who ran the kernel: 'torch' (a framework kernel) or 'xla' (a jax.jit fusion); absent: a framework kernel. */
  readonly framework?: string;
  /** 'back-to-back': calls dispatched without waiting, then one wait (the fit uses only such XLA rows). */
  readonly timing?: string;
}
export interface ProfileCollective { readonly op: CollectiveKind; readonly group: number; readonly bytes: number; readonly s: number }

/** One measured point against the fitted model. */
export interface FitPoint {
  readonly kind: 'matmul' | 'bandwidth' | 'collective';
  readonly label: string;
  readonly measuredSeconds: number;
  readonly predictedSeconds: number;
  readonly error: number;
  /** Why a point is not held to the bound (fitted and checked points have none). */
  readonly leftOut?: string;
}

export const DTYPE_OF: Readonly<Record<string, ComputeDType>> = { bfloat16: 'bf16', float16: 'f16', float32: 'f32', tf32: 'tf32' };
const ELEMENT_BYTES: Readonly<Record<ComputeDType, number>> = { bf16: 2, f16: 2, f32: 4, tf32: 4 };

/**
 * Minimises the largest of `errors(x)` (absolute values) over positive x by multiplicative coordinate steps. The
 * mean absolute error is added to the largest: alone, the largest moves only the coordinates that touch the worst
 * point, and coordinate descent stalls on its corners.
 */
export function minimiseMax(start: readonly number[], errors: (x: readonly number[]) => readonly number[]): number[] {
  const blended = (x: readonly number[]) => {
    const e = errors(x).map(Math.abs);
    return Math.max(...e) + e.reduce((a, b) => a + b, 0) / e.length;
  };
  const largest = (x: readonly number[]) => Math.max(...errors(x).map(Math.abs));
  // The blend first, then the largest alone from there.
  return descend(descend([...start], blended), largest);
}

function descend(x: number[], cost: (x: readonly number[]) => number): number[] {
  let best = cost(x);
  for (let step = 0.2; step > 1e-4; step /= 2) {
    for (let improved = true, rounds = 0; improved && rounds < 50; rounds++) {
      improved = false;
      for (let i = 0; i < x.length; i++) {
        for (const f of [1 + step, 1 / (1 + step)]) {
          const y = [...x];
          y[i] *= f;
          const c = cost(y);
          if (c < best - 1e-12) { best = c; x[i] = y[i]; improved = true; }
        }
      }
    }
  }
  return x;
}

const rel = (predicted: number, measured: number) => predicted / measured - 1;
const median = (xs: readonly number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

function gemmSeconds(gpu: GpuSpec, r: ProfileMatmul): number {
  const dtype = DTYPE_OF[r.dtype];
  return matmulSeconds(gpu, dtype, { batch: 1, m: r.m, n: r.n, k: r.k }, ELEMENT_BYTES[dtype]);
}

/** Why a GEMM row is not held to the fitted model, if it is not. */
export function gemmLeftOut(r: ProfileMatmul): string | undefined {
  if (!DTYPE_OF[r.dtype]) return `dtype '${r.dtype}' is not one the cost model prices`;
  if (r.s < GEMM_FLOOR_SECONDS) return `under ${GEMM_FLOOR_SECONDS * 1e6} us: the framework's dispatch floor, not the GEMM`;
  if (r.dtype === 'float32') return 'fp32 without tensor cores: runs at a flat fraction of the CUDA-core peak that the tensor-core GEMM curve does not follow';
  return undefined;
}

/** The GEMM curve (knots every half decade of FLOPs over the bf16 products above the floor), then the fp16 and
 * tf32 peaks. Needs base.matmulTiling. */
export function fitMatmul(base: GpuSpec, rows: readonly ProfileMatmul[]): GpuSpec {
  const tiling = base.matmulTiling!;
  const used = rows.filter((r) => !gemmLeftOut(r));
  // The curve from bf16 (fp16 where the profile has no bf16); fp16 and tf32 then get their own peak: on H100
  // cuBLAS's fp16 kernels run 5-25% slower than bf16 on the same shapes (h100-sxm-compute.json).
  const bf16 = used.filter((r) => r.dtype === 'bfloat16');
  const half = bf16.length ? bf16 : used.filter((r) => r.dtype === 'float16');
  if (half.length === 0) return base;
  const xs = half.map((r) => Math.log10(2 * r.m * r.n * r.k));
  // Knots inside the measured range only; outside it the curve holds its end value (curveValue clamps). A knot
  // below the smallest held GEMM was set by the few points just above it and priced every smaller GEMM: on the
  // lent H100 it came out 0.20 at 10 GFLOP (8.6 GFLOP GEMMs at 470 TFLOP/s measured, 68 us priced) and GPT-350M
  // with two micro-batches was predicted 26% slow (bench/bridge/README.md).
  const lo = Math.ceil(Math.min(...xs) * 2) / 2, hi = Math.max(Math.floor(Math.max(...xs) * 2) / 2, lo + 0.5);
  const knots: number[] = [];
  for (let x = lo; x <= hi + 1e-9; x += 0.5) knots.push(x);
  // values: the knots' efficiencies, then the per-tile K overhead in elements.
  const withCurve = (values: readonly number[]): GpuSpec => {
    const efficiency: EfficiencyCurve = { points: knots.map((x, i) => [x, Math.min(values[i], 1)] as const) };
    return { ...base, matmulTiling: { ...tiling, efficiency, kOverheadElements: values[knots.length] } };
  };
  const start = [...knots.map(() => 0.75), Math.max(tiling.kOverheadElements, 1)];
  const curve = minimiseMax(start, (v) => half.map((r) => rel(gemmSeconds(withCurve(v), r), r.s)));
  let gpu = withCurve(curve);
  for (const dtype of ['f16', 'tf32'] as const) {
    const mine = used.filter((r) => DTYPE_OF[r.dtype] === dtype);
    if (dtype === 'f16' && half !== bf16) continue;
    if (mine.length === 0) continue;
    const [scale] = minimiseMax([1], ([f]) => mine.map((r) => rel(gemmSeconds(
      { ...gpu, peakFlopsPerSecond: { ...gpu.peakFlopsPerSecond, [dtype]: gpu.peakFlopsPerSecond[dtype] * f } }, r), r.s)));
    gpu = { ...gpu, peakFlopsPerSecond: { ...gpu.peakFlopsPerSecond, [dtype]: gpu.peakFlopsPerSecond[dtype] * scale } };
  }
  return gpu;
}

/** Which efficiency of the GpuSpec prices a kernel class: layer norm the fused one, softmax its own, copies and
 * elementwise kernels the plain one; other kernels are not HBM figures. */
function efficiencyKey(op: string): 'memoryEfficiency' | 'fusedMemoryEfficiency' | 'softmaxMemoryEfficiency' | undefined {
  if (op.startsWith('layernorm')) return 'fusedMemoryEfficiency';
  if (op.startsWith('softmax')) return 'softmaxMemoryEfficiency';
  return ['copy', 'add', 'gelu'].includes(op) ? 'memoryEfficiency' : undefined;
}

const bandwidthBytes = (r: ProfileBandwidth) => r.gbps * 1e9 * r.s;

function bandwidthSeconds(gpu: GpuSpec, r: ProfileBandwidth): number {
  const key = efficiencyKey(r.op) ?? 'memoryEfficiency';
  const eff = gpu[key] ?? gpu.fusedMemoryEfficiency ?? gpu.memoryEfficiency;
  return bandwidthBytes(r) / (gpu.hbmBandwidthBytesPerSecond * eff) + gpu.launchSeconds;
}

/** HBM efficiency per kernel class from the kernels over BANDWIDTH_MIN_BYTES. */
export function fitBandwidth(base: GpuSpec, rows: readonly ProfileBandwidth[]): GpuSpec {
  let gpu = base;
  for (const key of ['memoryEfficiency', 'fusedMemoryEfficiency', 'softmaxMemoryEfficiency'] as const) {
    const mine = rows.filter((r) => efficiencyKey(r.op) === key && bandwidthBytes(r) >= BANDWIDTH_MIN_BYTES);
    if (mine.length === 0) continue;
    const guess = median(mine.map((r) => bandwidthBytes(r) / Math.max(r.s - gpu.launchSeconds, 1e-9) / gpu.hbmBandwidthBytesPerSecond));
    const [eff] = minimiseMax([guess], ([e]) => mine.map((r) => rel(bandwidthSeconds({ ...gpu, [key]: e }, r), r.s)));
    gpu = { ...gpu, [key]: eff };
  }
  return gpu;
}

const KINDS: readonly CollectiveKind[] = ['all-gather', 'reduce-scatter', 'all-to-all', 'send-recv'];

/** Why a collective row is not held to the fitted link, if it is not: small messages sit on the per-call floor;
 * a message moving fewer bytes per second than the next smaller one of the same collective and group is a
 * measurement outlier (bandwidth only grows with the message). */
export function collectiveLeftOut(r: ProfileCollective, rows: readonly ProfileCollective[]): string | undefined {
  if (r.bytes < COLLECTIVE_MIN_BYTES) return `under ${COLLECTIVE_MIN_BYTES / 2 ** 20} MiB: the per-call floor and jitter`;
  const smaller = rows.filter((x) => x.op === r.op && x.group === r.group && x.bytes < r.bytes && x.bytes >= COLLECTIVE_MIN_BYTES)
    .sort((a, b) => b.bytes - a.bytes)[0];
  if (smaller && r.bytes / r.s < 0.8 * (smaller.bytes / smaller.s)) {
    return `outlier: ${((r.bytes / r.s) / 1e9).toFixed(0)} GB/s against ${((smaller.bytes / smaller.s) / 1e9).toFixed(0)} GB/s at ${smaller.bytes} B`;
  }
  return undefined;
}

/** Bus bandwidth, start-up, floor and per-kind efficiencies of the link from the curves (all group sizes). */
export function fitLink(base: Link, rows: readonly ProfileCollective[]): Link {
  const used = rows.filter((r) => !collectiveLeftOut(r, rows));
  if (used.length === 0) return base;
  const small = rows.filter((r) => r.bytes < COLLECTIVE_MIN_BYTES).map((r) => r.s).sort((a, b) => a - b);
  const floor = small.length ? small[Math.floor(small.length / 4)] : base.floorSeconds ?? 20e-6;
  const link = (x: readonly number[]): Link => ({
    bandwidthBytesPerSecond: x[0] * 1e9, latencySeconds: x[1] * 1e-6, floorSeconds: x[2] * 1e-6,
    collectiveEfficiency: Object.fromEntries(KINDS.map((k, i) => [k, x[3 + i]])),
  });
  const start = [base.bandwidthBytesPerSecond / 1e9, Math.max(base.latencySeconds * 1e6, 1), floor * 1e6,
    ...KINDS.map((k) => base.collectiveEfficiency?.[k] ?? 1)];
  const x = minimiseMax(start, (v) => used.map((r) => rel(collectiveSeconds(r.op, r.bytes, r.group, link(v)), r.s)));
  return link(x);
}

/** Every measured point against the fitted figures; points outside the fits' ranges say why they are left out. */
export function fitPoints(gpu: GpuSpec, link: Link | undefined, m: readonly ProfileMatmul[], b: readonly ProfileBandwidth[],
  c: readonly ProfileCollective[]): FitPoint[] {
  const out: FitPoint[] = [];
  for (const r of m) {
    if (!DTYPE_OF[r.dtype]) continue;
    const p = gemmSeconds(gpu, r);
    const why = gemmLeftOut(r);
    out.push({ kind: 'matmul', label: `${r.dtype} ${r.m}x${r.n}x${r.k}`, measuredSeconds: r.s, predictedSeconds: p, error: rel(p, r.s), ...(why ? { leftOut: why } : {}) });
  }
  for (const r of b) {
    const p = bandwidthSeconds(gpu, r);
    out.push({ kind: 'bandwidth', label: `${r.op} ${r.mib} MiB`, measuredSeconds: r.s, predictedSeconds: p, error: rel(p, r.s),
      ...(!efficiencyKey(r.op) ? { leftOut: `'${r.op}' is not a kernel class the cost model prices (copy, add, gelu, softmax, layernorm)` }
        : bandwidthBytes(r) < BANDWIDTH_MIN_BYTES ? { leftOut: `moves under ${BANDWIDTH_MIN_BYTES / 2 ** 20} MiB: launch-bound` } : {}) });
  }
  for (const r of link ? c : []) {
    const p = collectiveSeconds(r.op, r.bytes, r.group, link!);
    const why = collectiveLeftOut(r, c);
    out.push({ kind: 'collective', label: `${r.op} x${r.group} ${r.bytes} B`, measuredSeconds: r.s, predictedSeconds: p, error: rel(p, r.s), ...(why ? { leftOut: why } : {}) });
  }
  return out;
}
