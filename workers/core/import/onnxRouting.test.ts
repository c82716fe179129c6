/** NonZero over a mixture-of-experts routing mask (onnxRouting.ts), on small hand-built models. */
import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { ModelProtoSchema, type AttributeProtoSchema, type TensorProtoSchema } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { importModel } from './index.ts';

type Init = MessageInitShape<typeof TensorProtoSchema>;
type Attrs = MessageInitShape<typeof AttributeProtoSchema>[];
const dim = (v: number) => ({ value: { case: 'dimValue' as const, value: BigInt(v) } });
const tensorType = (dims: number[]) => ({ value: { case: 'tensorType' as const, value: { elemType: 1, shape: { dim: dims.map(dim) } } } });
const node = (opType: string, input: string[], output: string[], attribute: Attrs = []) => ({ opType, name: output[0]!, input, output, attribute });
const ints = (name: string, dims: number[], values: number[]): Init => ({ name, dims: dims.map(BigInt), dataType: 7, rawData: new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer) });
const floats = (name: string, dims: number[], values: number[]): Init => ({ name, dims: dims.map(BigInt), dataType: 1, rawData: new Uint8Array(new Float32Array(values).buffer) });
const absent = (name: string, dims: number[]): Init => ({ name, dims: dims.map(BigInt), dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: 'absent.bin' }] });
const axis = (name: string, i: number) => ({ name, type: 2, i: BigInt(i) });

/** x [2, 4, 16] -> 8 tokens, a router of 4 experts, top-2; `mask` picks what NonZero reads. */
function moe(mask: 'routing' | 'scores'): Uint8Array {
  const routing = [
    node('OneHot', ['idx', 'depth', 'onoff'], ['onehot'], [axis('axis', -1)]), // [8, 2, 4]
    node('Transpose', ['onehot'], ['perm'], [{ name: 'perm', type: 7, ints: [2n, 1n, 0n] }]), // [4, 2, 8]
    node('Gather', ['perm', 'one'], ['mask'], [axis('axis', 0)]), // expert 1: [2, 8]
  ];
  const scores = [node('Greater', ['vals', 'zero'], ['mask'])]; // TopK's values, not its indices: no routing
  const nodes = [
    node('Reshape', ['x', 'tokshape'], ['xr']),
    node('MatMul', ['xr', 'gate.weight'], ['logits']),
    node('TopK', ['logits', 'k'], ['vals', 'idx'], [axis('axis', -1)]),
    ...(mask === 'routing' ? routing : scores),
    node('NonZero', ['mask'], ['nz']),
    node('Gather', ['nz', 'one'], ['tok'], [axis('axis', 0)]),
    node('Gather', ['xr', 'tok'], ['sel'], [axis('axis', 0)]),
    node('MatMul', ['sel', 'expert.w1'], ['h']),
    node('MatMul', ['h', 'expert.w2'], ['upd']),
    node('Unsqueeze', ['tok', 'ax1'], ['tok1']),
    node('Expand', ['tok1', 'row'], ['tokx']),
    node('ScatterElements', ['xr', 'tokx', 'upd'], ['y'], [axis('axis', 0), { name: 'reduction', type: 3, s: new TextEncoder().encode('add') }]),
  ];
  const initializer = [
    ints('tokshape', [2], [-1, 16]), absent('gate.weight', [16, 4]), ints('k', [1], [2]), ints('depth', [], [4]),
    floats('onoff', [2], [0, 1]), ints('one', [], [1]), floats('zero', [], [0]), absent('expert.w1', [16, 32]),
    absent('expert.w2', [32, 16]), ints('ax1', [1], [1]), ints('row', [2], [1, 16]),
  ];
  return toBinary(ModelProtoSchema, create(ModelProtoSchema, {
    irVersion: 9n,
    opsetImport: [{ domain: '', version: 17n }],
    graph: { name: 'g', input: [{ name: 'x', type: tensorType([2, 4, 16]) }], output: [{ name: 'y' }], initializer, node: nodes },
  }));
}

describe('ONNX NonZero over a routing mask', () => {
  it('one_hot(TopK indices) of one expert: tokens × top_k / experts rows, marked estimated, the assumption warned', async () => {
    const r = await importModel('moe.onnx', moe('routing'));
    if (!r.ok) throw new Error(r.error.message);
    const shape = (name: string) => r.graph.tensors.find((t) => t.name === name)!;
    expect(shape('nz').shape).toEqual([2, 4]); // 8 tokens × 2 / 4 experts
    expect(shape('nz').estimatedDims).toEqual([1]);
    expect(shape('sel').shape).toEqual([4, 16]);
    expect(shape('y').shape).toEqual([8, 16]); // ScatterElements (index_add): the data's shape
    expect(r.graph.ops.find((o) => o.name === 'h')!.flops).toBe(2 * 4 * 16 * 32);
    expect(r.warnings).toEqual(['onnx: 1 NonZero output sized by expectation, not exactly (data-dependent; dims marked estimated): nz; assumes balanced routing: 2×4×2/4 = 4 tokens per expert']);
  });

  it('a NonZero on anything else (TopK\'s values > 0) stays unknown, with the warning naming it', async () => {
    const r = await importModel('moe.onnx', moe('scores'));
    const message = r.ok ? r.warnings.join('\n') : r.error.message;
    expect(message).toMatch(/could not be inferred \(NonZero 'nz'/);
    expect(message).not.toMatch(/balanced routing/);
    if (r.ok) expect(r.graph.tensors.find((t) => t.name === 'nz')!.estimatedDims).toBeUndefined();
  });
});
