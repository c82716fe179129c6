import { describe, expect, it } from 'vitest';
import { parseCapacityFactor, parseExpertParallel, parseGlobalBatch, parseMicrobatches } from './optionFields.ts';

describe('plan option fields', () => {
  it('expert parallel: auto, a degree up to the experts, or why not', () => {
    expect(parseExpertParallel(' Auto ', 8)).toEqual({ ok: true, value: 0 });
    expect(parseExpertParallel('', 8)).toEqual({ ok: true, value: 0 });
    expect(parseExpertParallel('4', 8)).toEqual({ ok: true, value: 4 });
    expect(parseExpertParallel('16', 8)).toEqual({ ok: false, reason: 'expert parallel: 16 is out of range; it must be a whole number from 1 to 8 (the model\'s experts), or auto' });
    expect(parseExpertParallel('two', 8)).toEqual({ ok: false, reason: 'expert parallel: \'two\' is not a number (the model\'s experts), or auto' });
  });
  it('capacity factor in (0, 16]', () => {
    expect(parseCapacityFactor('1.5')).toEqual({ ok: true, value: 1.5 });
    expect(parseCapacityFactor('0')).toEqual({ ok: false, reason: 'capacity factor: 0 is out of range; it must be above 0 and at most 16 (expert capacity over routed tokens)' });
    expect(parseCapacityFactor('1e400').ok).toBe(false);
  });
  it('micro-batches divide the global batch; the global batch is whole and in range', () => {
    expect(parseMicrobatches('8', 32)).toEqual({ ok: true, value: 8 });
    expect(parseMicrobatches('7', 32)).toEqual({ ok: false, reason: 'micro-batches: 7 does not divide the global batch 32' });
    expect(parseMicrobatches('0', 32)).toEqual({ ok: false, reason: 'micro-batches: 0 is out of range; it must be a whole number from 1 to 4,096' });
    expect(parseGlobalBatch('2.5')).toEqual({ ok: false, reason: 'global batch: 2.5 is out of range; it must be a whole number from 1 to 16,777,216' });
  });
});
