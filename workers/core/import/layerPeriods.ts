/**
 * Layers of an unrolled program without names: parameters in order of first use repeat with the model's block
 * structure (ln, qkv, proj, ln, fc1, fc2 ...). The longest periodic run of parameter shapes gives the blocks; a
 * period that itself starts twice (dense block + MoE block) is cut into its blocks.
 */

const MAX_PERIOD = 96;
const MAX_OFFSET = 64;

function sameRun(sig: readonly string[], a: number, b: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (sig[a + i] !== sig[b + i]) return false;
  return true;
}

/** Block index of each parameter position (undefined outside the repeated run). */
export function blocksFromSignatures(sig: readonly string[]): (number | undefined)[] {
  const n = sig.length;
  let best = { offset: 0, period: 0, reps: 0 };
  for (let period = 1; period <= Math.min(MAX_PERIOD, Math.floor(n / 2)); period++) {
    for (let offset = 0; offset <= Math.min(MAX_OFFSET, n - 2 * period); offset++) {
      let reps = 1;
      while (offset + (reps + 1) * period <= n && sameRun(sig, offset, offset + reps * period, period)) reps++;
      if (reps >= 2 && reps * period > best.reps * best.period) best = { offset, period, reps };
    }
  }
  const out: (number | undefined)[] = new Array<number | undefined>(n).fill(undefined);
  if (best.reps < 2) return out;
  // Cut the period where its opening (at least 3 shapes, one of them a matrix) recurs: dense + MoE blocks.
  const cuts = [0];
  const open = Math.min(6, best.period);
  for (let q = 3; q + 3 <= best.period; q++) {
    const len = Math.min(open, best.period - q);
    if (len >= 3 && sameRun(sig, best.offset, best.offset + q, len) && sig.slice(best.offset, best.offset + len).some((s) => s.includes('x'))) {
      if (q - cuts[cuts.length - 1]! >= 3) cuts.push(q);
    }
  }
  for (let r = 0; r < best.reps; r++) {
    for (let q = 0; q < best.period; q++) {
      const sub = cuts.filter((c) => c <= q).length - 1;
      out[best.offset + r * best.period + q] = r * cuts.length + sub;
    }
  }
  return out;
}
