/** CPLEX LP text of a MilpModel: what HiGHS reads, and what tests inspect without solving. */
import type { MilpModel } from './types.ts';

const TERMS_PER_LINE = 8;

function num(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`LP text: non-finite coefficient ${x}`);
  return Number.isInteger(x) ? String(x) : x.toPrecision(15).replace(/\.?0+(e|$)/, '$1');
}

function linear(terms: readonly (readonly [number, string])[]): string {
  const parts: string[] = [];
  let line = '';
  let count = 0;
  for (const [coef, name] of terms) {
    if (coef === 0) continue;
    const sign = coef < 0 ? '-' : '+';
    const abs = Math.abs(coef);
    const piece = `${count === 0 && sign === '+' ? '' : sign + ' '}${abs === 1 ? '' : num(abs) + ' '}${name}`;
    line += (line ? ' ' : '') + piece;
    if (++count % TERMS_PER_LINE === 0) { parts.push(line); line = ''; }
  }
  if (line) parts.push(line);
  return parts.length ? parts.join('\n   ') : '0 ' + (terms[0]?.[1] ?? '');
}

/** Variables are written by their names; names must be LP-safe (letters, digits, '_', '.'). */
export function toLpText(model: MilpModel): string {
  const names = model.variables.map((v) => v.name);
  const out: string[] = ['Minimize'];
  out.push(` obj: ${linear(model.variables.map((v, i) => [v.objective, names[i]] as const))}`);
  out.push('Subject To');
  for (const c of model.constraints) {
    const terms = c.terms.map(([i, coef]) => [coef, names[i]] as const);
    const body = linear(terms);
    const lo = c.lowerBound;
    const hi = c.upperBound;
    if (lo === hi) out.push(` ${c.name}: ${body} = ${num(lo)}`);
    else if (Number.isFinite(lo) && Number.isFinite(hi)) out.push(` ${c.name}: ${num(lo)} <= ${body} <= ${num(hi)}`);
    else if (Number.isFinite(hi)) out.push(` ${c.name}: ${body} <= ${num(hi)}`);
    else if (Number.isFinite(lo)) out.push(` ${c.name}: ${body} >= ${num(lo)}`);
  }
  out.push('Bounds');
  for (const v of model.variables) {
    if (v.binary) continue;
    const hi = Number.isFinite(v.upperBound) ? num(v.upperBound) : '+inf';
    const lo = Number.isFinite(v.lowerBound) ? num(v.lowerBound) : '-inf';
    out.push(` ${lo} <= ${v.name} <= ${hi}`);
  }
  const bins = model.variables.filter((v) => v.binary).map((v) => v.name);
  if (bins.length) {
    out.push('Binary');
    for (let i = 0; i < bins.length; i += 16) out.push(' ' + bins.slice(i, i + 16).join(' '));
  }
  out.push('End');
  return out.join('\n') + '\n';
}
