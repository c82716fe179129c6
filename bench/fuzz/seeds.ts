/** Fuzz seeds from the shared fixtures: whole files, sub-models cut from them, their private functions, JSON graphs. */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelProtoSchema, ValueInfoProtoSchema } from 'onnx-buf';
import { importModel } from '../../workers/core/import/index.ts';
import { graphToJson } from '../../workers/core/import/json.ts';
import type { SeedFormat } from './mutate.ts';

export const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures');
/** Files as users export them (issue 12): every ONNX export and JAX program of fixtures/wild. */
const WILD = resolve(dirname(fileURLToPath(import.meta.url)), '../../fixtures/wild');
const wildFiles = (): { file: string; bytes: number }[] =>
  (JSON.parse(readFileSync(resolve(WILD, 'manifest.json'), 'utf8')) as { file: string; bytes: number }[]);

export interface Seed { readonly name: string; readonly format: SeedFormat; readonly data: Uint8Array; readonly big: boolean }

const load = (f: string) => new Uint8Array(readFileSync(f.startsWith('wild:') ? resolve(WILD, f.slice(5)) : resolve(FIXTURES, f)));

/** The first `count` nodes of a fixture's graph as a model of its own (initializers and value_info kept). */
function onnxPrefix(file: string, count: number): Uint8Array {
  const m = fromBinary(ModelProtoSchema, load(file));
  const g = m.graph!;
  const node = g.node.slice(0, count);
  const last = node[node.length - 1]!.output[0]!;
  g.node = node;
  g.output = [create(ValueInfoProtoSchema, { name: last })];
  return toBinary(ModelProtoSchema, m);
}

/** Each private function of a StableHLO fixture as its own module with a public @main. */
function mlirFunctions(file: string): string[] {
  const text = readFileSync(resolve(FIXTURES, file), 'utf8');
  const parts = text.split(/\n(?=  func\.func )/).slice(1);
  return parts.filter((p) => p.includes('func.func private')).map((p) => {
    const body = p.replace(/\n}\s*$/, '').replace(/func\.func private @[\w.$]+/, 'func.func public @main');
    return `module @seed {\n${body}\n}\n`;
  });
}

/** The first `count` computations of an HLO fixture as a module of their own, the last one its ENTRY. */
function hloPrefixes(file: string, counts: readonly number[]): string[] {
  const text = readFileSync(resolve(WILD, file.slice(5)), 'utf8');
  const header = text.slice(0, text.indexOf('\n'));
  const comps = text.split(/\n(?=%[\w.\-]+ \(|ENTRY )/).slice(1).map((c) => c.replace(/^ENTRY /, ''));
  return counts.filter((n) => n <= comps.length).map((n) => {
    const picked = comps.slice(0, n);
    return `${header}\n\n${picked.slice(0, -1).join('\n')}\nENTRY ${picked[n - 1]}`;
  });
}

export async function buildSeeds(): Promise<Seed[]> {
  const seeds: Seed[] = [];
  const enc = new TextEncoder();
  for (const f of ['onnx/gpt2-124m.onnx', 'onnx/bert-base.onnx', 'onnx/resnet50.onnx']) {
    seeds.push({ name: f, format: 'onnx', data: load(f), big: true });
    for (const k of [12, 40, 120]) seeds.push({ name: `${f}[:${k}]`, format: 'onnx', data: onnxPrefix(f, k), big: false });
  }
  for (const { file, bytes } of wildFiles()) {
    const f = `wild:${file}`;
    // The 7B graph alone takes seconds to import: its prefixes are seeds, the whole file is the bench's.
    if (bytes < 2_000_000) seeds.push({ name: f, format: 'onnx', data: load(f), big: true });
    for (const k of [30, 200]) seeds.push({ name: `${f}[:${k}]`, format: 'onnx', data: onnxPrefix(f, k), big: false });
  }
  for (const f of ['wild:hlo/gpt-scan.forward.mlir', 'wild:hlo/gpt-scan.train.mlir', 'wild:hlo/gpt-scan-tp4dp2.train.mlir']) {
    seeds.push({ name: f, format: 'stablehlo', data: load(f), big: true });
  }
  // XLA HLO text (issue 12): whole compiled programs, and their first computations as modules of their own.
  for (const f of ['wild:hlo/gpt-scan.forward.hlo.txt', 'wild:hlo/gpt-scan.train.hlo.txt', 'wild:hlo/gpt-scan-tp4dp2.train.hlo.txt',
    'wild:hlo/gpt-scan.forward.unopt.hlo.txt', 'wild:hlo/cnn.train.cpu.hlo.txt']) {
    seeds.push({ name: f, format: 'hlo', data: load(f), big: true });
    hloPrefixes(f, [2, 5, 12, 30]).forEach((t, i) => seeds.push({ name: `${f}[:${i}]`, format: 'hlo', data: enc.encode(t), big: false }));
  }
  for (const f of ['stablehlo/gpt-125m.forward.mlir', 'stablehlo/gpt-125m.train.mlir', 'stablehlo/gshard-moe-380m.train.mlir']) {
    seeds.push({ name: f, format: 'stablehlo', data: load(f), big: true });
    mlirFunctions(f).forEach((t, i) => seeds.push({ name: `${f}#${i}`, format: 'stablehlo', data: enc.encode(t), big: false }));
  }
  const jsonSources = [
    ...seeds.filter((x) => x.format === 'onnx' && !x.big && x.name.endsWith('[:40]')),
    ...seeds.filter((x) => x.format === 'stablehlo' && !x.big).slice(0, 6),
  ];
  for (const s of jsonSources) {
    const r = await importModel(s.format === 'onnx' ? 'seed.onnx' : 'seed.mlir', s.data);
    if (r.ok) seeds.push({ name: `${s.name}.json`, format: 'json', data: enc.encode(graphToJson(r.graph)), big: false });
  }
  const configs = [
    { model_type: 'gpt2', n_embd: 64, n_layer: 2, n_head: 4, n_positions: 128, vocab_size: 1000 },
    { model_type: 'llama', hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, intermediate_size: 128, vocab_size: 1000, max_position_embeddings: 256 },
    { model_type: 'mixtral', hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 128, vocab_size: 1000, max_position_embeddings: 256, num_local_experts: 4 },
    { model_type: 'deepseek_v2', hidden_size: 64, num_hidden_layers: 3, num_attention_heads: 4, intermediate_size: 128, moe_intermediate_size: 32, vocab_size: 1000, n_routed_experts: 8, n_shared_experts: 1, num_experts_per_tok: 2, first_k_dense_replace: 1, kv_lora_rank: 16, q_lora_rank: 24, qk_nope_head_dim: 16, qk_rope_head_dim: 8, v_head_dim: 16 },
    { model_type: 'qwen2_moe', hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 128, moe_intermediate_size: 32, shared_expert_intermediate_size: 64, vocab_size: 1000, num_experts: 6, num_experts_per_tok: 2 },
    { model_type: 'acme', hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 128, vocab_size: 1000 },
  ];
  configs.forEach((c, i) => seeds.push({ name: `config${i}.json`, format: 'json', data: enc.encode(JSON.stringify(c)), big: false }));
  return seeds;
}
