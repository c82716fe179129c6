import { describe, expect, it } from 'vitest';
import { partProgress, progressLine, terminalProgress } from './progress.ts';

describe('CLI search progress', () => {
  it('writes one rewritten line on a terminal and clears it when the search ends', () => {
    const out: string[] = [];
    const t = terminalProgress({ isTTY: true, write: (s: string) => out.push(s) });
    t.onProgress!({ phase: 'stage costs', done: 41, total: 63 });
    t.onProgress!({ phase: 'stage DP', done: 0, total: 0 });
    t.done();
    expect(out).toEqual(['\rstage costs 41/63\x1b[K', '\rstage DP\x1b[K', '\r\x1b[K']);
  });
  it('stays silent when stderr is piped, so an error is still one line', () => {
    const out: string[] = [];
    const t = terminalProgress({ isTTY: false, write: (s: string) => out.push(s) });
    expect(t.onProgress).toBeUndefined();
    t.done();
    expect(out).toEqual([]);
    expect(progressLine({ phase: 'baseline seeds', done: 3, total: 9 })).toBe('baseline seeds 3/9');
  });
  it('writes one line per update on a pipe when MESHPLAN_PROGRESS=1 forces it, each part named', () => {
    const out: string[] = [];
    const t = terminalProgress({ isTTY: false, write: (s: string) => out.push(s) }, true);
    const part = partProgress(t.onProgress, 'inter-gbps=25 (2/6)')!;
    part({ phase: 'Meshplan: stage costs', done: 4, total: 63 });
    t.done();
    expect(out).toEqual(['inter-gbps=25 (2/6): Meshplan: stage costs 4/63\n']);
    expect(partProgress(undefined, 'x')).toBeUndefined();
  });
});
