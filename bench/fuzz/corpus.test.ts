/**
 * Issue 17's hostile inputs, one or more per class, through the CLI in process: each ends quickly with a plan or one
 * clean line on stderr that names what and where (cli.ts contractProblem), with the message asserted.
 */
import { closeSync, mkdtempSync, openSync, readdirSync, writeFileSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseClusterSpec } from '../../workers/core/cluster/spec.ts';
import { divisorsDescending } from '../../workers/core/inter/search.ts';
import { clusterUnits } from '../../workers/core/inter/layerConstruction.ts';
import { graphToJson } from '../../workers/core/import/json.ts';
import { defaultPlanOptions, plan } from '../../workers/core/plan.ts';
import { zooModel } from '../../workers/core/zoo/index.ts';
import { contractProblem, runCli, type CliRun } from './cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'meshplan-corpus-'));
const file = (name: string, data: string | object) => {
  const p = join(dir, name);
  writeFileSync(p, typeof data === 'string' ? data : JSON.stringify(data));
  return p;
};
const tiny = ['--model', 'zoo:gpt-tiny'];
const h100x2 = parseClusterSpec('dgx-h100:1x2');

/** Runs the CLI; asserts the contract and returns the run. */
async function cli(...argv: string[]): Promise<CliRun> {
  const r = await runCli(argv);
  expect(contractProblem(r), JSON.stringify(argv)).toBeUndefined();
  return r;
}
const refused = async (pattern: RegExp, ...argv: string[]) => {
  const r = await cli(...argv);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(pattern);
  return r;
};

describe('hangs and unbounded work end with a message', () => {
  it('--batch 1e12 and 1000000000000: refused by range, naming the reason', async () => {
    await refused(/^meshplan plan: --batch must be a whole number in 1\.\.16,777,216 \(a global batch above .*\), got '1e12'$/m, 'plan', ...tiny, '--cluster', 'dgx-h100:1x2', '--batch', '1e12');
    await refused(/--batch must be a whole number .* got '1000000000000'/, 'plan', ...tiny, '--cluster', 'dgx-h100:1x2', '--batch', '1000000000000');
    // The core enumerates divisors by factorisation: 1e12's 169 divisors at once.
    const d = divisorsDescending(1e12);
    expect([d.length, d[0], d[d.length - 1]]).toEqual([169, 1e12, 1]);
  });

  it('/dev/zero as a model: refused before a read', async () => {
    await refused(/cannot import \/dev\/zero: zero: unknown format/, 'inspect', '--model', '/dev/zero');
  });

  it('a 100,000-node cluster JSON: one short line, no node-by-node check', async () => {
    const nodes = Array.from({ length: 100_000 }, () => ({ gpu: '__proto__', gpus: -1 }));
    const r = await refused(/nodes: at most 2,048 nodes \(the planner is sized for clusters of up to 2,048 nodes\)/, 'plan', ...tiny, '--cluster', file('huge.json', { ...h100x2, nodes }));
    expect(r.stderr.length).toBeLessThan(300);
  });

  it('2,100 nodes or 16,392 GPUs: refused with the limit and its reason', async () => {
    await refused(/cluster spec 'dgx-h100:1500x8\+dgx-a100:600x8' has 2100 nodes; at most 2048/, 'plan', ...tiny, '--cluster', 'dgx-h100:1500x8+dgx-a100:600x8');
    const nodes = [...Array.from({ length: 227 }, () => ({ gpu: 'B200', gpus: 72 })), { gpu: 'B200', gpus: 48 }];
    await refused(/cluster has 16,392 GPUs; at most 16,384/, 'plan', ...tiny, '--cluster', file('gpus.json', { ...h100x2, nodes }));
  });

  it('nodes of two GPU types interleaved (8 groups, 40,320 pipeline orders; took 48 s): refused, saying to order them', async () => {
    const nodes = Array.from({ length: 8 }, (_, i) => ({ gpu: i % 2 ? 'A100-80GB' : 'H100-SXM', gpus: 2 }));
    await refused(/cluster has 8 groups of consecutive nodes with one GPU type and count; at most 4 \(.*\): order the nodes by type/, 'plan', ...tiny, '--cluster', file('mixed.json', { ...h100x2, nodes }));
  });

  it('a graph past the op limit is refused with the count, by plan() too', async () => {
    const g = zooModel('gpt-tiny');
    const ops = Array.from({ length: 200_001 }, (_, i) => ({ ...g.ops[0]!, id: `o${i}` }));
    const r = await plan({ ...g, ops }, h100x2, defaultPlanOptions(g), undefined, undefined, { intra: 'manual' });
    expect(r).toEqual({ ok: false, reason: "model 'gpt-tiny': the graph has 200,001 ops; at most 200,000 (imported training graphs of the largest models have tens of thousands of ops)" });
  });

  it('heterogeneous dgx-h100:32x8+dgx-a100:8x8 plans (it hung): stages stay inside one GPU type', async () => {
    const r = await cli('plan', '--model', 'zoo:gpt-350M', '--batch', '640', '--cluster', 'dgx-h100:32x8+dgx-a100:8x8', '--intra', 'manual', '--json');
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout);
    for (const s of p.stages) expect(['H100-SXM', 'A100-80GB']).toContain(s.gpu);
    expect(p.stages.reduce((n: number, s: { devices: number[] }) => n + s.devices.length, 0)).toBe(320);
  }, 120_000);

  it('a search too large to finish soon is refused before it starts, saying what to change', async () => {
    const nodes = [...Array.from({ length: 1000 }, () => ({ gpu: 'H100-SXM', gpus: 8 })), ...Array.from({ length: 1000 }, () => ({ gpu: 'A100-80GB', gpus: 8 }))];
    await refused(/the stage DP would take about .* steps \(\d+ micro-batch counts, \d+ layers, 16000 GPUs in 2 groups\), over the limit of 1\.0e\+11: fix the micro-batch count/,
      'plan', '--model', 'zoo:gpt-39B', '--cluster', file('big2.json', { ...h100x2, nodes }), '--intra', 'manual', '--layers', '64', '--batch', '720720');
  }, 60_000);
});

describe('no internal errors', () => {
  it('GPU types named constructor, __proto__, toString are just unknown names', async () => {
    for (const gpu of ['constructor', '__proto__', 'toString']) {
      await refused(new RegExp(`node 0: unknown GPU type '${gpu}' \\(presets: `), 'plan', ...tiny, '--cluster', file(`${gpu}.json`, { ...h100x2, nodes: [{ gpu, gpus: 2 }] }));
    }
  });

  it('figures that make the LP non-finite are refused by range: peak 1e-300, efficiency 0, latency 1e308', async () => {
    const spec = { name: 'G', peakFlopsPerSecond: { f16: 1e-300, bf16: 1e14, tf32: 1e14, f32: 1e13 }, hbmBytes: 2 ** 34, hbmBandwidthBytesPerSecond: 1e12,
      memoryEfficiency: 0, matmulEfficiency: { points: [[9, 0.5]] }, launchSeconds: 5e-6, intraNodeBandwidthBytesPerSecond: 1e11 };
    const r = await refused(/gpuSpecs\['G'\]\.peakFlopsPerSecond\.f16 must be a number in \[1e9, 1e18\] \(GPUs run between .*\), got 1e-300; gpuSpecs\['G'\]\.memoryEfficiency must be a number in \(0, 1\]/,
      'plan', ...tiny, '--cluster', file('lp.json', { ...h100x2, nodes: [{ gpu: 'G', gpus: 2 }], gpuSpecs: { G: spec } }));
    expect(r.stderr).not.toMatch(/internal/);
    await refused(/intraNode\.latencySeconds must be a number in \[0, 1\] \(a collective step taking over a second is a broken link, not a slow one\), got 1e\+308/,
      'plan', ...tiny, '--cluster', file('lat.json', { ...h100x2, intraNode: { ...h100x2.intraNode, latencySeconds: 1e308 } }));
  });

  it('layer clustering with a unit of Infinity FLOPs returns (was: Maximum call stack size exceeded)', () => {
    const C = new Float64Array(16);
    expect(clusterUnits([1, Infinity, 1, 1], C, 2, 0.5)).toHaveLength(2);
  });

  it('--trace to a missing folder, to a folder, or unwritable: refused before the search; a good one written whole', async () => {
    await refused(/--trace .*missing\/t.json: folder .*missing does not exist/, 'plan', ...tiny, '--cluster', 'dgx-h100:1x2', '--trace', join(dir, 'missing', 't.json'));
    await refused(/--trace .* is a folder; give a file name inside it/, 'plan', ...tiny, '--cluster', 'dgx-h100:1x2', '--trace', dir);
    const out = join(mkdtempSync(join(tmpdir(), 'meshplan-trace-')), 't.json');
    const ok = await cli('plan', ...tiny, '--cluster', 'dgx-h100:1x2', '--intra', 'manual', '--trace', out);
    expect(ok.code).toBe(0);
    expect(readdirSync(join(out, '..'))).toEqual(['t.json']); // no temporary left beside it
  }, 60_000);

  it('an empty graph is refused by inspect and plan alike', async () => {
    const empty = file('empty.json', { ...JSON.parse(graphToJson(zooModel('gpt-tiny'))), ops: [] });
    await refused(/empty\.json: the graph has no ops: nothing to plan/, 'inspect', '--model', empty);
    await refused(/empty\.json: the graph has no ops: nothing to plan/, 'plan', '--model', empty, '--cluster', 'dgx-h100:1x2');
  });
});

describe('silent nonsense refused', () => {
  it('StableHLO dims of 1e20 or negative are refused naming the tensor', async () => {
    const mlir = (d: string) => `module @m {\n  func.func public @main(%arg0: tensor<${d}x4xf32>, %arg1: tensor<4x4xf32>) -> tensor<${d}x4xf32> {\n` +
      `    %0 = stablehlo.dot_general %arg0, %arg1, contracting_dims = [1] x [0] : (tensor<${d}x4xf32>, tensor<4x4xf32>) -> tensor<${d}x4xf32>\n` +
      `    return %0 : tensor<${d}x4xf32>\n  }\n}\n`;
    await refused(/tensor '%arg0' has dimension 100000000000000000000 at axis 0; each must be an integer in 1\.\.2\^40/, 'plan', '--model', file('big.mlir', mlir('100000000000000000000')), '--cluster', 'dgx-h100:1x2');
    await refused(/tensor %arg0 has type tensor<-5x4xf32>: dimension '-5' is not a size/, 'inspect', '--model', file('neg.mlir', mlir('-5')));
  });
});

describe('waste: files are stat-ed and sniffed first', () => {
  it('a 3 GB sparse .onnx is refused by its size without reading it; a 1.9 GB text one by its first bytes', async () => {
    const big = join(dir, 'big.onnx');
    let fd = openSync(big, 'w'); ftruncateSync(fd, 3 * 2 ** 30); closeSync(fd);
    const t0 = performance.now();
    await refused(/model file .*big\.onnx is 3072\.0 MiB; the limit is 2048\.0 MiB/, 'inspect', '--model', big);
    const text = join(dir, 'text.onnx');
    writeFileSync(text, 'hello, this is text\n'.repeat(400));
    fd = openSync(text, 'r+'); ftruncateSync(fd, 1.9e9); closeSync(fd);
    await refused(/text\.onnx is named as onnx but holds/, 'inspect', '--model', text);
    expect(performance.now() - t0).toBeLessThan(5000); // 1.9 GB would take far longer to read
  });
});

describe('small things', () => {
  it('--batch 0x10 is not 16', async () => {
    await refused(/--batch must be a whole number .* got '0x10'/, 'inspect', ...tiny, '--batch', '0x10');
  });

  it('100,000 bad nodes in a preset-sized message: the first few and a count', async () => {
    const nodes = Array.from({ length: 2000 }, (_, i) => ({ gpu: i % 2 ? 'H100-SXM' : 'nope', gpus: 0 }));
    const r = await refused(/; \.\.\. and \d+ more problems$/m, 'plan', ...tiny, '--cluster', file('bad.json', { ...h100x2, nodes }));
    expect(r.stderr.length).toBeLessThan(2000);
  });

  it('NUL bytes and escapes are never echoed', async () => {
    const r = await refused(/unknown zoo model 'gpt\\x00tiny\\x1b\[31m'/, 'inspect', '--model', 'zoo:gpt\u0000tiny\u001b[31m');
    expect(r.stderr).not.toMatch(/\u0000|\u001b/);
  });

  it('meshplan with no command: usage on stderr, exit 2, nothing on stdout', async () => {
    const r = await runCli([]);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(/^meshplan: missing command\nmeshplan <command> \[options\]/);
    const help = await runCli(['--help']);
    expect([help.code, help.stderr]).toEqual([0, '']);
  });
});
