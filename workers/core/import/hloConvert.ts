/**
 * XLA HLO (hloParse.ts) -> the statement form the StableHLO importer runs (mlirParse.ts `MlirFunc` / `Stmt`), so
 * both formats share one graph builder (stablehlo.ts `importProgram`). Tuples are flattened: a tuple-typed value
 * becomes its leaves (`%while#3`), so tuple / get-tuple-element / opt-barrier vanish. A `fusion` or `call` becomes
 * a call of its computation (inlined by the runner, so the dots inside count); `while` becomes stablehlo.while
 * over the body's flattened parameters with XLA's known trip count; `conditional` runs its largest branch; async
 * pairs (`*-start` / `*-done`) become the op they wrap. Attributes are rewritten into the StableHLO spelling the op
 * mapper (stablehloOps.ts) reads. Custom-calls and collectives: hloCustom.ts.
 */
import { fail } from './errors.ts';
import type { HloComputation, HloInstr, HloModule, HloType } from './hloParse.ts';
import { bracket, convText, leavesOf, listOf, tensorType, windowOf } from './hloAttrs.ts';
import { customCall, collectiveText, tripCountOf, type Emit } from './hloCustom.ts';
import type { MlirFunc, Stmt } from './mlirParse.ts';
import { ELEMENTWISE } from './stablehloOps.ts';

const FORMAT = 'hlo';
const unpercent = (s: string | undefined) => s?.trim().replace(/^%/, '');
/** Opcodes the op mapper knows under a StableHLO name other than the HLO one (hyphens become underscores). */
const RENAMED: Readonly<Record<string, string>> = {
  dot: 'dot_general', broadcast: 'broadcast_in_dim', copy: 'reshape', bitcast: 'reshape', 'dynamic-reshape': 'reshape',
};
const MAPPED = new Set([
  'dot_general', 'convolution', 'reduce', 'reduce_window', 'select_and_scatter', 'sort', 'broadcast_in_dim', 'reshape',
  'transpose', 'slice', 'dynamic_slice', 'concatenate', 'gather', 'scatter', 'pad', 'dynamic_update_slice',
  'all_reduce', 'all_gather', 'reduce_scatter', 'all_to_all', 'collective_permute', 'collective_broadcast',
]);
const CONSTANT_LIKE = new Set(['constant', 'iota', 'partition-id', 'replica-id', 'after-all', 'get-dimension-size', 'rng-get-and-update-state', 'create-token']);
const ALIASES = new Set(['opt-barrier', 'domain', 'add-dependency', 'async-update', 'send-done', 'recv-done']);
const COLLECTIVES = new Set(['all-reduce', 'all-gather', 'reduce-scatter', 'all-to-all', 'collective-permute', 'collective-broadcast', 'ragged-all-to-all']);

/** `%x` for one array, `%x#0`, `%x#1` ... for the leaves of a tuple. */
function leafNames(name: string, t: HloType): string[] {
  return t.kind === 'array' ? [`%${name}`] : leavesOf(t).map((_, i) => `%${name}#${i}`);
}

export class HloConverter {
  readonly funcs = new Map<string, MlirFunc>();
  private readonly converting = new Set<string>();
  constructor(private readonly mod: HloModule) {}

  /** The function of a computation, converted once (callees first). */
  func(name: string, at: HloInstr): MlirFunc {
    const done = this.funcs.get(name);
    if (done) return done;
    const comp = this.mod.computations.get(name);
    if (!comp) fail(FORMAT, `line ${at.line}: ${at.opcode} %${at.name} calls %${name}, which is not defined`, { line: at.line });
    if (this.converting.has(name)) fail(FORMAT, `line ${at.line}: computation %${name} calls itself`, { line: at.line });
    this.converting.add(name);
    const f = this.convert(comp);
    this.converting.delete(name);
    this.funcs.set(name, f);
    return f;
  }

  private convert(comp: HloComputation): MlirFunc {
    const values = new Map<string, string[]>();
    const types = new Map<string, HloType>();
    const asyncOut = new Map<string, string[]>();
    const params = comp.instrs.filter((i) => i.opcode === 'parameter').sort((a, b) => Number(a.inner) - Number(b.inner));
    const args = params.flatMap((p) => {
      const names = leafNames(p.name, p.type);
      values.set(p.name, names);
      types.set(p.name, p.type);
      const info = /op_name="([^"]*)"/.exec(p.attrs.get('metadata') ?? '')?.[1] ?? p.name;
      return leavesOf(p.type).map((t, k) => ({ name: names[k]!, type: tensorType(t), attrs: `{ jax.arg_info = "${info.replace(/[\\"]/g, '')}" }` }));
    });
    const body: Stmt[] = [];
    const get = (n: string, at: HloInstr): string[] => {
      const v = values.get(n);
      if (!v) fail(FORMAT, `line ${at.line}: use of undefined value %${n} in ${at.opcode} %${at.name}`, { line: at.line });
      return v;
    };
    for (const ins of comp.instrs) {
      if (ins.opcode === 'parameter') continue;
      types.set(ins.name, ins.type);
      const operands = ins.operands.flatMap((o) => get(o, ins));
      const results = leafNames(ins.name, ins.type);
      const outTypes = leavesOf(ins.type).map(tensorType);
      const emit: Emit = (op, ops, text, res = results, outs = outTypes, extra = {}) => body.push({ results: res, op, operands: ops, text, inTypes: [], outTypes: outs, regions: [], line: ins.line, col: 1, ...extra });
      values.set(ins.name, results);
      const code = ins.opcode;
      if (code === 'get-tuple-element') {
        const t = types.get(ins.operands[0] ?? '');
        const idx = listOf(ins.attrs.get('index'))[0] ?? 0;
        if (!t || t.kind !== 'tuple' || idx >= t.elems.length) fail(FORMAT, `line ${ins.line}: get-tuple-element index ${idx} of a value that is not a tuple of that size`, { line: ins.line });
        const start = t.elems.slice(0, idx).reduce((s, e) => s + leavesOf(e).length, 0);
        values.set(ins.name, operands.slice(start, start + leavesOf(t.elems[idx]!).length));
      } else if (code === 'tuple' || ALIASES.has(code)) {
        const out = code === 'tuple' || code === 'opt-barrier' ? operands : code === 'async-update' ? (asyncOut.get(ins.operands[0]!) ?? operands) : operands.slice(0, results.length);
        values.set(ins.name, out);
        if (code === 'async-update') asyncOut.set(ins.name, asyncOut.get(ins.operands[0]!) ?? out);
      } else if (code === 'copy-start') {
        // (destination, source, context): both buffers are the operand; copy-done takes the first.
        values.set(ins.name, [...operands, ...operands, ...results.slice(2 * operands.length)]);
        if (results.length > 2 * operands.length) emit('stablehlo.constant', [], 'dense<0>', results.slice(2 * operands.length), outTypes.slice(2 * operands.length));
      } else if (code.endsWith('-done')) {
        values.set(ins.name, asyncOut.get(ins.operands[0] ?? '') ?? operands.slice(0, results.length));
      } else if (CONSTANT_LIKE.has(code)) {
        emit('stablehlo.constant', [], /^-?\d+$/.test(ins.inner.trim()) ? `dense<${ins.inner.trim()}>` : 'dense<...>');
      } else if (code === 'fusion' || code === 'call' || code === 'async-start' || code.endsWith('-start')) {
        this.callLike(ins, operands, results, outTypes, emit, asyncOut);
      } else if (code === 'while') {
        const bodyFn = this.func(unpercent(ins.attrs.get('body')) ?? '', ins);
        if (bodyFn.args.length !== operands.length) fail(FORMAT, `line ${ins.line}: while %${ins.name} carries ${operands.length} values, its body takes ${bodyFn.args.length}`, { line: ins.line });
        const trips = tripCountOf(ins, this.mod);
        emit('stablehlo.while', operands, '', results, outTypes, {
          bindings: bodyFn.args.map((a, i) => [a.name, operands[i]!] as const), regions: [{ args: [], body: [] }, { args: [], body: bodyFn.body }],
          ...(trips === undefined ? {} : { trips }),
        });
      } else if (code === 'conditional') {
        const branches = ins.attrs.has('branch_computations') ? splitNames(ins.attrs.get('branch_computations')!) : [unpercent(ins.attrs.get('true_computation')), unpercent(ins.attrs.get('false_computation'))].filter((x): x is string => !!x);
        const sizes = branches.map((b) => this.mod.computations.get(b)?.instrs.length ?? 0);
        const pick = sizes.indexOf(Math.max(...sizes));
        if (pick < 0) fail(FORMAT, `line ${ins.line}: conditional %${ins.name} has no branch computations`, { line: ins.line });
        const f = this.func(branches[pick]!, ins);
        emit('call', get(ins.operands[pick + 1] ?? '', ins), '', results, outTypes, { callee: f.name });
      } else if (code === 'custom-call') {
        customCall(ins, operands, ins.operands.flatMap((o) => leavesOf(types.get(o)!)), results, outTypes, emit);
      } else if (COLLECTIVES.has(code)) {
        collective(code, operands, results, outTypes, collectiveText(ins), emit);
      } else emit(...this.plain(ins, operands));
    }
    const root = comp.instrs.find((i) => i.root) ?? comp.instrs[comp.instrs.length - 1]!;
    body.push({ results: [], op: 'return', operands: get(root.name, root), text: '', inTypes: [], outTypes: [], regions: [], line: root.line, col: 1 });
    return { name: comp.name, visibility: comp.entry ? 'public' : 'private', args, results: leavesOf(root.type).map((t) => ({ type: tensorType(t), attrs: '' })), body, line: comp.line };
  }

  /** fusion / call / async-start / collective *-start: a call of the wrapped computation, or the collective itself. */
  private callLike(ins: HloInstr, operands: string[], results: string[], outTypes: string[], emit: Emit, asyncOut: Map<string, string[]>): void {
    const t = ins.type;
    // Async starts hold (operands, result, state...): the result is the second element.
    const isStart = ins.opcode.endsWith('-start');
    // (all-reduce-start yields its results as they are, a tuple when XLA combined several.)
    const outElem = isStart && ins.opcode !== 'all-reduce-start' && t.kind === 'tuple' && t.elems.length >= 2 ? 1 : -1;
    const start = outElem > 0 && t.kind === 'tuple' ? leavesOf(t.elems[0]!).length : 0;
    const count = outElem > 0 && t.kind === 'tuple' ? leavesOf(t.elems[1]!).length : results.length;
    const res = results.slice(start, start + count), outs = outTypes.slice(start, start + count);
    const base = ins.opcode.replace(/-start$/, '');
    const callee = unpercent(ins.attrs.get('calls') ?? ins.attrs.get('to_apply'));
    if (COLLECTIVES.has(base)) collective(base, operands, res, outs, collectiveText(ins), emit);
    else if (callee && (ins.opcode !== 'all-reduce-start')) emit('call', operands, '', res, outs, { callee: this.func(callee, ins).name });
    else fail(FORMAT, `line ${ins.line}: ${ins.opcode} %${ins.name} names no computation (calls=)`, { line: ins.line });
    if (isStart) {
      asyncOut.set(ins.name, res);
      // The other leaves of the start's tuple (operand copies, state) are constants nobody prices.
      const rest = results.map((r, i) => [r, outTypes[i]!] as const).filter((_, i) => i < start || i >= start + count);
      if (rest.length) emit('stablehlo.constant', [], 'dense<0>', rest.map((r) => r[0]), rest.map((r) => r[1]));
    }
  }

  /** Every other op: its StableHLO name and the attributes the op mapper reads. */
  private plain(ins: HloInstr, operands: string[]): [string, string[], string] {
    const name = RENAMED[ins.opcode] ?? ins.opcode.replace(/-/g, '_');
    const a = ins.attrs;
    const known = MAPPED.has(name) || ELEMENTWISE[name] !== undefined;
    const dims = listOf(a.get('dimensions'));
    const reducer = () => {
      const c = this.func(unpercent(a.get('to_apply') ?? a.get('scatter')) ?? '', ins);
      return `applies stablehlo.${c.body.find((s) => s.op !== 'return' && s.op !== 'stablehlo.constant')?.op.replace(/^stablehlo\./, '') ?? 'other'} `;
    };
    let text = '';
    switch (name) {
      case 'dot_general': text = `batching_dims = ${bracket(listOf(a.get('lhs_batch_dims')))} x ${bracket(listOf(a.get('rhs_batch_dims')))}, contracting_dims = ${bracket(listOf(a.get('lhs_contracting_dims')))} x ${bracket(listOf(a.get('rhs_contracting_dims')))}`; break;
      case 'convolution': text = convText(a); break;
      case 'reduce': text = `${reducer()}dimensions = ${bracket(dims)}`; break;
      case 'reduce_window': case 'select_and_scatter': {
        const w = windowOf(a.get('window'));
        text = `${reducer()}window_dimensions = ${bracket(w.size)}, window_strides = ${bracket(w.stride ?? w.size.map(() => 1))}, padding = dense<[${(w.pad ?? []).map((p) => bracket(p)).join(', ')}]>`;
        break;
      }
      case 'broadcast_in_dim': case 'transpose': text = `dims = ${bracket(dims)}`; break;
      case 'concatenate': text = `dimension = ${dims[0] ?? 0}`; break;
      case 'sort': text = `dimensions = ${bracket(dims)}`; break;
      case 'gather': text = `start_index_map = ${bracket(listOf(a.get('start_index_map')))}`; break;
      default: break;
    }
    return [known ? `stablehlo.${name}` : `hlo.${ins.opcode}`, operands, text];
  }
}

/**
 * A collective; a combined one (XLA's combiner passes merge N all-reduces into one of N operands and results) as
 * N ops, so that the loss's partial sum does not depend on the gradients it was combined with.
 */
function collective(code: string, operands: string[], results: string[], outTypes: string[], text: string, emit: Emit): void {
  const op = `stablehlo.${code.replace(/-/g, '_')}`;
  if (operands.length > 1 && operands.length === results.length) operands.forEach((o, i) => emit(op, [o], text, [results[i]!], [outTypes[i]!]));
  else emit(op, operands, text, results, outTypes);
}

function splitNames(v: string): string[] {
  return v.replace(/^\{|\}$/g, '').split(',').map((s) => s.trim().replace(/^%/, '')).filter(Boolean);
}
