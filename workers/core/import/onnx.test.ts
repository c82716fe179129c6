import { create, toBinary } from '@bufbuild/protobuf';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelProtoSchema } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { inspectGraph } from '../ir/inspect.ts';
import { importModel } from './index.ts';

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/fixtures');
const load = (f: string) => new Uint8Array(readFileSync(resolve(FIXTURES, f)));
const manifest = JSON.parse(readFileSync(resolve(FIXTURES, 'manifest.json'), 'utf8')) as { file: string; trainable_params: number }[];
const trueParams = (file: string) => manifest.find((m) => m.file === file)!.trainable_params;

async function imported(file: string) {
  const r = await importModel(file.replace(/^.*\//, ''), load(file));
  if (!r.ok) throw new Error(r.error.message);
  return r;
}

/** Bottleneck ResNet-50 conv + fc FLOPs for one 224x224 image (torchvision v1.5: stride on the 3x3). */
function resnet50FlopsPerImage(): number {
  const conv = (hw: number, cin: number, cout: number, k: number) => 2 * hw * hw * cin * cout * k * k;
  let flops = conv(112, 3, 64, 7);
  let cin = 64, hw = 56;
  for (const [width, blocks, stride] of [[64, 3, 1], [128, 4, 2], [256, 6, 2], [512, 3, 2]] as const) {
    for (let b = 0; b < blocks; b++) {
      const s = b === 0 ? stride : 1;
      const out = hw / s;
      flops += conv(hw, cin, width, 1) + conv(out, width, width, 3) + conv(out, width, 4 * width, 1);
      if (b === 0) flops += conv(out, cin, 4 * width, 1);
      cin = 4 * width;
      hw = out;
    }
  }
  return flops + 2 * 2048 * 1000;
}

describe('ONNX fixtures (weights stripped, external data absent)', () => {
  it('gpt2-124m: exact parameters, forward FLOPs within 5% of 2*P*T + attention, 12 layers, no warnings', async () => {
    const { graph, warnings } = await imported('onnx/gpt2-124m.onnx');
    const s = inspectGraph(graph);
    expect(s.params).toBe(124_439_808);
    expect(s.params).toBe(trueParams('onnx/gpt2-124m.onnx'));
    const [B, S, h, L, V] = [4, 1024, 768, 12, 50257];
    const analytic = 2 * (L * 12 * h * h + V * h) * B * S + 4 * B * S * S * h * L;
    expect(Math.abs(s.forwardFlops / analytic - 1)).toBeLessThan(0.05);
    expect(s.flopsPerStep).toBe(3 * s.forwardFlops);
    expect(s.layers).toBe(12);
    expect(warnings).toEqual([]);
    expect(graph.batch).toBe(4);
    expect(graph.seq).toBe(1024);
    // Shape-only subgraphs (Shape, Constant, Range, the causal mask) are folded away.
    expect(graph.ops.some((o) => /^(node_)?(Shape|Constant|Range)/.test(o.name))).toBe(false);
    expect(graph.ops.length).toBeLessThan(1484 / 2);
    // Gemm biases become their own add so every dot has exactly two operands.
    expect(graph.ops.filter((o) => o.path.includes('/h.3/attn/c_attn/')).map((o) => o.kind)).toEqual(['reshape', 'dot', 'elementwise', 'reshape']);
    expect(graph.ops.filter((o) => o.kind === 'dot').every((o) => o.inputs.length === 2)).toBe(true);
  });

  it('a batch other than the file\'s rebatches the graph (activations and FLOPs scale, parameters do not)', async () => {
    const { graph } = await imported('onnx/gpt2-124m.onnx');
    const r = await importModel('gpt2-124m.onnx', load('onnx/gpt2-124m.onnx'), { batch: 8, seq: 512 });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.graph.batch).toBe(8);
    expect(inspectGraph(r.graph).forwardFlops).toBeCloseTo(2 * inspectGraph(graph).forwardFlops, -3);
    expect(inspectGraph(r.graph).params).toBe(124_439_808);
    expect(r.graph.tensors.find((t) => t.kind === 'input')!.shape).toEqual([8, 1024]);
    expect(r.warnings).toEqual(['the file is built for batch 4; rebatched to 8', 'the file fixes sequence length 1024; --seq 512 is not applied']);
  });

  it('bert-base: parameters as transformers counts them (buffers excluded), FLOPs within 5%', async () => {
    const { graph } = await imported('onnx/bert-base.onnx');
    const s = inspectGraph(graph);
    expect(s.params).toBe(109_514_298);
    expect(s.params).toBe(trueParams('onnx/bert-base.onnx'));
    const [B, S, h, L, V] = [8, 512, 768, 12, 30522];
    const analytic = 2 * (L * 12 * h * h + h * h + V * h) * B * S + 4 * B * S * S * h * L;
    expect(Math.abs(s.forwardFlops / analytic - 1)).toBeLessThan(0.05);
    expect(s.layers).toBe(12);
  });

  it('resnet50: exact parameters (BatchNorm statistics are buffers), conv FLOPs within 5%, 16 blocks', async () => {
    const { graph } = await imported('onnx/resnet50.onnx');
    const s = inspectGraph(graph);
    expect(s.params).toBe(25_557_032);
    const analytic = 32 * resnet50FlopsPerImage();
    expect(Math.abs(s.forwardFlops / analytic - 1)).toBeLessThan(0.05);
    expect(s.layers).toBe(16);
    expect(graph.ops.find((o) => o.kind === 'conv' && o.path.includes('layer3'))!.path).toBe('resnet50/layer3/block.0/conv1/conv2d_24');
    expect(s.opCounts.conv).toBe(53);
    // The exporter's constant zero biases (bias=False) are folded away: convs read input and kernel only.
    expect(graph.ops.filter((o) => o.kind === 'conv').every((o) => o.inputs.length === 2)).toBe(true);
    expect(graph.ops.filter((o) => o.name.endsWith('/bias')).map((o) => o.path)).toEqual(['resnet50/fc/linear']);
    const input = graph.tensors.find((t) => t.kind === 'input')!;
    expect(input.shape).toEqual([32, 3, 224, 224]);
    expect(input.batchDim).toBe(0);
  });
});

/** A small ONNX model: x[batch, seq, 8] -> MatMul W[8,16] -> ops... with only the graph input/output typed. */
function tinyModel(ops: { op: string; inputs: string[]; output: string; domain?: string; name?: string }[], opts: { symbolic?: boolean } = {}): Uint8Array {
  const dim = (v: number | string) => (typeof v === 'number' ? { value: { case: 'dimValue' as const, value: BigInt(v) } } : { value: { case: 'dimParam' as const, value: v } });
  const tensorType = (dims: (number | string)[]) => ({ value: { case: 'tensorType' as const, value: { elemType: 1, shape: { dim: dims.map(dim) } } } });
  const model = create(ModelProtoSchema, {
    irVersion: 9n,
    opsetImport: [{ domain: '', version: 18n }],
    graph: {
      name: 'tiny',
      input: [{ name: 'x', type: tensorType(opts.symbolic ? ['batch', 'seq', 8] : [2, 3, 8]) }],
      output: [{ name: ops[ops.length - 1]!.output }],
      initializer: [{ name: 'W', dims: [8n, 16n], dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: 'absent.bin' }] }],
      node: ops.map((o, i) => ({ opType: o.op, domain: o.domain ?? '', name: o.name ?? `n${i}`, input: o.inputs, output: [o.output] })),
    },
  });
  return toBinary(ModelProtoSchema, model);
}

describe('ONNX edge cases', () => {
  it('an unsupported op is imported as unknown with zero cost, the rest kept, and a warning names it with its count', async () => {
    const data = tinyModel([
      { op: 'MatMul', inputs: ['x', 'W'], output: 'y' },
      { op: 'FancyOp', domain: 'com.example', inputs: ['y'], output: 'z' },
      { op: 'FancyOp', domain: 'com.example', inputs: ['z'], output: 'u' },
      { op: 'Relu', inputs: ['u'], output: 'v' },
    ]);
    const r = await importModel('tiny.onnx', data);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.graph.ops.map((o) => o.kind)).toEqual(['dot', 'unknown', 'unknown', 'elementwise']);
    const unknown = r.graph.ops.filter((o) => o.kind === 'unknown');
    expect(unknown.every((o) => o.flops === 0 && o.bytesRead === 0)).toBe(true);
    expect(r.warnings).toEqual(["onnx: unsupported op FancyOp (2x) imported as 'unknown' with zero cost"]);
    expect(r.graph.ops[0]!.flops).toBe(2 * 2 * 3 * 16 * 8);
  });

  it('symbolic batch/seq dims take the user options and shapes are inferred without value_info', async () => {
    const data = tinyModel([
      { op: 'MatMul', inputs: ['x', 'W'], output: 'y' },
      { op: 'Softmax', inputs: ['y'], output: 'z' },
    ], { symbolic: true });
    const r = await importModel('sym.onnx', data, { batch: 16, seq: 128 });
    if (!r.ok) throw new Error(r.error.message);
    const out = r.graph.tensors.find((t) => t.name === 'z')!;
    expect(out.shape).toEqual([16, 128, 16]);
    expect(out.batchDim).toBe(0);
    expect(r.graph.ops[0]!.flops).toBe(2 * 16 * 128 * 16 * 8);
    expect(r.graph.tensors.find((t) => t.name === 'W')!.kind).toBe('parameter');
  });

  it('layer paths come from node names when the exporter left no name scopes (TorchScript style)', async () => {
    const data = tinyModel([
      { op: 'MatMul', inputs: ['x', 'W'], output: 'y', name: '/transformer/h.3/attn/MatMul' },
      { op: 'Relu', inputs: ['y'], output: 'z', name: '/transformer/h.3/mlp/<act>' },
    ]);
    const r = await importModel('ts.onnx', data);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.graph.ops.map((o) => o.path)).toEqual(['ts/transformer/h.3/attn/MatMul', 'ts/transformer/h.3/mlp/<act>']);
    expect(inspectGraph(r.graph).layers).toBe(1);
  });

  it('fused Attention expands into Q.K^T, softmax and P.V (each dot with two operands)', async () => {
    const r = await importModel('attn.onnx', tinyModel([{ op: 'Attention', inputs: ['x', 'x', 'x'], output: 'y' }]));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.graph.ops.map((o) => [o.kind, o.inputs.length, o.flops])).toEqual([['dot', 2, 2 * 2 * 3 * 3 * 8], ['softmax', 1, 5 * 2 * 3 * 3], ['dot', 2, 2 * 2 * 3 * 3 * 8]]);
    expect(r.graph.tensors.find((t) => t.name === 'y')!.shape).toEqual([2, 3, 8]);
  });

  it('a truncated ONNX file is refused with an ImportError, not an exception', async () => {
    const full = load('onnx/resnet50.onnx');
    const r = await importModel('resnet50.onnx', full.subarray(0, 1000));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.format).toBe('onnx');
      expect(r.error.message).toMatch(/truncated|not a valid ONNX|no ONNX graph/);
    }
  });
});
