import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ModelGraph } from '../ir/types.ts';
import { importModel } from './index.ts';
import { graphJsonSchema, graphToJson } from './json.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURES = resolve(HERE, '../../../../shared/fixtures');
const SCHEMA_FILE = resolve(HERE, '../../../public/meshplan-graph.schema.json');
const bytes = (s: string) => new TextEncoder().encode(s);

async function fixtureGraph(file: string): Promise<ModelGraph> {
  const r = await importModel(file.replace(/^.*\//, ''), new Uint8Array(readFileSync(resolve(FIXTURES, file))));
  if (!r.ok) throw new Error(r.error.message);
  return r.graph;
}

function tinyGraph(): ModelGraph {
  return {
    schemaVersion: 1, name: 'tiny', source: 'test', batch: 2, training: null,
    tensors: [
      { id: 'x', name: 'x', shape: [2, 4], dtype: 'f32', kind: 'input', batchDim: 0 },
      { id: 'w', name: 'w', shape: [4, 4], dtype: 'f32', kind: 'parameter' },
      { id: 'y', name: 'y', shape: [2, 4], dtype: 'f32', kind: 'activation', batchDim: 0 },
      { id: 'z', name: 'z', shape: [2, 4], dtype: 'f32', kind: 'activation', batchDim: 0 },
    ],
    ops: [
      { id: 'a', name: 'mm', kind: 'dot', inputs: ['x', 'w'], outputs: ['y'], attrs: { kind: 'dot', lhsBatch: [], rhsBatch: [], lhsContract: [1], rhsContract: [0] }, flops: 64, bytesRead: 96, bytesWritten: 32, path: 'tiny/h.0/mm', phase: 'forward' },
      { id: 'b', name: 'act', kind: 'elementwise', inputs: ['y'], outputs: ['z'], attrs: { kind: 'elementwise', fn: 'relu' }, flops: 8, bytesRead: 32, bytesWritten: 32, path: 'tiny/h.0/act', phase: 'forward' },
    ],
  };
}

describe('Meshplan graph JSON (schemaVersion 1)', () => {
  it('round-trips imported fixtures exactly (ONNX and a StableHLO training step)', async () => {
    for (const file of ['onnx/resnet50.onnx', 'stablehlo/gshard-moe-380m.train.mlir']) {
      const g = await fixtureGraph(file);
      const json = graphToJson(g);
      const back = await importModel('graph.json', bytes(json));
      if (!back.ok) throw new Error(back.error.message);
      expect(back.graph).toStrictEqual(g);
      expect(graphToJson(back.graph)).toBe(json);
    }
  });

  it('rejects a cycle, naming the ops on it', async () => {
    const g = tinyGraph();
    const cyclic = { ...g, ops: [{ ...g.ops[0]!, inputs: ['x', 'z'] }, g.ops[1]!] };
    const r = await importModel('cyclic.json', bytes(JSON.stringify(cyclic)));
    expect(r.ok ? undefined : r.error.message).toBe('the graph has a cycle: a -> b -> a');
  });

  it('rejects unknown tensor references, unknown fields and other schema versions with where they are', async () => {
    const g = tinyGraph();
    const unknownRef = { ...g, ops: [g.ops[0]!, { ...g.ops[1]!, inputs: ['nope'] }] };
    const r1 = await importModel('g.json', bytes(JSON.stringify(unknownRef)));
    expect(r1.ok ? undefined : [r1.error.message, r1.error.node]).toEqual(["op 'b' (act) refers to unknown tensor 'nope'", 'b']);
    const r2 = await importModel('g.json', bytes(JSON.stringify({ ...g, schemaVersion: 2 })));
    expect(r2.ok ? undefined : r2.error.message).toMatch(/^not a Meshplan graph: schemaVersion: .*\(schemaVersion 2 is not supported; this version reads 1\)$/);
    const r3 = await importModel('g.json', bytes(JSON.stringify({ ...g, tensors: [{ ...g.tensors[0]!, shape: [2, -4] }, ...g.tensors.slice(1)] })));
    expect(r3.ok ? undefined : r3.error.node).toBe('tensors.0.shape.1');
    const r4 = await importModel('g.json', bytes('{"schemaVersion": 1, "ops": ['));
    expect(r4.ok ? undefined : r4.error.message).toMatch(/^g\.json is not valid JSON/);
  });

  it('keeps names with markup as plain text, unescaped', async () => {
    const g = tinyGraph();
    const markup = '<img src=x onerror="alert(1)"> & <b>mm</b>';
    const withMarkup = { ...g, name: markup, ops: [{ ...g.ops[0]!, name: markup, path: `tiny/h.0/${markup}` }, g.ops[1]!] };
    const r = await importModel('m.json', bytes(JSON.stringify(withMarkup)));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.graph.name).toBe(markup);
    expect(r.graph.ops[0]!.name).toBe(markup);
  });

  it('public/meshplan-graph.schema.json is generated from the zod schema and up to date', () => {
    const schema = graphJsonSchema();
    // UPDATE_SCHEMA=1 npx vitest run workers/core/import/json.test.ts regenerates the file.
    if (process.env.UPDATE_SCHEMA) writeFileSync(SCHEMA_FILE, `${JSON.stringify(schema, null, 2)}\n`);
    expect(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'))).toEqual(schema);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect((schema.properties as Record<string, unknown>).schemaVersion).toEqual({ type: 'number', const: 1 });
  });
});
