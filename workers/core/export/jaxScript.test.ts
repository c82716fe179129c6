import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseClusterSpec } from '../cluster/spec.ts';
import type { Plan } from '../inter/plan.ts';
import type { ModelGraph } from '../ir/types.ts';
import { defaultPlanOptions, plan } from '../plan.ts';
import type { PlanOptions } from '../plan/types.ts';
import { zooModel } from '../zoo/index.ts';
import { jaxScript, jaxScriptPlan, scheduleOrder, stageContents, zeroSpec, type JaxScriptPlan } from './jaxScript.ts';

async function planned(model: string, cluster: string, over: Partial<PlanOptions>, batch = 8): Promise<{ p: Plan; g: ModelGraph }> {
  const g = zooModel(model, { batch });
  const r = await plan(g, parseClusterSpec(cluster), { ...defaultPlanOptions(g), precision: 'bf16-adam32', runtime: 'xla', ...over },
    undefined, undefined, { intra: 'manual' });
  if (!r.ok) throw new Error(r.reason);
  return { p: r.plan, g };
}

function exported(p: Plan, g: ModelGraph): JaxScriptPlan {
  const r = jaxScriptPlan(p, g, 'bf16-adam32');
  if (typeof r === 'string') throw new Error(r);
  return r;
}

/** Every forward after its input's forward, every backward after its forward and after the next stage's backward. */
function respectsDependencies(order: JaxScriptPlan['order'], stages: number): boolean {
  const at = new Map(order.map(([k, s, m], i) => [`${k}${s},${m}`, i]));
  return order.every(([k, s, m], i) => (k === 'F'
    ? s === 0 || at.get(`F${s - 1},${m}`)! < i
    : at.get(`F${s},${m}`)! < i && (s === stages - 1 || at.get(`B${s + 1},${m}`)! < i)));
}

const dir = mkdtempSync(join(tmpdir(), 'meshplan-jax-'));
function compiles(script: string, name: string): void {
  const file = join(dir, `${name}.py`);
  writeFileSync(file, script);
  execFileSync('python3', ['-m', 'py_compile', file]);
}

describe('stageContents', () => {
  it('reads blocks, embedding and head from layer names', () => {
    expect(stageContents(['pre .. layer 0', 'layer 1 .. layer 2', 'layer 3'], 24)).toEqual({ pre: true, post: false, first: 0, end: 4 });
    expect(stageContents(['layer 12', 'layer 13 .. post'], 24)).toEqual({ pre: false, post: true, first: 12, end: 24 });
    expect(stageContents(['pre'], 2)).toEqual({ pre: true, post: false, first: 0, end: 0 });
    expect(() => stageContents(['block 3'], 4)).toThrow("layer name 'block 3' is not 'pre', 'post' or 'layer N'");
  });
});

describe('zeroSpec', () => {
  it('splits the largest replicated dim over the mesh axes the spec leaves free', () => {
    expect(zeroSpec([64, 192], [null, null], [4, 1])).toEqual([null, 'x']);
    expect(zeroSpec([64, 192], [null, 'y'], [2, 2])).toEqual(['x', 'y']);
    expect(zeroSpec([6, 10], [null, null], [2, 2])).toEqual([null, null]);
    expect(zeroSpec([64], [null], [2, 4])).toEqual([['x', 'y']]);
  });
});

describe('jaxScript', () => {
  it('one GPU: one 1x1 stage holding the whole model, replicated specs, the plan JSON readable back from the script', async () => {
    const { p, g } = await planned('gpt-tiny', 'dgx-h100:1x1', { baseline: 'dp', remat: 'on', microbatches: 2 });
    const r = jaxScript(p, g, 'bf16-adam32');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const json = /PLAN = json\.loads\(r'''(.*)'''\)/.exec(r.script)![1];
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(r.plan)));
    expect(r.plan.stages).toHaveLength(1);
    expect(r.plan.stages[0]).toMatchObject({ devices: [0], mesh: [1, 1], remat: true, pre: true, post: true });
    expect(r.plan.stages[0].segments.map((s) => s.blocks)).toEqual([[0, 2]]);
    expect(r.plan.microbatches).toBe(2);
    expect(r.plan.model).toMatchObject({ family: 'gpt', hidden: 64, layers: 2, heads: 4, vocab: 512, seq: 32 });
    expect(r.plan.predicted.stepSeconds).toBe(p.stepSeconds);
    compiles(r.script, 'one-gpu');
  });

  it('2 GPUs data parallel: the batch on mesh axis x, parameters replicated', async () => {
    const { p, g } = await planned('gpt-tiny', 'dgx-h100:1x2', { baseline: 'dp' });
    const s = exported(p, g).stages[0];
    expect(s.mesh).toEqual([2, 1]);
    expect(s.tokens).toEqual(['x', null]);
    expect(s.segments[0].params['attn/qkv/kernel']).toEqual([null, null]);
    expect(s.segments[0].acts['mlp/residual']).toEqual(['x', null, null]);
  });

  it('4 GPUs ZeRO-3: parameters and optimizer state split on their largest dim', async () => {
    const { p, g } = await planned('gpt-tiny', 'dgx-h100:1x4', { baseline: 'zero3' });
    const s = exported(p, g).stages[0];
    expect(s.mesh).toEqual([4, 1]);
    expect(s.segments[0].params['attn/qkv/kernel']).toEqual([null, 'x']);
    expect(s.segments[0].opt['mlp/proj/kernel']).toEqual(['x', null]);
    expect(s.outer.wte).toEqual(['x', null]);
  });

  it('8 GPUs Megatron dp2 tp2 pp2: two 2x2 stages, column/row-parallel weights, a 1F1B order that respects dependencies', async () => {
    const { p, g } = await planned('gpt-tiny', 'dgx-h100:1x8', { baseline: 'megatron', dp: 2, tp: 2, pp: 2, microbatches: 2 });
    const x = exported(p, g);
    expect(x.stages.map((s) => [s.devices, s.mesh, s.pre, s.post])).toEqual([
      [[0, 1, 2, 3], [2, 2], true, false], [[4, 5, 6, 7], [2, 2], false, true]]);
    expect(x.stages.map((s) => s.segments.map((seg) => seg.blocks))).toEqual([[[0, 1]], [[1, 2]]]);
    const seg = x.stages[0].segments[0];
    expect(seg.params['attn/qkv/kernel']).toEqual([null, 'y']);
    expect(seg.params['attn/proj/kernel']).toEqual(['y', null]);
    expect(x.stages[1].outer.wte).toBeDefined();
    expect(x.order).toHaveLength(2 * 2 * 2);
    expect(respectsDependencies(x.order, 2)).toBe(true);
    expect(x.order.slice(0, 3)).toEqual([['F', 0, 0], ['F', 0, 1], ['F', 1, 0]]);
    const r = jaxScript(p, g, 'bf16-adam32');
    expect(r.ok).toBe(true);
    if (r.ok) compiles(r.script, 'dp2tp2pp2');
  });

  it('Llama with grouped-query attention on 4 GPUs (tp2 pp2): Llama parameter names and specs', async () => {
    const { p, g } = await planned('llama-tiny', 'dgx-h100:1x4', { baseline: 'megatron', dp: 1, tp: 2, pp: 2, microbatches: 4 });
    const x = exported(p, g);
    expect(x.model).toMatchObject({ family: 'llama', kvHeads: 2, heads: 4 });
    expect(Object.keys(x.stages[0].segments[0].params)).toContain('self_attn/k_proj/kernel');
    expect(x.stages[0].outer.embed).toBeDefined();
    expect(x.stages[1].outer['lm_head/kernel']).toBeDefined();
    expect(respectsDependencies(x.order, 2)).toBe(true);
    expect(x.order).toHaveLength(2 * 2 * 4);
  });

  it('a plan without a timeline runs in GPipe order', async () => {
    const { p } = await planned('gpt-tiny', 'dgx-h100:1x4', { baseline: 'megatron', dp: 1, tp: 2, pp: 2, microbatches: 2 });
    expect(scheduleOrder({ ...p, timeline: [] })).toEqual([['F', 0, 0], ['F', 1, 0], ['F', 0, 1], ['F', 1, 1], ['B', 1, 0], ['B', 0, 0], ['B', 1, 1], ['B', 0, 1]]);
  });

  it('says which models and plans it cannot export', async () => {
    const { p, g } = await planned('gpt-tiny', 'dgx-h100:1x1', { baseline: 'dp' });
    expect(jaxScript(p, { ...g, family: 'wresnet', name: 'wresnet-250M' }, 'bf16-adam32'))
      .toEqual({ ok: false, reason: 'the JAX export rebuilds zoo GPT and Llama models in plain JAX; wresnet-250M is a wresnet model' });
    expect(jaxScript({ ...p, mode: 'infer' }, g, 'bf16-adam32')).toMatchObject({ ok: false, reason: expect.stringMatching(/inference plan/) });
    expect(jaxScript(p, g, 'fp16-adafactor')).toEqual({ ok: false, reason: "the JAX export's script trains with Adam; this plan's state is Adafactor's (fp16-adafactor)" });
    const bare = { ...p, stages: p.stages.map(({ sharding: _s, ...s }) => s) };
    expect(jaxScript(bare, g, 'bf16-adam32')).toMatchObject({ ok: false, reason: 'stage 0 has no per-tensor shardings (a plan printed without --sharding)' });
  });
});
