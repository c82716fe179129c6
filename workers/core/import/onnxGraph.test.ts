/** Graph-level ONNX rules on small hand-built models: If with a constant condition, tied weights by content. */
import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { ModelProtoSchema, type AttributeProtoSchema, type GraphProtoSchema, type TensorProtoSchema } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { inspectGraph } from '../ir/inspect.ts';
import { importModel } from './index.ts';

type Init = MessageInitShape<typeof TensorProtoSchema>;
type Attrs = MessageInitShape<typeof AttributeProtoSchema>[];
const dim = (v: number) => ({ value: { case: 'dimValue' as const, value: BigInt(v) } });
const tensorType = (dims: number[], elemType = 1) => ({ value: { case: 'tensorType' as const, value: { elemType, shape: { dim: dims.map(dim) } } } });
const node = (opType: string, input: string[], output: string, attribute: Attrs = []) => ({ opType, name: output, input, output: [output], attribute });
const absent = (name: string, dims: number[]): Init => ({ name, dims: dims.map(BigInt), dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: 'absent.bin'}] });
const floats = (name: string, dims: number[], values: number[]): Init => ({ name, dims: dims.map(BigInt), dataType: 1, rawData: new Uint8Array(new Float32Array(values).buffer) });

function model(input: { name: string; dims: number[]; elemType?: number }, out: string, nodes: ReturnType<typeof node>[], initializer: Init[]): Uint8Array {
  return toBinary(ModelProtoSchema, create(ModelProtoSchema, {
    irVersion: 9n,
    opsetImport: [{ domain: '', version: 18n }],
    graph: { name: 'g', input: [{ name: input.name, type: tensorType(input.dims, input.elemType) }], output: [{ name: out }], initializer, node: nodes },
  }));
}

async function summary(data: Uint8Array) {
  const r = await importModel('m.onnx', data);
  if (!r.ok) throw new Error(r.error.message);
  return { ...inspectGraph(r.graph), warnings: r.warnings, ops: r.graph.ops };
}

describe('ONNX If', () => {
  // then: two matmuls through W; else: one. The condition is a bool initializer (torch.cond on a buffer, dynamo
  // export without optimize) or computed from shapes.
  const branch = (name: string, n: number): MessageInitShape<typeof GraphProtoSchema> => ({
    name,
    node: Array.from({ length: n }, (_, i) => node('MatMul', [i ? `${name}_${i - 1}` : 'x', 'fc.weight'], `${name}_${i}`)),
    output: [{ name: `${name}_${n - 1}` }],
  });
  const ifNode = (cond: string) => node('If', [cond], 'y', [
    { name: 'then_branch', type: 5, g: branch('then', 2) },
    { name: 'else_branch', type: 5, g: branch('else', 1) },
  ]);
  const oneMatmul = 2 * 2 * 16 * 16;

  it.each([[1, 2], [0, 1]])('condition %i (a bool initializer): the chosen branch runs in its place (%i matmuls), nothing unknown', async (flag, n) => {
    const s = await summary(model({ name: 'x', dims: [2, 16] }, 'z', [ifNode('flag'), node('Relu', ['y'], 'z')],
      [absent('fc.weight', [16, 16]), { name: 'flag', dims: [], dataType: 9, rawData: new Uint8Array([flag]) }]));
    expect(s.params).toBe(256);
    expect(s.ops.filter((o) => o.kind === 'dot')).toHaveLength(n);
    expect(s.forwardFlops).toBe(n * oneMatmul + 2 * 16);
    expect(s.warnings).toEqual([]);
  });

  it('a condition folded from shapes (x.size(1) > 8) picks the then branch', async () => {
    const s = await summary(model({ name: 'x', dims: [2, 16] }, 'y', [
      node('Shape', ['x'], 'shape'), node('Gather', ['shape', 'one'], 'len'), node('Greater', ['len', 'eight'], 'long'), ifNode('long'),
    ], [absent('fc.weight', [16, 16]), { name: 'one', dims: [], dataType: 7, rawData: new Uint8Array(new BigInt64Array([1n]).buffer) },
      { name: 'eight', dims: [], dataType: 7, rawData: new Uint8Array(new BigInt64Array([8n]).buffer) }]));
    expect(s.ops.filter((o) => o.kind === 'dot')).toHaveLength(2);
    expect(s.warnings).toEqual([]);
  });

  it('a data-dependent condition leaves the If unknown, named in a warning', async () => {
    const s = await summary(model({ name: 'x', dims: [2, 16] }, 'y', [node('ReduceMax', ['x'], 'm'), node('Cast', ['m'], 'c', [{ name: 'to', type: 2, i: 9n }]), ifNode('c')],
      [absent('fc.weight', [16, 16])]));
    expect(s.warnings.join(' ')).toMatch(/If/);
  });
});

describe('tied weights folded by TorchScript (embedding [V, d] and its transposed copy [d, V] for the head)', () => {
  const V = 6, d = 4;
  const emb = Array.from({ length: V * d }, (_, i) => i + 1);
  const transposed = Array.from({ length: d * V }, (_, k) => emb[(k % V) * d + Math.floor(k / V)]!);
  const graph = (head: number[]) => model({ name: 'ids', dims: [2, 3], elemType: 7 }, 'logits',
    [node('Gather', ['model.embed_tokens.weight', 'ids'], 'h'), node('MatMul', ['h', 'onnx::MatMul_9'], 'logits')],
    [floats('model.embed_tokens.weight', [V, d], emb), floats('onnx::MatMul_9', [d, V], head)]);

  it('the folded copy holding the embedding\'s bytes transposed is that parameter, counted once', async () => {
    expect((await summary(graph(transposed))).params).toBe(V * d);
  });

  it('an untied head (other bytes, same shapes) is its own parameter', async () => {
    const other = transposed.map((x) => x + 0.5);
    expect((await summary(graph(other))).params).toBe(2 * V * d);
  });
});

describe('data-dependent shapes', () => {
  it('NonZero (MoE routing in TorchScript eager-experts exports): the warning names the op whose size is unknown', async () => {
    const s = await summary(model({ name: 'x', dims: [2, 16] }, 'y', [node('NonZero', ['x'], 'idx'), node('Transpose', ['idx'], 'y')], []));
    expect(s.warnings.join(' ')).toMatch(/1 output shapes could not be inferred \(NonZero 'idx' output 'idx'\)/);
  });
});
