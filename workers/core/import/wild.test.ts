/**
 * Models as users export them (fixtures/wild, made with torch.onnx.export from transformers models built from their
 * configs; see fixtures/wild/README.md): exact parameters, forward FLOPs within 5% of PyTorch's, the model's blocks
 * as layers, and our shape inference agreeing with the exporter's value_info wherever both give a shape.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { inspectGraph } from '../ir/inspect.ts';
import { groupLayers } from '../ir/layers.ts';
import { validateGraph } from '../ir/validate.ts';
import { importModel } from './index.ts';
import { importOnnx, type ShapeReport } from './onnx.ts';

const WILD = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/wild');
interface Entry { file: string; arch: string; params_expected: number; forward_flops: number; layers: number; value_info: number; inputs: Record<string, { shape: number[] }> }
const manifest = JSON.parse(readFileSync(resolve(WILD, 'manifest.json'), 'utf8')) as Entry[];
const load = (f: string) => new Uint8Array(readFileSync(resolve(WILD, f)));

describe('ONNX files from the wild (torch.onnx.export of transformers models, weights stripped)', () => {
  it('the manifest covers every architecture the issue names, plus a 7B-parameter graph at full layer count', () => {
    const archs = new Set(manifest.map((e) => e.arch));
    for (const a of ['llama3', 'mistral', 'qwen2', 'mixtral', 'vit', 'whisper', 'clip', 'llama2-7b']) expect(archs).toContain(a);
    expect(manifest.find((e) => e.arch === 'llama2-7b')!.params_expected).toBe(6_738_415_616);
  });

  it.each(manifest.map((e) => [e.file, e] as const))('%s: exact parameters, FLOPs within 5%, blocks as layers, no warnings', async (file, e) => {
    // Files exported with dynamic axes (batch, sequence) take their sizes from the options, as a user gives them.
    const [batch, seq] = Object.values(e.inputs)[0]!.shape;
    const r = await importModel(file.replace(/^.*\//, ''), load(file), /-dyn\.onnx$/.test(file) ? { batch: batch!, seq: seq! } : {});
    if (!r.ok) throw new Error(r.error.message);
    const s = inspectGraph(r.graph);
    expect(s.params).toBe(e.params_expected);
    expect(Math.abs(s.forwardFlops / e.forward_flops - 1)).toBeLessThan(0.05);
    expect(s.layers).toBe(e.layers);
    // The eager MoE loop's NonZero sizes are estimates under balanced routing: warned, nothing else is.
    const routed = r.warnings.filter((w) => /NonZero outputs sized by expectation.*assumes balanced routing: 2×128×2\/8 = 64 tokens per expert/.test(w));
    expect(routed).toHaveLength(file.endsWith('ts-eager.onnx') ? 2 : 0);
    expect(r.warnings.filter((w) => !routed.includes(w))).toEqual([]);
    expect(r.graph.batch).toBe(Object.values(e.inputs)[0]!.shape[0]);
  }, 60_000);

  it.each(manifest.filter((e) => e.value_info > 0).map((e) => [e.file, e] as const))('%s: inferred shapes equal the value_info wherever both exist', (file, e) => {
    let report: ShapeReport | undefined;
    importOnnx(file, load(file), { shapeReport: (rep) => { report = rep; } });
    expect(report!.disagreements).toEqual([]);
    expect(report!.unknown).toEqual([]);
    // Shape-only values (folded constants) are not compared: most of a file's value_info, never all of it.
    expect(report!.compared).toBeGreaterThan(Math.min(100, e.value_info / 3));
  }, 60_000);

  it.each(manifest.filter((e) => /^(t5|whisper)$/.test(e.arch)).map((e) => [e.file, e] as const))('%s: both stacks\' blocks are layers, the encoder\'s before the decoder\'s', async (file, e) => {
    const r = await importModel(file.replace(/^.*\//, ''), load(file), /-dyn\.onnx$/.test(file) ? { batch: Object.values(e.inputs)[0]!.shape[0]! } : {});
    if (!r.ok) throw new Error(r.error.message);
    const blocks = groupLayers(r.graph).filter((g) => g.kind === 'block').map((g) => g.name);
    const enc = blocks.filter((n) => /\/encoder\//.test(n)), dec = blocks.filter((n) => /\/decoder\//.test(n));
    expect(enc.length).toBe(e.layers / 2);
    expect(dec.length).toBe(e.layers / 2);
    expect(blocks.indexOf(enc[enc.length - 1]!)).toBeLessThan(blocks.indexOf(dec[0]!));
  }, 60_000);

  it('Mixtral with eager experts (TorchScript): NonZero over one_hot(TopK indices) sized 64 tokens per expert, marked estimated', async () => {
    const r = await importModel('mixtral.ts-eager.onnx', load('onnx/mixtral.ts-eager.onnx'));
    if (!r.ok) throw new Error(r.error.message);
    const nz = r.graph.ops.filter((o) => /NonZero/.test(o.name)).map((o) => r.graph.tensors.find((t) => t.id === o.outputs[0])!);
    expect(nz).toHaveLength(18);
    // Per layer: the experts hit [1, 8], then each expert's (top-k slot, token) pairs [2, 64].
    expect(nz.filter((t) => t.shape.join() === '1,8')).toHaveLength(2);
    expect(nz.filter((t) => t.shape.join() === '2,64')).toHaveLength(16);
    expect(nz.every((t) => t.estimatedDims?.join() === '1')).toBe(true);
    // Tokens per expert scale with the batch; which experts are hit does not.
    expect(nz.map((t) => t.batchDim).sort()).toEqual([...Array(16).fill(1), undefined, undefined]);
    // The experts' weights, once each: gate_up_proj [8, 3584, 512] and down_proj [8, 512, 1792] per layer.
    const experts = r.graph.tensors.filter((t) => t.kind === 'parameter' && /experts/.test(t.name)).map((t) => t.shape.join('x')).sort();
    expect(experts).toEqual(['8x3584x512', '8x3584x512', '8x512x1792', '8x512x1792']);
    // Each expert's MLP runs on its 64 tokens: 3 matmuls of 2·64·512·1792 per expert, 8 experts, 2 layers.
    const expertDots = r.graph.ops.filter((o) => o.kind === 'dot' && /\/experts\//.test(o.name)).reduce((n, o) => n + o.flops, 0);
    expect(expertDots).toBe(2 * 8 * 3 * 2 * 64 * 512 * 1792);
    // At --batch 16 the expected count scales with the tokens (16×128×2/8 = 512 per expert), and so do the experts' FLOPs.
    const b16 = await importModel('mixtral.ts-eager.onnx', load('onnx/mixtral.ts-eager.onnx'), { batch: 16 });
    if (!b16.ok) throw new Error(b16.error.message);
    const nz16 = b16.graph.ops.filter((o) => /NonZero/.test(o.name)).map((o) => b16.graph.tensors.find((t) => t.id === o.outputs[0])!.shape.join());
    expect(nz16.filter((s) => s === '2,512')).toHaveLength(16);
    expect(nz16.filter((s) => s === '1,8')).toHaveLength(2);
    expect(b16.graph.ops.filter((o) => o.kind === 'dot' && /\/experts\//.test(o.name)).reduce((n, o) => n + o.flops, 0)).toBe(expertDots * 8);
  });

  it('torch.cond exported without optimize: an If per block, each replaced by its chosen (gelu) branch', async () => {
    const e = manifest.find((m) => m.file === 'onnx/branchy.dynamo-noopt.onnx')! as Entry & { ops: Record<string, number> };
    expect(e.ops.If).toBe(4);
    const r = await importModel('branchy.dynamo-noopt.onnx', load(e.file));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.graph.ops.filter((o) => o.kind === 'dot')).toHaveLength(9); // fc1 (in the branch) and fc2 per block, the head
    expect(r.graph.ops.filter((o) => o.attrs.kind === 'elementwise' && o.attrs.fn === 'Gelu')).toHaveLength(4);
    expect(r.graph.ops.some((o) => o.kind === 'unknown')).toBe(false);
  });

  it.each(['onnx/bert.ort.onnx', 'onnx/gpt2.ort.onnx'])('%s (onnxruntime transformers optimizer): com.microsoft ops import, fused nodes sit in their weights\' blocks', async (file) => {
    const e = manifest.find((m) => m.file === file)! as Entry & { ops: Record<string, number> };
    expect(e.ops['com.microsoft::SkipLayerNormalization']).toBe(8);
    expect((e.ops['com.microsoft::BiasGelu'] ?? 0) + (e.ops['com.microsoft::FastGelu'] ?? 0)).toBe(4);
    const r = await importModel(file.replace(/^.*\//, ''), load(file));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.graph.ops.some((o) => o.kind === 'unknown')).toBe(false);
    // onnxruntime's FullyConnect_MatMul_N carry no scope: each block's dots come out equal only if they are placed by weight.
    const perBlock = groupLayers(r.graph).filter((g) => g.kind === 'block').map((g) => g.opIds.reduce((n, id) => {
      const op = r.graph.ops.find((o) => o.id === id)!;
      return n + (op.kind === 'dot' ? op.flops : 0);
    }, 0));
    expect(perBlock).toHaveLength(4);
    expect(new Set(perBlock).size).toBe(1);
  }, 60_000);

  it('opset 23: the dynamo exporter\'s Attention and RMSNormalization ops import as attention and norms, nothing unknown', async () => {
    const e = manifest.find((m) => m.file === 'onnx/llama3.dynamo-o23.onnx')! as Entry & { ops: Record<string, number> };
    expect([e.ops.Attention, e.ops.RMSNormalization]).toEqual([4, 9]);
    const r = await importModel('llama3.dynamo-o23.onnx', load(e.file));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.graph.ops.some((o) => o.kind === 'unknown')).toBe(false);
    expect(r.graph.ops.filter((o) => o.kind === 'layernorm')).toHaveLength(9);
  }, 60_000);

  it('ConvNeXt-Tiny: its blocks are the stages\' layers.N (3, 3, 9, 3), not the 4 stages', async () => {
    const r = await importModel('convnext.dynamo.onnx', load('onnx/convnext.dynamo.onnx'));
    if (!r.ok) throw new Error(r.error.message);
    const blocks = groupLayers(r.graph).filter((g) => g.kind === 'block').map((g) => g.name);
    const perStage = [0, 1, 2, 3].map((k) => blocks.filter((n) => n.includes(`/stages.${k}/layers.`)).length);
    expect(perStage).toEqual([3, 3, 9, 3]);
    expect(blocks).toHaveLength(18);
  }, 60_000);

  it.each(['onnx/whisper.dynamo.onnx', 'onnx/whisper.dynamo-noopt.onnx', 'onnx/whisper.ts.onnx'])('%s (batch 1) rebatched to 16: consistent, FLOPs x16 (decoder positions [1, 32, d] do not carry the batch)', async (file) => {
    const [one, sixteen] = await Promise.all([importModel(file.replace(/^.*\//, ''), load(file)), importModel(file.replace(/^.*\//, ''), load(file), { batch: 16 })]);
    if (!one.ok || !sixteen.ok) throw new Error(!sixteen.ok ? sixteen.error.message : 'import failed');
    expect(inspectGraph(sixteen.graph).forwardFlops / inspectGraph(one.graph).forwardFlops).toBeCloseTo(16, 6);
  }, 60_000);

  it('CLIP rebatched to 16: the similarity logits carry the batch on both dims, [16, 16], and their FLOPs scale 64x', async () => {
    const file = 'onnx/clip.dynamo.onnx';
    const [two, sixteen] = await Promise.all([importModel('clip.dynamo.onnx', load(file)), importModel('clip.dynamo.onnx', load(file), { batch: 16 })]);
    if (!two.ok || !sixteen.ok) throw new Error('import failed');
    const logits = (g: typeof two.graph) => g.tensors.find((t) => t.name === 'logits_per_image')!.shape;
    expect(logits(two.graph)).toEqual([2, 2]);
    expect(logits(sixteen.graph)).toEqual([16, 16]);
    expect(validateGraph(sixteen.graph)).toEqual({ ok: true });
    const sim = (g: typeof two.graph) => g.ops.find((o) => o.kind === 'dot' && g.tensors.find((t) => t.id === o.outputs[0])!.shape.length === 2 &&
      g.tensors.find((t) => t.id === o.outputs[0])!.shape[0] === g.batch && g.tensors.find((t) => t.id === o.outputs[0])!.shape[1] === g.batch)!;
    expect(sim(sixteen.graph).flops).toBeCloseTo(sim(two.graph).flops * 64, 0);
    expect(inspectGraph(sixteen.graph).params).toBe(inspectGraph(two.graph).params);
  }, 60_000);
});
