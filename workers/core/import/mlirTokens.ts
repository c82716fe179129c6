/** Tokens of the MLIR text that `jax.jit(f).lower(...).as_text()` prints (mlirParse.ts parses them); errors carry
 * line and column. */
import { fail } from './errors.ts';

const FORMAT = 'stablehlo';

export interface Token { readonly k: 'ssa' | 'sym' | 'id' | 'num' | 'str' | 'p' | 'nl' | 'eof'; readonly v: string; readonly line: number; readonly col: number }

const ID_START = /[A-Za-z_.$!#]/;
const ID_CHAR = /[A-Za-z0-9_.$]/;

export function tokenize(src: string): Token[] {
  const toks: Token[] = [];
  let i = 0, line = 1, lineStart = 0;
  const push = (k: Token['k'], v: string, start: number) => toks.push({ k, v, line, col: start - lineStart + 1 });
  const err = (msg: string) => fail(FORMAT, msg, { line, column: i - lineStart + 1 });
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') { push('nl', '\n', i); i++; line++; lineStart = i; continue; }
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    if (c === '/' && src[i + 1] === '/') { while (i < src.length && src[i] !== '\n') i++; continue; }
    const start = i;
    if (c === '"') {
      i++;
      while (i < src.length && src[i] !== '"') { if (src[i] === '\\') i++; if (src[i] === '\n') err('unterminated string'); i++; }
      if (i >= src.length) err('unterminated string');
      i++;
      push('str', src.slice(start, i), start);
      continue;
    }
    if (c === '%' || c === '@' || c === '^') {
      i++;
      if (src[i] === '"') { i++; while (i < src.length && src[i] !== '"' && src[i] !== '\n') i++; i++; }
      else while (i < src.length && /[A-Za-z0-9_.$#\-]/.test(src[i]!)) i++;
      if (i === start + 1) err(`expected a name after '${c}'`);
      push(c === '%' ? 'ssa' : c === '@' ? 'sym' : 'id', src.slice(start, i), start);
      continue;
    }
    if (c === '-' && src[i + 1] === '>') { i += 2; push('p', '->', start); continue; }
    if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(src[i + 1] ?? ''))) {
      i++;
      while (i < src.length && /[0-9a-fA-FxX.eE+\-]/.test(src[i]!) && !(src[i] === '-' && src[i + 1] === '>')) {
        if ((src[i] === 'x') && !/^0$/.test(src.slice(start, i))) break;
        i++;
      }
      push('num', src.slice(start, i), start);
      continue;
    }
    if (ID_START.test(c)) {
      i++;
      while (i < src.length && ID_CHAR.test(src[i]!)) i++;
      if (src[i] === '<') {
        // tensor<8x1024xf16>, dense<...>, array<i64: 1, 2>, #stablehlo.gather<...>: one token up to the matching '>'.
        let depth = 0;
        do {
          const ch = src[i];
          if (ch === undefined) err('unterminated <...>');
          if (ch === '"') { i++; while (i < src.length && src[i] !== '"') { if (src[i] === '\\') i++; i++; } }
          else if (ch === '\n') { line++; lineStart = i + 1; }
          else if (ch === '<') depth++;
          else if (ch === '>' && src[i - 1] !== '-') depth--;
          i++;
        } while (depth > 0);
      }
      if (src.slice(start, i) === 'loc' && src[i] === '(') {
        // Source locations (loc(#loc3), loc("f.py":3:1)) carry nothing we need: skip them whole.
        let depth = 0;
        do {
          const ch = src[i];
          if (ch === undefined || ch === '\n') err('unterminated loc(...)');
          if (ch === '"') { i++; while (i < src.length && src[i] !== '"' && src[i] !== '\n') { if (src[i] === '\\') i++; i++; } }
          else if (ch === '(') depth++;
          else if (ch === ')') depth--;
          i++;
        } while (depth > 0);
        continue;
      }
      push('id', src.slice(start, i), start);
      continue;
    }
    if ('()[]{},=:<>*?+|'.includes(c)) { i++; push('p', c, start); continue; }
    err(`unexpected character '${c}'`);
  }
  toks.push({ k: 'eof', v: '', line, col: i - lineStart + 1 });
  return toks;
}
