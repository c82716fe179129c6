/**
 * A tolerant parser for the MLIR text that `jax.jit(f).lower(...).as_text()` prints: modules, func.func, op
 * statements with their SSA results, operands, trailing type signature and nested regions. Attributes are kept as
 * raw text for the op mapper to pick what it needs; everything else is skipped. Errors carry line and column.
 */
import type { OpAttrs, OpKind } from '../ir/types.ts';
import { fail } from './errors.ts';
import { tokenize, type Token } from './mlirTokens.ts';

const FORMAT = 'stablehlo';

export interface Stmt {
  readonly results: readonly string[];
  readonly op: string;
  /** SSA operands in order of appearance before the type signature (region bodies excluded). */
  readonly operands: readonly string[];
  /** Header tokens joined by spaces (attributes, dimension numbers), for regex lookups. */
  readonly text: string;
  readonly inTypes: readonly string[];
  readonly outTypes: readonly string[];
  readonly regions: readonly Region[];
  readonly callee?: string;
  /** `%iterArg = %init` pairs of stablehlo.while. */
  readonly bindings?: readonly (readonly [string, string])[];
  /** A while loop's trip count when the source states it (XLA's known_trip_count). */
  readonly trips?: number;
  /** The IR op when the source prices it itself (XLA custom-calls: cuBLAS gemms, cuDNN convolutions). */
  readonly priced?: { readonly kind: OpKind; readonly attrs: OpAttrs; readonly flops: number };
  readonly line: number;
  readonly col: number;
}
export interface Region { readonly args: readonly string[]; readonly body: readonly Stmt[] }
export interface MlirFunc {
  readonly name: string;
  readonly visibility: string;
  readonly args: readonly { name: string; type: string; attrs: string }[];
  readonly results: readonly { type: string; attrs: string }[];
  readonly body: readonly Stmt[];
  readonly line: number;
}

const MAX_REGION_DEPTH = 64;

export class MlirParser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly toks: readonly Token[]) {}

  private peek(o = 0): Token { return this.toks[Math.min(this.pos + o, this.toks.length - 1)]!; }
  private next(): Token { const t = this.peek(); if (t.k !== 'eof') this.pos++; return t; }
  private error(msg: string, t = this.peek()): never {
    fail(FORMAT, `${msg} (found ${t.k === 'eof' ? 'end of file' : t.k === 'nl' ? 'end of line' : `'${t.v}'`})`, { line: t.line, column: t.col });
  }
  private expect(v: string): Token { const t = this.peek(); if (t.v !== v) this.error(`expected '${v}'`); return this.next(); }
  private skipNl(): void { while (this.peek().k === 'nl') this.pos++; }

  /** Balanced {...} or (...) text from the current opening token. */
  private balanced(): string {
    const open = this.next(), close = open.v === '{' ? '}' : open.v === '(' ? ')' : ']';
    const parts: string[] = [open.v];
    let depth = 1;
    while (depth > 0) {
      const t = this.next();
      if (t.k === 'eof') this.error(`unclosed '${open.v}' opened at line ${open.line}`, t);
      if (t.v === open.v) depth++;
      else if (t.v === close) depth--;
      if (t.k !== 'nl') parts.push(t.v);
    }
    return parts.join(' ');
  }

  parseModule(): MlirFunc[] {
    const funcs: MlirFunc[] = [];
    let depth = 0;
    for (;;) {
      this.skipNl();
      const t = this.peek();
      if (t.k === 'eof') break;
      if (t.v === 'module' || t.v === 'builtin.module') {
        this.next();
        while (this.peek().v !== '{') {
          if (this.peek().k === 'eof' || this.peek().k === 'nl') this.error("expected '{' after module");
          if (this.next().v === 'attributes' && this.peek().v === '{') this.balanced();
        }
        this.next();
        depth++;
      } else if (t.v === 'func.func' || t.v === 'func') {
        funcs.push(this.parseFunc());
      } else if (t.v === '}' && depth > 0) {
        this.next();
        depth--;
      } else if (t.v.startsWith('#') || t.v.startsWith('!') || t.v === 'sdy.mesh') {
        // Attribute / type aliases and Shardy mesh declarations (sharded jax.jit programs): not ops.
        while (this.peek().k !== 'nl' && this.peek().k !== 'eof') this.next();
      } else this.error('expected module or func.func');
    }
    if (depth > 0) this.error("missing '}' at the end of the module");
    if (funcs.length === 0) this.error('no func.func in the file');
    return funcs;
  }

  private parseFunc(): MlirFunc {
    const head = this.next();
    if (['public', 'private', 'nested'].includes(this.peek().v)) this.next();
    const visibility = this.toks[this.pos - 1]!.v === head.v ? 'public' : this.toks[this.pos - 1]!.v;
    const name = this.peek().k === 'sym' ? this.next().v.slice(1) : this.error('expected @name of func.func');
    this.expect('(');
    const args: { name: string; type: string; attrs: string }[] = [];
    this.skipNl();
    while (this.peek().v !== ')') {
      const a = this.peek().k === 'ssa' ? this.next().v : this.error('expected %argument');
      this.expect(':');
      const type = this.next().v;
      const attrs = this.peek().v === '{' ? this.balanced() : '';
      args.push({ name: a, type, attrs });
      if (this.peek().v === ',') this.next();
      else if (this.peek().v !== ')') this.error("expected ',' or ')' in the argument list");
      this.skipNl();
    }
    this.next();
    const results: { type: string; attrs: string }[] = [];
    if (this.peek().v === '->') {
      this.next();
      if (this.peek().v === '(') {
        this.next();
        while (this.peek().v !== ')') {
          const type = this.next().v;
          if (type === '' ) this.error('unexpected end of file in result types');
          results.push({ type, attrs: this.peek().v === '{' ? this.balanced() : '' });
          if (this.peek().v === ',') this.next();
          else if (this.peek().v !== ')') this.error("expected ',' or ')' in the result types");
        }
        this.next();
      } else results.push({ type: this.next().v, attrs: '' });
    }
    if (this.peek().v === 'attributes') { this.next(); if (this.peek().v === '{') this.balanced(); }
    this.expect('{');
    const body = this.parseBlock();
    return { name, visibility, args, results, body, line: head.line };
  }

  /** Statements up to and including the closing '}'. */
  private parseBlock(): Stmt[] {
    const out: Stmt[] = [];
    if (++this.depth > MAX_REGION_DEPTH) this.error(`regions nested deeper than ${MAX_REGION_DEPTH}`);
    for (;;) {
      this.skipNl();
      const t = this.peek();
      if (t.k === 'eof') this.error("missing '}' to close a block");
      if (t.v === '}') { this.next(); this.depth--; return out; }
      if (t.k === 'id' && t.v.startsWith('^')) {
        // Block label: ^bb0(%a: tensor<f32>, ...): its arguments are region arguments (reducer scalars).
        while (this.peek().k !== 'nl' && this.peek().k !== 'eof') this.next();
        continue;
      }
      out.push(this.parseStmt());
    }
  }

  private parseRegionArgs(): string[] {
    const save = this.pos;
    this.skipNl();
    const args: string[] = [];
    if (this.peek().k === 'id' && this.peek().v.startsWith('^')) {
      for (let j = this.pos; this.toks[j] && this.toks[j]!.k !== 'nl' && this.toks[j]!.k !== 'eof'; j++) if (this.toks[j]!.k === 'ssa') args.push(this.toks[j]!.v);
    }
    this.pos = save;
    return args;
  }

  private parseStmt(): Stmt {
    const first = this.peek();
    const results: string[] = [];
    if (first.k === 'ssa') {
      for (;;) {
        const r = this.next();
        if (r.k !== 'ssa') this.error('expected %result', r);
        if (this.peek().v === ':') {
          this.next();
          const n = Number(this.next().v);
          if (!Number.isInteger(n) || n < 1 || n > 4096) this.error('bad result count', this.toks[this.pos - 1]);
          for (let i = 0; i < n; i++) results.push(`${r.v}#${i}`);
        } else results.push(r.v);
        if (this.peek().v === ',') { this.next(); continue; }
        break;
      }
      this.expect('=');
    }
    const opTok = this.next();
    if (opTok.k !== 'id' && opTok.k !== 'str') this.error('expected an operation name', opTok);
    const op = opTok.k === 'str' ? opTok.v.slice(1, -1) : opTok.v;
    const header: Token[] = [];
    const regions: Region[] = [];
    let depth = 0;
    for (;;) {
      const t = this.peek();
      if (t.k === 'eof') { if (depth > 0) this.error(`unclosed bracket in '${op}'`); break; }
      if (t.k === 'nl') {
        if (depth === 0) break;
        this.next();
        continue;
      }
      if (t.v === '{' && this.peek(1).k === 'nl') {
        this.next();
        const args = this.parseRegionArgs();
        regions.push({ args, body: this.parseBlock() });
        continue;
      }
      if (t.v === '(' || t.v === '[' || t.v === '{') depth++;
      else if (t.v === ')' || t.v === ']' || t.v === '}') { if (depth === 0) break; depth--; }
      header.push(this.next());
    }
    if (op === 'stablehlo.while' || op === 'mhlo.while') {
      for (const label of ['cond', 'do']) {
        this.skipNl();
        if (this.peek().v === '}' && label === 'do') this.next();
        if (this.peek().v !== label) this.error(`expected '${label}' region of stablehlo.while`);
        this.next();
        this.expect('{');
        regions.push({ args: this.parseRegionArgs(), body: this.parseBlock() });
      }
    }
    return this.finishStmt(results, op, header, regions, first);
  }

  private finishStmt(results: string[], op: string, header: Token[], regions: Region[], first: Token): Stmt {
    // The type signature follows the last ':' at bracket depth 0.
    let depth = 0, colon = -1;
    header.forEach((t, i) => {
      if (t.v === '(' || t.v === '[' || t.v === '{') depth++;
      else if (t.v === ')' || t.v === ']' || t.v === '}') depth--;
      else if (t.v === ':' && depth === 0) colon = i;
    });
    const head = colon >= 0 ? header.slice(0, colon) : header;
    const sig = colon >= 0 ? header.slice(colon + 1) : [];
    const arrow = sig.findIndex((t) => t.v === '->');
    const typesOf = (ts: Token[]) => ts.filter((t) => t.k === 'id' && !['(', ')', ','].includes(t.v)).map((t) => t.v);
    const inTypes = typesOf(arrow >= 0 ? sig.slice(0, arrow) : sig);
    const outTypes = arrow >= 0 ? typesOf(sig.slice(arrow + 1)) : inTypes.slice(-1);
    let bindings: [string, string][] | undefined;
    let operands = head.filter((t) => t.k === 'ssa').map((t) => t.v);
    if (op === 'stablehlo.while' || op === 'mhlo.while') {
      bindings = [];
      for (let i = 0; i + 2 < head.length; i++) if (head[i]!.k === 'ssa' && head[i + 1]!.v === '=' && head[i + 2]!.k === 'ssa') bindings.push([head[i]!.v, head[i + 2]!.v]);
      operands = bindings.map((b) => b[1]);
    }
    const callee = head.find((t) => t.k === 'sym')?.v.slice(1);
    return {
      results, op, operands, text: head.map((t) => t.v).join(' '), inTypes,
      outTypes: op === 'stablehlo.while' ? inTypes : outTypes, regions,
      ...(callee === undefined ? {} : { callee }), ...(bindings ? { bindings } : {}),
      line: first.line, col: first.col,
    };
  }
}

export function parseMlir(src: string): MlirFunc[] {
  return new MlirParser(tokenize(src)).parseModule();
}
