/**
 * StableHLO (MLIR text from JAX) -> IR. Calls are inlined, `while` loops (lax.scan over layers) unrolled with
 * one layer path per trip, constant-only computations folded away, then trainStep.ts splits a whole training step
 * into forward / backward / update and names layers.
 */
import type { DType, ModelGraph } from '../ir/types.ts';
import { constantBatchDim, GraphAssembler, unknownOpWarnings } from './assemble.ts';
import { fail, type ImportProgressCallback } from './errors.ts';
import { parseMlir, type MlirFunc, type Stmt } from './mlirParse.ts';
import { mapHloOp } from './stablehloOps.ts';
import { decodeUtf8 } from './text.ts';
import { analyseTrainStep } from './trainStep.ts';

/** Operations after inlining and unrolling beyond which we refuse (a browser tab would not cope). */
export const MAX_HLO_OPS = 400_000;
/** Statements executed (calls inline their callee each time) beyond which we refuse. */
const MAX_STATEMENTS = 2_000_000;
const RETURN_OPS = new Set(['return', 'func.return', 'stablehlo.return', 'mhlo.return']);
const ELEM: Readonly<Record<string, DType>> = {
  f64: 'f64', f32: 'f32', tf32: 'tf32', f16: 'f16', bf16: 'bf16', i64: 'i64', i32: 'i32', i16: 'i16', i8: 'i8',
  i1: 'bool', ui8: 'u8', ui16: 'i16', ui32: 'i32', ui64: 'i64', si32: 'i32', si64: 'i64', index: 'i64',
};

/** `name` (the SSA value) is named when a dimension is negative or not a number: that tensor cannot exist. */
export function parseTensorType(type: string, batch: number, name = 'a tensor'): { shape: number[]; dtype: DType; dynamic: boolean } {
  const m = /^tensor<(.*)>$/.exec(type.trim());
  if (!m) return { shape: [], dtype: 'u8', dynamic: false };
  const body = m[1]!.split(',')[0]!.trim();
  const parts = body.split('x');
  const elem = parts.pop()!.trim();
  let dynamic = false;
  const shape = parts.map((p) => {
    if (p.trim() === '?') { dynamic = true; return batch; }
    const n = Number(p);
    if (/^\s*-/.test(p) || (p.trim() !== '' && !Number.isFinite(n))) {
      fail('stablehlo', `tensor ${name} has type ${type.trim().slice(0, 80)}: dimension '${p.trim().slice(0, 30)}' is not a size (negative or not a number)`, { node: name });
    }
    return Number.isInteger(n) && n >= 0 ? n : (dynamic = true, 1);
  });
  const dtype = ELEM[elem] ?? (elem.startsWith('f8') ? 'f8' : elem.startsWith('complex') ? 'f64' : elem.startsWith('i') || elem.startsWith('ui') ? 'i32' : 'f32');
  return { shape, dtype, dynamic };
}

const isFloat = (d: DType) => d.startsWith('f') || d === 'bf16' || d === 'tf32';

interface Ctx {
  readonly format: string;
  readonly asm: GraphAssembler;
  readonly funcs: ReadonlyMap<string, MlirFunc>;
  readonly root: string;
  readonly batch: number;
  readonly seq?: number;
  readonly staticIds: Set<string>;
  readonly dataIds: Set<string>;
  /** Scalar integer constants by tensor id (while-loop bounds). */
  readonly scalars: Map<string, number>;
  readonly unknown: Map<string, number>;
  readonly warnings: string[];
  readonly stack: string[];
  readonly progress?: ImportProgressCallback;
  readonly totalStatements: number;
  processed: number;
  dynamicDims: number;
}

function batchDimOf(shape: readonly number[], batch: number, seq: number | undefined): number | undefined {
  if (shape.length && (shape[0] === batch || (seq !== undefined && shape[0] === batch * seq))) return 0;
  const i = shape.indexOf(batch);
  return i >= 0 ? i : undefined;
}

function newTensor(ctx: Ctx, name: string, type: string, kind: 'activation' | 'constant' | 'parameter' | 'input', data: boolean): string {
  const { shape, dtype, dynamic } = parseTensorType(type, ctx.batch, name);
  if (dynamic) ctx.dynamicDims++;
  const id = ctx.asm.tensor({ name, shape, dtype, kind, batchDim: data ? batchDimOf(shape, ctx.batch, ctx.seq) : constantBatchDim(shape, kind, ctx.batch) });
  if (data) ctx.dataIds.add(id);
  if (kind === 'constant') ctx.staticIds.add(id);
  return id;
}

function lookup(env: ReadonlyMap<string, string>, name: string, stmt: Stmt, format: string): string {
  const id = env.get(name);
  if (id === undefined) fail(format, `use of undefined value ${name} in '${stmt.op}'`, { line: stmt.line, column: stmt.col });
  return id;
}

function tripCount(stmt: Stmt, env: ReadonlyMap<string, string>, ctx: Ctx): number | undefined {
  const cond = stmt.regions[0];
  if (!cond || !stmt.bindings) return undefined;
  const local = new Map<string, number>();
  for (const s of cond.body) {
    const v = /dense<(-?\d+)>/.exec(s.text)?.[1];
    if (s.op.endsWith('constant') && v !== undefined && s.results[0]) local.set(s.results[0], Number(v));
  }
  const cmp = cond.body.find((s) => s.op.endsWith('compare'));
  if (!cmp || cmp.operands.length < 2) return undefined;
  const dir = /\b(LT|LE|GT|GE|NE)\b/.exec(cmp.text)?.[1] ?? 'LT';
  const iterIdx = stmt.bindings.findIndex((b) => b[0] === cmp.operands[0]);
  const boundName = cmp.operands[1]!;
  const bound = local.get(boundName) ?? ctx.scalars.get(env.get(boundName) ?? '');
  if (iterIdx < 0 || bound === undefined) return undefined;
  const init = ctx.scalars.get(env.get(stmt.bindings[iterIdx]![1]) ?? '') ?? 0;
  const n = dir === 'LE' ? bound - init + 1 : dir === 'LT' || dir === 'NE' ? bound - init : undefined;
  return n === undefined ? undefined : Math.max(0, n);
}

function countStatements(stmts: readonly Stmt[]): number {
  return stmts.reduce((s, x) => s + 1 + x.regions.reduce((r, g) => r + countStatements(g.body), 0), 0);
}

/** Runs a block, emitting ops; returns the ids its return statement yields. */
function runBlock(stmts: readonly Stmt[], env: Map<string, string>, scope: string, ctx: Ctx): string[] {
  for (const stmt of stmts) {
    if (RETURN_OPS.has(stmt.op)) return stmt.operands.map((n) => lookup(env, n, stmt, ctx.format));
    if (++ctx.processed % 1000 === 0) ctx.progress?.({ phase: 'operators', done: Math.min(ctx.processed, ctx.totalStatements), total: ctx.totalStatements });
    if (ctx.processed > MAX_STATEMENTS) fail(ctx.format, `more than ${MAX_STATEMENTS} statements to run after inlining calls and unrolling loops`, { line: stmt.line, column: stmt.col });
    if (ctx.asm.ops.length > MAX_HLO_OPS) fail(ctx.format, `more than ${MAX_HLO_OPS} operations after inlining calls and unrolling loops`, { line: stmt.line, column: stmt.col });
    const args = stmt.op === 'stablehlo.while' || stmt.op === 'mhlo.while' ? [] : stmt.operands.map((n) => lookup(env, n, stmt, ctx.format));
    let outs: string[];
    if (stmt.op === 'call' || stmt.op === 'func.call') outs = runCall(stmt, args, scope, ctx);
    else if (stmt.op === 'stablehlo.while' || stmt.op === 'mhlo.while') outs = runWhile(stmt, env, scope, ctx);
    else if ((stmt.op.endsWith('.if') || stmt.op.endsWith('.case')) && stmt.regions.length) {
      const branch = [...stmt.regions].sort((p, q) => q.body.length - p.body.length)[0]!;
      outs = runBlock(branch.body, new Map(env), scope, ctx);
    } else outs = emit(stmt, args, scope, ctx);
    if (outs.length < stmt.results.length) fail(ctx.format, `'${stmt.op}' yields ${outs.length} values for ${stmt.results.length} results`, { line: stmt.line, column: stmt.col });
    stmt.results.forEach((r, i) => env.set(r, outs[i]!));
  }
  return [];
}

function runCall(stmt: Stmt, args: string[], scope: string, ctx: Ctx): string[] {
  const f = stmt.callee === undefined ? undefined : ctx.funcs.get(stmt.callee);
  if (!f) fail(ctx.format, `call to undefined function @${stmt.callee ?? '?'}`, { line: stmt.line, column: stmt.col });
  if (ctx.stack.includes(f.name) || ctx.stack.length > 64) fail(ctx.format, `recursive call to @${f.name}`, { line: stmt.line, column: stmt.col });
  if (f.args.length !== args.length) fail(ctx.format, `@${f.name} takes ${f.args.length} arguments, the call passes ${args.length}`, { line: stmt.line, column: stmt.col });
  const env = new Map(f.args.map((a, i) => [a.name, args[i]!] as const));
  ctx.stack.push(f.name);
  const out = runBlock(f.body, env, `${scope}/${f.name}`, ctx);
  ctx.stack.pop();
  return out;
}

function runWhile(stmt: Stmt, env: Map<string, string>, scope: string, ctx: Ctx): string[] {
  const bindings = stmt.bindings ?? [];
  let carried = bindings.map(([, init]) => lookup(env, init, stmt, ctx.format));
  const body = stmt.regions[1];
  if (!body) fail(ctx.format, 'while without a body region', { line: stmt.line, column: stmt.col });
  let trips = stmt.trips ?? tripCount(stmt, env, ctx);
  if (trips === undefined) {
    ctx.warnings.push(`${ctx.format}: the trip count of the while loop at line ${stmt.line} is not a constant; counted once`);
    trips = 1;
  }
  const bodySize = Math.max(1, countStatements(body.body));
  if (trips * bodySize + ctx.asm.ops.length > MAX_HLO_OPS) {
    fail(ctx.format, `the while loop at line ${stmt.line} runs ${trips} times over ${bodySize} operations: more than ${MAX_HLO_OPS} after unrolling`, { line: stmt.line, column: stmt.col });
  }
  for (let i = 0; i < trips; i++) {
    const inner = new Map(env);
    bindings.forEach(([name], j) => inner.set(name, carried[j]!));
    const out = runBlock(body.body, inner, `${scope}/layers.${i}`, ctx);
    if (out.length !== carried.length) fail(ctx.format, `while body returns ${out.length} values for ${carried.length} loop variables`, { line: stmt.line, column: stmt.col });
    carried = out;
  }
  return carried;
}

function emit(stmt: Stmt, args: string[], scope: string, ctx: Ctx): string[] {
  const short = stmt.op.replace(/^(stablehlo|mhlo|chlo)\./, '');
  if (stmt.results.length === 0) return [];
  const types = stmt.outTypes.length >= stmt.results.length ? stmt.outTypes : stmt.results.map(() => stmt.outTypes[0] ?? '');
  if (!types[0]) fail(ctx.format, `'${stmt.op}' has no result type`, { line: stmt.line, column: stmt.col });
  const isConst = short === 'constant' || short === 'iota' || stmt.op === 'arith.constant';
  const isStatic = isConst || (args.length > 0 && args.every((a) => ctx.staticIds.has(a)));
  const data = args.some((a) => ctx.dataIds.has(a));
  const outs = stmt.results.map((r, i) => newTensor(ctx, r, types[i]!, isStatic ? 'constant' : 'activation', data));
  if (isStatic) {
    const v = /dense<(-?\d+)>/.exec(stmt.text)?.[1];
    if (short === 'constant' && v !== undefined) ctx.scalars.set(outs[0]!, Number(v));
    return outs;
  }
  const asm = ctx.asm;
  const mapped = stmt.priced ?? mapHloOp(stmt, args.map((a) => asm.get(a).shape), outs.map((o) => asm.get(o).shape), args.map((a) => asm.get(a).dtype));
  if (!mapped) ctx.unknown.set(stmt.op, (ctx.unknown.get(stmt.op) ?? 0) + 1);
  asm.op({
    name: `${short} ${stmt.results[0]}`,
    kind: mapped?.kind ?? 'unknown',
    attrs: mapped?.attrs ?? { kind: 'unknown', sourceOp: stmt.op },
    flops: mapped?.flops ?? 0,
    ...(mapped ? {} : { bytesRead: 0, bytesWritten: 0 }),
    inputs: args, outputs: outs, path: `${scope}/${short}`,
  });
  return outs;
}

/** A program as functions of statements (StableHLO parsed, or XLA HLO converted by hloConvert.ts), to import. */
export interface Program {
  readonly format: string;
  readonly fileName: string;
  readonly funcs: readonly MlirFunc[];
  readonly main: MlirFunc;
  /** Warnings of the front end (collectives found, partitioned shapes), put first. */
  readonly warnings?: readonly string[];
}

export function importStableHlo(fileName: string, data: Uint8Array, opts: { batch?: number; seq?: number } = {}, onProgress?: ImportProgressCallback): ModelGraph {
  onProgress?.({ phase: 'parse', done: 0, total: 1 });
  const funcs = parseMlir(decodeUtf8(data));
  onProgress?.({ phase: 'parse', done: 1, total: 1 });
  const main = funcs.find((f) => f.name === 'main') ?? funcs.find((f) => f.visibility === 'public') ?? funcs[0]!;
  return importProgram({ format: 'stablehlo', fileName, funcs, main }, opts, onProgress);
}

/** Runs a program's entry function: calls inlined, loops unrolled, then the training step analysed. */
export function importProgram(program: Program, opts: { batch?: number; seq?: number } = {}, onProgress?: ImportProgressCallback): ModelGraph {
  const { format, fileName, funcs, main } = program;
  const byName = new Map(funcs.map((f) => [f.name, f] as const));
  const stem = fileName.replace(/^.*[\\/]/, '').replace(/(\.hlo)?\.(mlir|stablehlo|txt|hlo)$/i, '') || 'model';
  const root = stem.replace(/\./g, '_');
  // Token ids / labels (integer args) give the batch and sequence sizes.
  const argTypes = main.args.map((a) => parseTensorType(a.type, 1, a.name));
  const isInput = (i: number) => !isFloat(argTypes[i]!.dtype) || /\b(inputs?|batch|images?|labels?|tokens?|x|data)\b/i.test(/jax\.arg_info\s*=\s*"([^"]*)"/.exec(main.args[i]!.attrs)?.[1] ?? '');
  const firstInput = argTypes.find((t, i) => isInput(i) && t.shape.length > 0);
  const batch = firstInput?.shape[0] ?? opts.batch ?? 1;
  const seq = firstInput && firstInput.shape.length === 2 ? firstInput.shape[1] : opts.seq;
  const ctx: Ctx = {
    format, asm: new GraphAssembler(), funcs: byName, root, batch, ...(seq === undefined ? {} : { seq }),
    staticIds: new Set(), dataIds: new Set(), scalars: new Map(), unknown: new Map(), warnings: [], stack: [main.name],
    ...(onProgress ? { progress: onProgress } : {}), totalStatements: funcs.reduce((s, f) => s + countStatements(f.body), 0),
    processed: 0, dynamicDims: 0,
  };
  const env = new Map<string, string>();
  const argIds = main.args.map((a, i) => {
    const id = newTensor(ctx, a.name, a.type, isInput(i) ? 'input' : 'parameter', isInput(i));
    env.set(a.name, id);
    return id;
  });
  const results = runBlock(main.body, env, root, ctx);
  onProgress?.({ phase: 'operators', done: ctx.totalStatements, total: ctx.totalStatements });
  if (ctx.asm.ops.length === 0) fail(format, `@${main.name} has no operations left after folding constants`);
  if (ctx.dynamicDims) ctx.warnings.push(`${format}: ${ctx.dynamicDims} tensors have dynamic dims; taken as the batch (${batch})`);
  onProgress?.({ phase: 'phases', done: 0, total: 1 });
  const analysed = analyseTrainStep({
    ops: ctx.asm.ops, tensors: ctx.asm.tensors, argIds: argIds.filter((id) => ctx.asm.get(id).kind === 'parameter'),
    resultIds: results, root,
  });
  ctx.asm.ops.splice(0, ctx.asm.ops.length, ...analysed.ops);
  ctx.asm.tensors.splice(0, ctx.asm.tensors.length, ...analysed.tensors);
  return ctx.asm.finish({
    name: stem, source: `${format}:${fileName.replace(/^.*[\\/]/, '')}`, batch, ...(seq === undefined ? {} : { seq }),
    training: analysed.training, warnings: [...(program.warnings ?? []), ...ctx.warnings, ...unknownOpWarnings(ctx.unknown, format)],
  });
}

