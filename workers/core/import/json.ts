/**
 * Meshplan's own model-graph JSON (schemaVersion 1): a zod schema mirroring ir/types.ts, export and import that
 * round-trip exactly, and checks zod cannot express (unknown tensor references, two producers, cycles).
 * public/meshplan-graph.schema.json is generated from GraphSchema (see json.test.ts).
 */
import { z } from 'zod';
import type { ModelGraph } from '../ir/types.ts';
import { fail } from './errors.ts';

const FORMAT = 'json';
const dim = z.number().int().nonnegative();
const dims = z.array(z.number().int());

const DTypeSchema = z.enum(['f64', 'f32', 'tf32', 'f16', 'bf16', 'f8', 'i64', 'i32', 'i16', 'i8', 'u8', 'bool']);
const TensorSchema = z.object({
  id: z.string().min(1),
  name: z.string().describe('Name in the source model; shown as plain text, never HTML'),
  shape: z.array(dim),
  dtype: DTypeSchema,
  kind: z.enum(['input', 'parameter', 'activation', 'constant', 'optimizer-state']),
  batchDim: dim.optional().describe('Dimension that scales with the batch'),
}).strict();

const AttrsSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('dot'), lhsBatch: dims, rhsBatch: dims, lhsContract: dims, rhsContract: dims }).strict(),
  z.object({
    kind: z.literal('conv'), inputBatchDim: dim, inputFeatureDim: dim, inputSpatialDims: dims,
    kernelOutputFeatureDim: dim, kernelInputFeatureDim: dim, kernelSpatialDims: dims, outputBatchDim: dim,
    outputFeatureDim: dim, outputSpatialDims: dims, featureGroupCount: z.number().int().positive(), strides: dims,
    padding: z.array(z.tuple([z.number().int(), z.number().int()])).optional(), dilations: dims.optional(),
  }).strict(),
  z.object({ kind: z.literal('reduce'), dims, reducer: z.enum(['sum', 'max', 'min', 'mean', 'other']) }).strict(),
  z.object({ kind: z.literal('axis'), axis: z.number().int() }).strict(),
  z.object({ kind: z.literal('norm'), axes: dims, rms: z.boolean().optional() }).strict(),
  z.object({ kind: z.literal('transpose'), perm: dims }).strict(),
  z.object({ kind: z.literal('broadcast'), dims }).strict(),
  z.object({ kind: z.literal('elementwise'), fn: z.string() }).strict(),
  z.object({ kind: z.literal('gather'), axis: z.number().int() }).strict(),
  z.object({ kind: z.literal('pool'), window: dims, strides: dims, fn: z.enum(['max', 'avg']), padding: z.array(z.tuple([z.number().int(), z.number().int()])).optional() }).strict(),
  z.object({ kind: z.literal('unknown'), sourceOp: z.string() }).strict(),
  z.object({ kind: z.literal('none') }).strict(),
]);

const OpSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  kind: z.enum(['dot', 'conv', 'elementwise', 'reduce', 'softmax', 'layernorm', 'batchnorm', 'pool', 'reshape',
    'transpose', 'broadcast', 'slice', 'concatenate', 'gather', 'scatter', 'constant', 'optimizer', 'unknown']),
  inputs: z.array(z.string()),
  outputs: z.array(z.string()),
  attrs: AttrsSchema,
  flops: z.number().nonnegative().describe('Floating-point operations of one execution (multiply-add = 2)'),
  bytesRead: z.number().nonnegative(),
  bytesWritten: z.number().nonnegative(),
  path: z.string().describe("Hierarchical location, '/'-separated; layers are segments like 'h.3' or 'layers.3'"),
  phase: z.enum(['forward', 'backward', 'update']),
  pairedPath: z.string().optional().describe('For backward/update ops: the forward layer they pair with'),
}).strict();

/** schemaVersion 1 of a Meshplan model graph. */
export const GraphSchema = z.object({
  schemaVersion: z.literal(1),
  name: z.string(),
  source: z.string(),
  family: z.string().optional(),
  config: z.record(z.string(), z.number()).optional(),
  batch: z.number().int().positive(),
  seq: z.number().int().positive().optional(),
  tensors: z.array(TensorSchema),
  ops: z.array(OpSchema).describe('In topological order'),
  training: z.object({ optimizer: z.enum(['adam', 'sgd']), explicitBackward: z.boolean() }).strict().nullable(),
  warnings: z.array(z.string()).optional(),
}).strict().describe('Meshplan model graph, schemaVersion 1: tensors and ops (topological order) with FLOPs and bytes');

export function graphJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(GraphSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
}

/** The graph as JSON text; graphFromJson(JSON.parse(graphToJson(g))) deep-equals g. */
export function graphToJson(graph: ModelGraph): string {
  return JSON.stringify(graph, null, 1);
}

function checkReferences(g: ModelGraph): void {
  const tensorIds = new Set<string>();
  for (const t of g.tensors) {
    if (tensorIds.has(t.id)) fail(FORMAT, `tensor id '${t.id}' is used twice`, { node: t.id });
    tensorIds.add(t.id);
  }
  const producer = new Map<string, number>();
  const opIds = new Set<string>();
  g.ops.forEach((op, i) => {
    if (opIds.has(op.id)) fail(FORMAT, `op id '${op.id}' is used twice`, { node: op.id });
    opIds.add(op.id);
    for (const t of [...op.inputs, ...op.outputs]) {
      if (!tensorIds.has(t)) fail(FORMAT, `op '${op.id}' (${op.name}) refers to unknown tensor '${t}'`, { node: op.id });
    }
    for (const t of op.outputs) {
      if (producer.has(t)) fail(FORMAT, `tensor '${t}' is written by two ops ('${g.ops[producer.get(t)!]!.id}' and '${op.id}')`, { node: op.id });
      producer.set(t, i);
    }
  });
  // Cycle check (iterative DFS over producers); ops must also come in topological order.
  const state = new Uint8Array(g.ops.length);
  for (let s = 0; s < g.ops.length; s++) {
    if (state[s]) continue;
    const stack: [number, number][] = [[s, 0]];
    state[s] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const op = g.ops[top[0]]!;
      if (top[1] < op.inputs.length) {
        const p = producer.get(op.inputs[top[1]++]!);
        if (p === undefined || state[p] === 2) continue;
        if (state[p] === 1) {
          const cycle = [...stack.slice(stack.findIndex(([i]) => i === p)).map(([i]) => g.ops[i]!.id), g.ops[p]!.id];
          fail(FORMAT, `the graph has a cycle: ${cycle.join(' -> ')}`, { node: g.ops[p]!.id });
        }
        state[p] = 1;
        stack.push([p, 0]);
      } else {
        state[top[0]] = 2;
        stack.pop();
      }
    }
  }
  g.ops.forEach((op, i) => {
    for (const t of op.inputs) {
      const p = producer.get(t);
      if (p !== undefined && p > i) fail(FORMAT, `op '${op.id}' reads '${t}' before op '${g.ops[p]!.id}' writes it; list ops in topological order`, { node: op.id });
    }
  });
}

/** A parsed JSON value -> ModelGraph, or an ImportFailure naming the first problem and where it is. */
export function graphFromJson(value: unknown): ModelGraph {
  const parsed = GraphSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.join('.');
    const version = (value as { schemaVersion?: unknown } | null)?.schemaVersion;
    const hint = version !== undefined && version !== 1 ? ` (schemaVersion ${String(version)} is not supported; this version reads 1)` : '';
    fail(FORMAT, `not a Meshplan graph: ${where ? `${where}: ` : ''}${issue.message}${hint}`, where ? { node: where } : {});
  }
  const graph = parsed.data as ModelGraph;
  checkReferences(graph);
  return graph;
}
