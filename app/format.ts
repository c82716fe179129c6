/**
 * The UI's format module: the only place where SI base units (bytes, seconds, flops, bytes/s) become text.
 * Three significant digits throughout, so the page's numbers can be compared with the CLI's JSON.
 */

/** n to three significant digits, without a trailing '.0'. */
export function sig3(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n === 0) return '0';
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(n))));
  const s = n.toFixed(Math.min(digits, 12));
  const p = Number(s).toPrecision(3);
  return String(Number(p));
}

function scaled(n: number, units: readonly (readonly [number, string])[], base: string): string {
  const a = Math.abs(n);
  for (const [factor, unit] of units) if (a >= factor) return `${sig3(n / factor)} ${unit}`;
  return `${sig3(n)}${base ? ` ${base}` : ''}`;
}

/** A count: 2.65 B, 124 M, 12.3 k. */
export function formatCount(n: number): string {
  return scaled(n, [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'k']], '');
}

/** Bytes in binary units: 10.7 GiB, 512 MiB. */
export function formatBytes(bytes: number): string {
  return scaled(bytes, [[2 ** 40, 'TiB'], [2 ** 30, 'GiB'], [2 ** 20, 'MiB'], [2 ** 10, 'KiB']], 'B');
}

/** FLOPs: 17.7 PFLOP. */
export function formatFlops(flops: number): string {
  return scaled(flops, [[1e18, 'EFLOP'], [1e15, 'PFLOP'], [1e12, 'TFLOP'], [1e9, 'GFLOP'], [1e6, 'MFLOP']], 'FLOP');
}

/** Seconds: 1.23 s, 45.6 ms, 7.8 µs. */
export function formatSeconds(seconds: number): string {
  const a = Math.abs(seconds);
  if (a >= 1 || a === 0) return `${sig3(seconds)} s`;
  if (a >= 1e-3) return `${sig3(seconds * 1e3)} ms`;
  if (a >= 1e-6) return `${sig3(seconds * 1e6)} µs`;
  return `${sig3(seconds * 1e9)} ns`;
}

/** Bandwidth: 130 GB/s (decimal, as vendors quote links). */
export function formatBandwidth(bytesPerSecond: number): string {
  return scaled(bytesPerSecond, [[1e12, 'TB/s'], [1e9, 'GB/s'], [1e6, 'MB/s']], 'B/s');
}

/** TFLOP/s from FLOP/s-free figures already in TFLOP/s. */
export function formatTflops(tflops: number): string {
  return `${sig3(tflops)} TFLOP/s`;
}

export function formatPercent(fraction: number): string {
  return `${sig3(fraction * 100)} %`;
}

/** Gbit/s <-> bytes/s for the inter-node link field (NICs are sold in Gbit/s). */
export const gbitToBytesPerSecond = (gbit: number): number => (gbit * 1e9) / 8;
export const bytesPerSecondToGbit = (bytesPerSecond: number): number => (bytesPerSecond * 8) / 1e9;

/** A value in the unit the planner names it in (workers/core/whatif TermUnit and Figure units). */
export function formatQuantity(value: number, unit: string): string {
  switch (unit) {
    case 's': return formatSeconds(value);
    case 'B': return formatBytes(value);
    case 'FLOP': return formatFlops(value);
    case 'FLOP/s': return formatTflops(value / 1e12);
    case 'B/s': return formatBandwidth(value);
    case 'USD': return `$${value >= 1 ? value.toFixed(2) : sig3(value)}`;
    case 'USD/h': return `$${sig3(value)}/h`;
    case 'USD/Mtok': return `$${sig3(value)} per M tokens`;
    case '%': return formatPercent(value);
    case '1': return sig3(value);
    default: return `${value >= 1e4 ? formatCount(value) : sig3(value)} ${unit}`;
  }
}
