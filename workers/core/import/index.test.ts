import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ImportProgress } from './errors.ts';
import { checkSize, importModel, MAX_IMPORT_BYTES } from './index.ts';

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/fixtures');
const load = (f: string) => new Uint8Array(readFileSync(resolve(FIXTURES, f)));

describe('importModel: dispatch and bad input', () => {
  it('refuses a file over 2 GiB by its size alone, naming the limit (no bytes are read)', async () => {
    const size = 2 * 1024 ** 3 + 1;
    const r = await importModel('huge.onnx', { byteLength: size });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.format).toBe('onnx');
      expect(r.error.message).toMatch(/^huge\.onnx is 2\.00 GiB; the import limit is 2 GiB \(2147483648 bytes\)/);
    }
    expect(checkSize('m.mlir', MAX_IMPORT_BYTES)).toBeUndefined();
    expect(checkSize('m.mlir', MAX_IMPORT_BYTES + 1)?.format).toBe('stablehlo');
  });

  it('names a format that does not match the extension', async () => {
    const mlirAsOnnx = await importModel('model.onnx', load('stablehlo/gpt-125m.forward.mlir'));
    expect(mlirAsOnnx.ok ? undefined : mlirAsOnnx.error.message).toBe('model.onnx is named as onnx but holds MLIR text (a stablehlo file? rename it to .mlir)');
    const onnxAsMlir = await importModel('model.mlir', load('onnx/resnet50.onnx'));
    expect(onnxAsMlir.ok ? undefined : onnxAsMlir.error.message).toBe('model.mlir is named as stablehlo but holds an ONNX protobuf (a onnx file? rename it to .onnx)');
    const jsonAsOnnx = await importModel('graph.onnx', new TextEncoder().encode('{"schemaVersion": 1}'));
    expect(jsonAsOnnx.ok ? undefined : jsonAsOnnx.error.message).toMatch(/^graph\.onnx is named as onnx but holds JSON text/);
  });

  it('garbage, empty and unknown files come back as errors', async () => {
    const garbage = new Uint8Array(4096).map((_, i) => (i * 7919 + 13) % 251);
    const r1 = await importModel('x.onnx', garbage);
    expect(r1.ok ? undefined : r1.error.format).toBe('onnx');
    const r2 = await importModel('x.mlir', new Uint8Array(0));
    expect(r2.ok ? undefined : r2.error.message).toBe('x.mlir is empty');
    const r3 = await importModel('notes.txt', new TextEncoder().encode('hello world'));
    expect(r3.ok ? undefined : r3.error.message).toMatch(/unknown format/);
    const r4 = await importModel('x.mlir', new TextEncoder().encode('hello world'));
    expect(r4.ok ? undefined : [r4.error.line, r4.error.column]).toEqual([1, 1]);
  });

  it('sniffs the content when the extension says nothing, and reports progress between phases', async () => {
    const events: ImportProgress[] = [];
    const r = await importModel('exported.bin', load('stablehlo/gpt-125m.train.mlir'), {}, (p) => events.push(p));
    expect(r.ok).toBe(true);
    expect(events[0]).toEqual({ phase: 'parse', done: 0, total: 1 });
    const ops = events.filter((e) => e.phase === 'operators');
    expect(ops.length).toBeGreaterThan(2);
    expect(ops.every((e, i) => e.done <= e.total && (i === 0 || e.done >= ops[i - 1]!.done))).toBe(true);
    expect(ops[ops.length - 1]!.done).toBe(ops[ops.length - 1]!.total);
    const onnx = await importModel('resnet', load('onnx/resnet50.onnx'));
    expect(onnx.ok && onnx.graph.source).toBe('onnx:resnet');
  });
});
