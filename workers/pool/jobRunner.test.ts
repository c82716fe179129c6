import { describe, expect, it } from 'vitest';
import { createJobRunner } from './jobRunner.ts';

describe('job runner', () => {
  it('runs jobs one at a time in the order they arrive, past a failing one', async () => {
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const runner = createJobRunner({
      slow: async () => async (input: string) => { log.push(`start ${input}`); await gate; log.push(`end ${input}`); return input; },
      fast: async () => (input: string) => { log.push(`run ${input}`); return input; },
      fail: async () => () => { log.push('fail'); throw new RangeError('no'); },
    });
    const a = runner.run('slow', 'a');
    const b = runner.run('fail', null);
    const c = runner.run('fast', 'c');
    await new Promise((r) => setTimeout(r, 10));
    expect(log).toEqual(['start a']); // the later jobs wait for the first, though they do not await anything
    release();
    await expect(a).resolves.toBe('a');
    await expect(b).rejects.toThrow('no');
    await expect(c).resolves.toBe('c');
    expect(log).toEqual(['start a', 'end a', 'fail', 'run c']);
  });
});
