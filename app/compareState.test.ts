import { describe, expect, it } from 'vitest';
import { addNode } from './cluster/edit.ts';
import { columnsFragment, decodeColumns, encodeColumns, initialColumns, loadView, saveColumns, saveView } from './compareState.ts';
import { defaultScenario, initialScenario } from './persist.ts';
import { encodeScenario, shareUrl, toBase64Url } from './scenario.ts';
import { createAppStore } from './store/store.ts';

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
}

const twoNodes = { ...defaultScenario(), cluster: addNode(defaultScenario().cluster) };

describe('compared scenarios', () => {
  it('round-trip with their prices, and a malformed column spoils the set', () => {
    const cols = [{ scenario: defaultScenario() }, { scenario: twoNodes, pricePerGpuHour: 3.06 }];
    expect(decodeColumns(encodeColumns(cols))).toEqual(cols);
    expect(decodeColumns(toBase64Url(JSON.stringify({ v: 1, columns: [{ scenario: { model: { kind: 'zoo' } } }] })))).toBeUndefined();
    expect(decodeColumns('%%%')).toBeUndefined();
    // A negative or non-numeric price is dropped, the column kept.
    const odd = toBase64Url(JSON.stringify({ v: 1, columns: [{ scenario: twoNodes, pricePerGpuHour: -1 }] }));
    expect(decodeColumns(odd)).toEqual([{ scenario: twoNodes }]);
  });
  it('travel in the share URL beside the scenario; an old URL (no c=) still decodes its scenario', () => {
    const storage = memoryStorage();
    const cols = [{ scenario: defaultScenario() }, { scenario: twoNodes, pricePerGpuHour: 2 }];
    const url = new URL(shareUrl('http://127.0.0.1:4181/', twoNodes, columnsFragment(cols)));
    expect(initialColumns(url.hash, storage)).toEqual({ columns: cols, from: 'url' });
    expect(initialScenario(url.hash, storage)).toEqual({ scenario: twoNodes, from: 'url' });
    const old = `#s=${encodeScenario(twoNodes)}`;
    expect(initialScenario(old, storage).scenario).toEqual(twoNodes);
    expect(initialColumns(old, storage)).toEqual({ columns: [], from: 'none' });
    expect(columnsFragment([])).toEqual({});
  });
  it('are kept in storage, and so is the view', () => {
    const storage = memoryStorage();
    saveColumns(storage, [{ scenario: twoNodes }]);
    expect(initialColumns('', storage)).toEqual({ columns: [{ scenario: twoNodes }], from: 'storage' });
    saveColumns(storage, []);
    expect(initialColumns('', storage).from).toBe('none');
    expect(loadView(storage)).toBe('plan');
    saveView(storage, 'sweep');
    expect(loadView(storage)).toBe('sweep');
    storage.setItem('meshplan.view', 'bogus');
    expect(loadView(storage)).toBe('plan');
  });
});

describe('compare slice', () => {
  it('adds up to four columns with fresh ids, edits and removes them, and drops a removed column\'s run', () => {
    const store = createAppStore(defaultScenario(), 'light');
    const s = () => store.getState();
    const ids = [1, 2, 3, 4, 5].map(() => s().addColumn(defaultScenario()));
    expect(ids).toEqual(['c1', 'c2', 'c3', 'c4', undefined]);
    s().setColumnRun(ids[1]!, { kind: 'failed', key: 'k', reason: 'x' });
    s().editColumn(ids[1]!, (c) => ({ ...c, pricePerGpuHour: 3 }));
    expect(s().columns[1].pricePerGpuHour).toBe(3);
    s().removeColumn(ids[1]!);
    expect(s().columns.map((c) => c.id)).toEqual(['c1', 'c3', 'c4']);
    expect(s().columnRuns).toEqual({});
    expect(s().addColumn(twoNodes)).toBe('c5');
  });
});
