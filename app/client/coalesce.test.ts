import { describe, expect, it } from 'vitest';
import { coalesce } from './coalesce.ts';

describe('progress coalescing', () => {
  it('applies the latest value per key once per interval, and forgets dropped keys', () => {
    const timers: (() => void)[] = [];
    const batches: [string, number][][] = [];
    const c = coalesce<string, number>((b) => batches.push([...b]), 250, { set: (f) => timers.push(f) });
    c.push('a', 1);
    c.push('a', 2);
    c.push('b', 5);
    expect(timers).toHaveLength(1);
    c.drop('b');
    timers.shift()!();
    expect(batches).toEqual([[['a', 2]]]);
    c.push('b', 6);
    expect(timers).toHaveLength(1);
    timers.shift()!();
    expect(batches).toEqual([[['a', 2]], [['b', 6]]]);
    c.push('c', 1);
    c.clear();
    timers.shift()!();
    expect(batches).toHaveLength(2);
  });
});
