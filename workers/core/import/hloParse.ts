/**
 * A parser for XLA's HLO text: what `jax.jit(f).lower(...).compile().as_text()` prints and what `--xla_dump_to`
 * writes. A module is computations of one instruction a line (`[ROOT] %name = TYPE opcode(operands), attr=value,
 * ...`); types are arrays (`f32[4,128]{1,0}`) or tuples of them. Attributes stay raw text for the converter
 * (hloConvert.ts). The stack-frame tables XLA prints between the header and the computations are skipped.
 * Every error names its line.
 */
import { fail } from './errors.ts';

export type HloType =
  | { readonly kind: 'array'; readonly elem: string; readonly dims: readonly number[]; readonly dynamic: boolean }
  | { readonly kind: 'tuple'; readonly elems: readonly HloType[] };

export interface HloInstr {
  readonly name: string;
  readonly type: HloType;
  readonly opcode: string;
  readonly operands: readonly string[];
  /** The text inside the opcode's parentheses (a constant's literal, a parameter's number). */
  readonly inner: string;
  readonly attrs: ReadonlyMap<string, string>;
  readonly root: boolean;
  readonly line: number;
}

export interface HloComputation { readonly name: string; readonly entry: boolean; readonly instrs: readonly HloInstr[]; readonly line: number }

export interface HloModule {
  readonly name: string;
  /** Module attributes from the header line (num_partitions, replica_count ...). */
  readonly attrs: ReadonlyMap<string, string>;
  readonly computations: ReadonlyMap<string, HloComputation>;
  readonly entry: HloComputation;
}

const FORMAT = 'hlo';
const SECTIONS = new Set(['FileNames', 'FunctionNames', 'FileLocations', 'StackFrames']);
const MAX_TUPLE_DEPTH = 32;

const excerpt = (s: string) => (s.length > 60 ? `${s.slice(0, 57).trim()}...` : s.trim());

function error(line: number, text: string, msg: string): never {
  fail(FORMAT, `line ${line}: ${msg} in '${excerpt(text)}'`, { line });
}

/** `/* ... *\/` comments outside strings removed (XLA prints /*index=5*\/ in long tuples). */
function stripComments(s: string): string {
  if (!s.includes('/*')) return s;
  let out = '', i = 0, quote = '';
  while (i < s.length) {
    const c = s[i]!;
    if (quote) { out += c; if (c === '\\') { out += s[i + 1] ?? ''; i += 2; continue; } if (c === quote) quote = ''; i++; continue; }
    if (c === '"') { quote = c; out += c; i++; continue; }
    if (c === '/' && s[i + 1] === '*') { const end = s.indexOf('*/', i + 2); i = end < 0 ? s.length : end + 2; continue; }
    out += c; i++;
  }
  return out;
}

/** Index just past the bracket group opening at `start` ('(' '{' '['), quotes respected; -1 when unclosed. */
export function closeOf(s: string, start: number): number {
  let depth = 0, quote = '';
  for (let i = start; i < s.length; i++) {
    const c = s[i]!;
    if (quote) { if (c === '\\') i++; else if (c === quote) quote = ''; continue; }
    if (c === '"') quote = c;
    else if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') { depth--; if (depth === 0) return i + 1; }
  }
  return -1;
}

/** Top-level comma-separated parts (brackets and double quotes respected), trimmed, empty parts dropped. */
export function splitTop(s: string): string[] {
  const parts: string[] = [];
  let depth = 0, quote = '', start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) { if (c === '\\') i++; else if (c === quote) quote = ''; continue; }
    if (c === '"') quote = c;
    else if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 0) { parts.push(s.slice(start, i).trim()); start = i + 1; }
  }
  parts.push(s.slice(start).trim());
  return parts.filter((p) => p !== '');
}

/** The type at s[pos...]: returns it and the index after it (layouts `{1,0}` skipped). */
function parseType(s: string, pos: number, line: number, text: string, depth = 0): [HloType, number] {
  while (s[pos] === ' ') pos++;
  if (depth > MAX_TUPLE_DEPTH) error(line, text, `tuple types nested deeper than ${MAX_TUPLE_DEPTH}`);
  if (s[pos] === '(') {
    const elems: HloType[] = [];
    pos++;
    for (;;) {
      while (s[pos] === ' ') pos++;
      if (s[pos] === ')') return [{ kind: 'tuple', elems }, pos + 1];
      const [t, next] = parseType(s, pos, line, text, depth + 1);
      elems.push(t);
      pos = next;
      while (s[pos] === ' ') pos++;
      if (s[pos] === ',') pos++;
      else if (s[pos] !== ')') error(line, text, "expected ',' or ')' in a tuple type");
    }
  }
  const m = /^([a-z][a-z0-9]*)\[([^\]]*)\]/.exec(s.slice(pos, pos + 400));
  if (!m) error(line, text, 'expected a type such as f32[4,128] or a tuple (...)');
  let dynamic = false;
  const dims = m[2]!.trim() === '' ? [] : m[2]!.split(',').map((d) => {
    const t = d.trim().replace(/^<=/, () => { dynamic = true; return ''; });
    if (t === '?') { dynamic = true; return 1; }
    const n = Number(t);
    if (!/^\d+$/.test(t) || !Number.isSafeInteger(n)) error(line, text, `dimension '${excerpt(d)}' is not a size`);
    return n;
  });
  pos += m[0].length;
  if (s[pos] === '{') { const end = closeOf(s, pos); if (end < 0) error(line, text, 'unclosed layout {...}'); pos = end; }
  return [{ kind: 'array', elem: m[1]!, dims, dynamic }, pos];
}

/** `key=value` attributes after the operand list. */
function parseAttrs(rest: string, line: number, text: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const part of splitTop(rest)) {
    const eq = part.indexOf('=');
    if (eq <= 0) error(line, text, `attribute '${excerpt(part)}' is not key=value`);
    attrs.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return attrs;
}

function parseInstr(raw: string, line: number): HloInstr {
  const s = stripComments(raw).trim();
  const head = /^(ROOT\s+)?%?([^\s=]+)\s*=\s*/.exec(s);
  if (!head) error(line, raw, "expected '%name = type opcode(operands)'");
  const [type, afterType] = parseType(s, head[0].length, line, raw);
  const op = /^\s*([a-z][a-z0-9\-_]*)\s*\(/.exec(s.slice(afterType));
  if (!op) error(line, raw, 'expected an opcode and its operands after the type');
  const open = afterType + op[0].length - 1;
  const close = closeOf(s, open);
  if (close < 0) error(line, raw, `unclosed '(' after ${op[1]}`);
  const inner = s.slice(open + 1, close - 1);
  const opcode = op[1]!;
  const operands = opcode === 'constant' || opcode === 'parameter' ? [] : splitTop(inner).map((o) => {
    const name = o.split(/\s+/).pop()!.replace(/^%/, '');
    if (!/^[\w.\-]+$/.test(name)) error(line, raw, `operand '${excerpt(o)}' is not a %name`);
    return name;
  });
  let rest = s.slice(close).trim();
  if (rest.startsWith(',')) rest = rest.slice(1);
  else if (rest !== '') error(line, raw, `expected ',' before the attributes of ${opcode}`);
  return { name: head[2]!, type, opcode, operands, inner, attrs: parseAttrs(rest, line, raw), root: !!head[1], line };
}

/** The start of an instruction: `[ROOT] %name = ` and a type (`f32[`, `(`), not an attribute such as `window={`. */
const INSTR_START = /^(ROOT\s+)?%?[\w.\-]+\s*=\s*(\(|[a-z][a-z0-9]*\[)/;

/** Open brackets left at the end of s (quotes respected). */
function depthOf(s: string): number {
  let depth = 0, quote = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) { if (c === '\\') i++; else if (c === '"') quote = false; continue; }
    if (c === '"') quote = true;
    else if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') depth--;
  }
  return depth;
}

export function parseHlo(src: string): HloModule {
  const lines = src.split('\n');
  let name = '', attrs = new Map<string, string>();
  const computations = new Map<string, HloComputation>();
  let entry: HloComputation | undefined;
  let current: { name: string; entry: boolean; instrs: HloInstr[]; line: number } | undefined;
  let inSection = false;
  // An instruction may run over several lines (hand-written HLO): continuation lines are joined to it.
  let pending: { text: string; line: number } | undefined;
  const flush = () => { if (pending && current) current.instrs.push(parseInstr(pending.text, pending.line)); pending = undefined; };
  lines.forEach((raw, i) => {
    const line = i + 1;
    const t = raw.trim();
    if (current) {
      if (pending && t !== '' && !INSTR_START.test(t) && (t !== '}' || depthOf(pending.text) > 0)) { pending.text += ` ${t}`; return; }
      flush();
      if (t === '}') {
        if (current.instrs.length === 0) error(line, raw, `computation %${current.name} has no instructions`);
        const comp: HloComputation = current;
        if (computations.has(comp.name)) error(comp.line, comp.name, `computation %${comp.name} is defined twice`);
        computations.set(comp.name, comp);
        if (comp.entry) entry = comp;
        current = undefined;
      } else if (t !== '' && !t.startsWith('//')) pending = { text: raw, line };
      return;
    }
    if (t === '' || t.startsWith('//')) { inSection = false; return; }
    if (line === 1 || (!name && t.startsWith('HloModule'))) {
      const m = /^HloModule\s+([^\s,]+)\s*,?(.*)$/.exec(t);
      if (!m) error(line, raw, "expected 'HloModule <name>' on the first line");
      name = m[1]!;
      attrs = parseAttrs(m[2]!, line, raw);
      return;
    }
    if (SECTIONS.has(t)) { inSection = true; return; }
    if (inSection && /^\d+\s/.test(t)) return;
    const header = /^(ENTRY\s+)?%?([\w.\-]+)\s*(\(.*\))?\s*(->.*)?\{$/.exec(t);
    if (!header) error(line, raw, 'expected a computation header (%name (params) -> type {) or ENTRY');
    current = { name: header[2]!, entry: !!header[1], instrs: [], line };
  });
  if (current) { flush(); error(lines.length, lines[lines.length - 1] ?? '', `missing '}' to close computation %${current.name} opened at line ${current.line}`); }
  if (!name) fail(FORMAT, "line 1: expected 'HloModule <name>'", { line: 1 });
  if (!entry) fail(FORMAT, 'no ENTRY computation in the module', { line: lines.length });
  return { name, attrs, computations, entry };
}
