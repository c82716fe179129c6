import { describe, expect, it } from 'vitest';
import { addNode } from './cluster/edit.ts';
import { defaultScenario, initialScenario, loadFileGraph, saveFileGraph, saveScenario } from './persist.ts';
import { decodeScenario, encodeScenario, shareUrl } from './scenario.ts';

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
}

describe('scenario persistence', () => {
  it('starts from the default, then from what was kept, and a shared URL wins', () => {
    const storage = memoryStorage();
    expect(initialScenario('', storage)).toEqual({ scenario: defaultScenario(), from: 'default' });
    const edited = { ...defaultScenario(), cluster: addNode(defaultScenario().cluster), options: { ...defaultScenario().options, globalBatch: 512 } };
    saveScenario(storage, edited);
    expect(initialScenario('', storage)).toEqual({ scenario: edited, from: 'storage' });
    const shared = { ...defaultScenario(), model: { kind: 'zoo' as const, name: 'gpt-39B' } };
    const url = shareUrl('http://127.0.0.1:4173/', shared);
    expect(initialScenario(new URL(url).hash, storage)).toEqual({ scenario: shared, from: 'url' });
  });
  it('round-trips names with any characters and rejects malformed text', () => {
    const s = { ...defaultScenario(), model: { kind: 'file' as const, name: 'модель <b>x</b>.onnx' } };
    expect(decodeScenario(encodeScenario(s))).toEqual(s);
    // A zoo model built at another sequence length (an opened seq-sweep point) keeps it; a seq out of range is dropped.
    const longer = { ...s, model: { kind: 'zoo' as const, name: 'gpt-6.7B', seq: 4096 } };
    expect(decodeScenario(encodeScenario(longer))).toEqual(longer);
    expect(decodeScenario(encodeScenario({ ...s, model: { kind: 'zoo', name: 'gpt-6.7B', seq: -1 } }))?.model).toEqual({ kind: 'zoo', name: 'gpt-6.7B' });
    expect(decodeScenario('not-base64!')).toBeUndefined();
    expect(decodeScenario(btoa(JSON.stringify({ v: 1, model: { kind: 'zoo' } })))).toBeUndefined();
  });
  it('keeps an opened file graph by name', () => {
    const storage = memoryStorage();
    const graph = { schemaVersion: 1, name: 'g', source: 'onnx:g.onnx', batch: 1, tensors: [], ops: [], training: null } as const;
    expect(saveFileGraph(storage, 'g.onnx', graph)).toBe(true);
    expect(loadFileGraph(storage, 'g.onnx')).toEqual(graph);
    expect(loadFileGraph(storage, 'other.onnx')).toBeUndefined();
  });
});
