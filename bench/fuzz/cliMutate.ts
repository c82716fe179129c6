/**
 * Mutations of CLI argument vectors and of cluster JSON files (issue 17: "not only model files"). Seeds are quick
 * commands on tiny models; mutations swap in the values that broke the CLI before (hex and exponent numbers, 1e12,
 * NUL bytes, prototype names, never-ending files, folders as outputs, 2,048-node and mixed clusters) and reorder,
 * drop, repeat and invent options. Files the arguments name live in `dir`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseClusterSpec } from '../../workers/core/cluster/spec.ts';
import { mutateJson, mutateText } from './mutate.ts';

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rand, n: number) => Math.floor(r() * n);

/** Files the seeds and mutations refer to: a small cluster JSON, a tiny graph, an empty graph, an output folder. */
export function fuzzFiles(dir: string): Record<string, string> {
  mkdirSync(join(dir, 'out'), { recursive: true });
  const files = {
    cluster: join(dir, 'cluster.json'), emptyGraph: join(dir, 'empty.json'), notJson: join(dir, 'notjson.json'),
    outFile: join(dir, 'out', 'trace.json'), outDir: join(dir, 'out'), missingDir: join(dir, 'missing', 'x.json'),
  };
  writeFileSync(files.cluster, JSON.stringify(parseClusterSpec('dgx-h100:2x4')));
  writeFileSync(files.emptyGraph, JSON.stringify({ schemaVersion: 1, name: 'empty', source: 'json', batch: 1, ops: [], tensors: [] }));
  writeFileSync(files.notJson, 'not json at all\u0000\u001b[31m');
  return files;
}

export function argSeeds(f: Record<string, string>): string[][] {
  const tiny = ['--model', 'zoo:gpt-tiny'];
  return [
    ['inspect', ...tiny, '--json'],
    ['inspect', '--model', 'zoo:llama-tiny', '--batch', '16', '--seq', '64'],
    ['plan', ...tiny, '--cluster', 'dgx-h100:1x2', '--intra', 'manual', '--json'],
    ['plan', '--model', 'zoo:llama-tiny', '--cluster', 'p3.16xlarge:2x8', '--batch', '16', '--intra', 'manual', '--microbatches', 'auto'],
    ['plan', ...tiny, '--cluster', 'dgx-h100:1x8+dgx-a100:1x8', '--intra', 'manual', '--remat', 'on', '--schedule', 'gpipe'],
    ['plan', ...tiny, '--cluster', f.cluster, '--intra', 'manual', '--trace', f.outFile],
    ['plan', ...tiny, '--cluster', 'dgx-h100:1x4', '--baseline', 'megatron', '--dp', '2', '--tp', '2', '--intra', 'manual'],
    ['plan', ...tiny, '--cluster', 'dgx-h100:1x2', '--mode', 'infer', '--objective', 'throughput', '--intra', 'manual', '--layers', '2'],
    ['shard', ...tiny, '--cluster', 'dgx-h100:1x2', '--mesh', '1x2', '--layer', '0', '--time-limit', '2'],
    ['shard', ...tiny, '--cluster', 'p3.16xlarge:1x4', '--mesh', '2x2', '--memory-gb', '8', '--json'],
    ['compare', ...tiny, '--cluster', 'dgx-h100:1x2', '--intra', 'manual', '--json'],
  ];
}

const NUMBERS = ['0', '-1', '0x10', '1e3', '1e12', '16777217', '4097', 'NaN', 'Infinity', '', ' 8', '8.5', '+8', '1e-300', '1e308',
  '99999999999999999999', '007', '2'];
const STRINGS = ['\u0000', 'a\u0000b', '\u001b[31mred\u001b[0m', 'line\nbreak', 'constructor', '__proto__', 'toString', 'hasOwnProperty',
  'auto', 'x'.repeat(5000), 'é—ü', '--', '-', '--json'];
const CLUSTERS = ['dgx-h100:2048x8', 'dgx-h100:64x8+dgx-a100:64x8', 'dgx-h100:32x8+dgx-a100:8x8', 'dgx-h100:8x8+dgx-a100:8x8',
  'dgx-h100:1x8+dgx-a100:1x8+p3.16xlarge:1x8+dgx-h100:1x8+dgx-a100:1x8', 'p3.16xlarge:9x8', 'dgx-h100:0x8', 'dgx-h100:1x99',
  'constructor', '__proto__:1x1', 'toString:2x2', 'dgx-h100:1x2+', '+', 'a+b+c+d+e+f+g+h+i'];
const OPTIONS = ['model', 'cluster', 'batch', 'microbatches', 'schedule', 'remat', 'mode', 'baseline', 'dp', 'tp', 'pp', 'precision',
  'seq', 'layers', 'memory-gb', 'intra', 'objective', 'trace', 'runtime', 'workers', 'mesh', 'layer', 'time-limit', 'json', 'timeline',
  'sharding', 'constructor', '__proto__', 'price', 'vary'];

function interesting(r: Rand, f: Record<string, string>): string {
  const files = ['/dev/zero', '/dev/null', '/tmp', '/nonexistent/model.onnx', f.emptyGraph, f.notJson, f.cluster, f.outDir, f.missingDir,
    f.outFile, 'zoo:', 'zoo:constructor', 'zoo:gpt-tiny\u0000', '.json'];
  switch (int(r, 4)) {
    case 0: return pick(r, NUMBERS);
    case 1: return pick(r, STRINGS);
    case 2: return pick(r, CLUSTERS);
    default: return pick(r, files);
  }
}

/** One mutated argument vector: 1-3 stacked edits of a seed. */
export function mutateArgs(seed: readonly string[], r: Rand, f: Record<string, string>): string[] {
  let a = [...seed];
  for (let k = 1 + int(r, 3); k > 0; k--) {
    const i = int(r, a.length);
    switch (int(r, 8)) {
      case 0: case 1: case 2: { // a value replaced
        const values = a.map((x, j) => (j > 0 && !x.startsWith('--') ? j : -1)).filter((j) => j > 0);
        if (values.length) a[pick(r, values)] = interesting(r, f);
        break;
      }
      case 3: a.splice(i, 1); break;
      case 4: a.splice(i, 0, a[int(r, a.length)] ?? '--json'); break;
      case 5: { const j = int(r, a.length); [a[i], a[j]] = [a[j]!, a[i]!]; break; }
      case 6: a.splice(1 + int(r, a.length), 0, `--${pick(r, OPTIONS)}`, interesting(r, f)); break;
      default: { // --key value joined as --key=value
        const keys = a.map((x, j) => (x.startsWith('--') && j + 1 < a.length && !a[j + 1]!.startsWith('--') ? j : -1)).filter((j) => j >= 0);
        if (keys.length) { const j = pick(r, keys); a.splice(j, 2, `${a[j]}=${a[j + 1]}`); }
      }
    }
  }
  if (a.length && r() < 0.02) a[0] = pick(r, ['help', '--help', 'PLAN', 'constructor', '__proto__', '\u0000', 'inspect ']);
  a = a.filter((x) => x !== undefined);
  return a;
}

/** Cluster JSON seeds: presets, a mixed cluster, a user GPU spec, a fabric. */
export function clusterSeeds(): string[] {
  const h100 = parseClusterSpec('dgx-h100:2x4');
  const custom = {
    ...parseClusterSpec('p3.16xlarge:1x4'), nodes: [{ gpu: 'MyGPU', gpus: 4 }],
    gpuSpecs: { MyGPU: { name: 'MyGPU', peakFlopsPerSecond: { f16: 1e14, bf16: 1e14, tf32: 5e13, f32: 1e13 }, hbmBytes: 2 ** 34,
      hbmBandwidthBytesPerSecond: 1e12, memoryEfficiency: 0.8, matmulEfficiency: { points: [[9, 0.5], [12, 0.7]] },
      launchSeconds: 5e-6, intraNodeBandwidthBytesPerSecond: 1e11 } },
  };
  const fabric = { ...parseClusterSpec('dgx-h100:4x2'), fabric: { nodesPerLeaf: 2, spineOversubscription: 2, spineLatencySeconds: 5e-6 } };
  return [h100, parseClusterSpec('dgx-h100:1x2+dgx-a100:1x2'), custom, fabric, parseClusterSpec('p3.16xlarge:2x2')].map((c) => JSON.stringify(c));
}

const KEYS = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', ''];
const BIG = [1e308, -1e308, 1e-300, 0, -0, 1e20, 2 ** 53, 16385, 2049, 100000, 0.5];

/** One mutated cluster JSON: value and text edits (mutate.ts), prototype-named keys and GPU types, extreme
 * numbers, and node lists grown past the limits. */
export function mutateClusterJson(text: string, r: Rand): string {
  let out = text;
  for (let k = 1 + int(r, 3); k > 0; k--) {
    const op = int(r, 10);
    if (op < 4) { out = mutateJson(out, r); continue; }
    if (op === 4) { out = mutateText(out, r); continue; }
    let v: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(out);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) { out = mutateText(out, r); continue; }
      v = parsed as Record<string, unknown>;
    } catch { out = mutateText(out, r); continue; }
    const nodes = Array.isArray(v.nodes) ? v.nodes as Record<string, unknown>[] : [];
    if (op === 5 && nodes.length) { // a GPU type named like a prototype property
      const n = nodes[int(r, nodes.length)];
      if (n && typeof n === 'object') n.gpu = pick(r, KEYS);
    } else if (op === 6 && nodes.length) { // many nodes
      const times = pick(r, [2, 300, 2049, 100000]);
      v.nodes = Array.from({ length: Math.min(times * nodes.length, 100000) }, (_, i) => nodes[i % nodes.length]);
    } else if (op === 7) { // a user GPU spec under a prototype name
      const specs = (v.gpuSpecs && typeof v.gpuSpecs === 'object' ? v.gpuSpecs : {}) as Record<string, unknown>;
      const key = pick(r, KEYS);
      out = JSON.stringify({ ...v, gpuSpecs: { ...specs } }).replace('"gpuSpecs":{', `"gpuSpecs":{${JSON.stringify(key)}:{"name":"x"},`);
      continue;
    } else if (op === 8) { // an extreme number somewhere in the links or nodes
      const link = pick(r, ['intraNode', 'interNode']);
      const l = (v[link] && typeof v[link] === 'object' ? v[link] : {}) as Record<string, unknown>;
      v[link] = { ...l, [pick(r, ['bandwidthBytesPerSecond', 'latencySeconds', 'floorSeconds'])]: pick(r, BIG) };
      const n = nodes[int(r, Math.max(1, nodes.length))];
      if (n && typeof n === 'object' && r() < 0.5) n.gpus = pick(r, BIG);
    } else { // NUL and escapes in names
      v.name = pick(r, STRINGS);
      const n = nodes[0];
      if (n && typeof n === 'object') n.gpu = pick(r, STRINGS);
    }
    out = JSON.stringify(v);
  }
  return out;
}
