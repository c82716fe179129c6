import { describe, expect, it } from 'vitest';
import { formatBandwidth, formatBytes, formatCount, formatFlops, formatPercent, formatQuantity, formatSeconds, sig3 } from './format.ts';

describe('format', () => {
  it('keeps three significant digits', () => {
    expect(sig3(2651397120)).toBe('2650000000');
    expect(sig3(1.23456)).toBe('1.23');
    expect(sig3(0.000123456)).toBe('0.000123');
    expect(sig3(100)).toBe('100');
  });
  it('formats the inspect figures of GPT-3 2.6B', () => {
    expect(formatCount(2651397120)).toBe('2.65 B');
    expect(formatCount(124439808)).toBe('124 M');
    expect(formatBytes(5302794240)).toBe('4.94 GiB');
    expect(formatFlops(17748522320265216)).toBe('17.7 PFLOP');
  });
  it('formats times, bandwidths and fractions', () => {
    expect(formatSeconds(1.2345)).toBe('1.23 s');
    expect(formatSeconds(0.0456)).toBe('45.6 ms');
    expect(formatSeconds(7.8e-6)).toBe('7.8 µs');
    expect(formatBandwidth(130e9)).toBe('130 GB/s');
    expect(formatPercent(0.074)).toBe('7.4 %');
    expect(formatBytes(512)).toBe('512 B');
  });
  it('formats a value in the unit the planner names', () => {
    expect(formatQuantity(0.0456, 's')).toBe('45.6 ms');
    expect(formatQuantity(3 * 2 ** 30, 'B')).toBe('3 GiB');
    expect(formatQuantity(125e12, 'FLOP/s')).toBe('125 TFLOP/s');
    expect(formatQuantity(3.125e9, 'B/s')).toBe('3.13 GB/s');
    expect(formatQuantity(0.25, '%')).toBe('25 %');
    expect(formatQuantity(64, 'GPUs')).toBe('64 GPUs');
    expect(formatQuantity(1.5, 'USD')).toBe('$1.50');
  });
});
