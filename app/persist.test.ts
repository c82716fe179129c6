import { describe, expect, it } from 'vitest';
import { addNode, presetByLabel } from './cluster/edit.ts';
import { defaultScenario, initialScenario, loadFileGraph, saveFileGraph, saveScenario } from './persist.ts';
import { decodeScenario, decodeScenarioChecked, encodeScenario, shareUrl, toBase64Url } from './scenario.ts';

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
  it('encodes a 16,384-GPU cluster as runs of nodes; older links with every node still open; too many nodes are refused', () => {
    const s = { ...defaultScenario(), cluster: presetByLabel('DGX-H100 SuperPOD x2048 (16,384 GPUs)') };
    const encoded = encodeScenario(s);
    expect(encoded.length).toBeLessThan(1500);
    expect(encodeScenario({ ...s })).toBe(encoded);
    const back = decodeScenario(encoded);
    expect(back?.cluster.nodes).toHaveLength(2048);
    expect(back).toEqual(s);
    const withNodes = toBase64Url(JSON.stringify({ v: 1, ...s }));
    expect(decodeScenario(withNodes)).toEqual(s);
    const node = s.cluster.nodes[0];
    const { nodes: _n, ...rest } = s.cluster;
    const bomb = toBase64Url(JSON.stringify({ v: 1, ...s, cluster: { ...rest, nodeRuns: [[node, 2048], [node, 1]] } }));
    expect(decodeScenarioChecked(bomb)).toEqual({ ok: false, reason: expect.stringMatching(/^cluster: cluster nodes must be .*2048/) });
    const broken = toBase64Url(JSON.stringify({ v: 1, ...s, cluster: { ...rest, nodeRuns: [[node, 0]] } }));
    expect(decodeScenarioChecked(broken)).toEqual({ ok: false, reason: 'cluster: nodeRuns must be [node, count] pairs with counts >= 1' });
  });
  it('keeps an opened file graph by name', () => {
    const storage = memoryStorage();
    const graph = { schemaVersion: 1, name: 'g', source: 'onnx:g.onnx', batch: 1, tensors: [], ops: [], training: null } as const;
    expect(saveFileGraph(storage, 'g.onnx', graph)).toBe(true);
    expect(loadFileGraph(storage, 'g.onnx')).toEqual(graph);
    expect(loadFileGraph(storage, 'other.onnx')).toBeUndefined();
  });
});
