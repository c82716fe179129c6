/** Tiny argument parser shared by the subcommands: `--key value`, `--flag`, `--key=value`; numbers read strictly. */
import { LIMITS, rangeText, type Range } from '../core/boundary/limits.ts';
import { echo } from '../core/boundary/text.ts';

/** An error the user can fix (bad flag, missing file): printed as one line, exit code 2. */
export class CliError extends Error {}

export interface ParsedArgs {
  /** The last value of each option (null prototype; only known option names get in). */
  readonly values: Readonly<Record<string, string>>;
  /** Every value of each option, in order (`--cluster A --cluster B`). */
  readonly lists: Readonly<Record<string, readonly string[]>>;
  readonly flags: ReadonlySet<string>;
}

/** Most arguments one command takes: every option once, with its value, and then some. */
const MAX_ARGS = 200;

/** `booleanFlags` never take a value (e.g. 'json'). Unknown keys are rejected, naming the key. */
export function parseArgs(argv: readonly string[], known: readonly string[], booleanFlags: readonly string[] = ['json']): ParsedArgs {
  if (argv.length > MAX_ARGS) throw new CliError(`${argv.length} arguments; at most ${MAX_ARGS}`);
  const values: Record<string, string> = Object.create(null);
  const lists: Record<string, string[]> = Object.create(null);
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new CliError(`unexpected argument '${echo(arg)}' (options start with --)`);
    let key = arg.slice(2);
    let value: string | undefined;
    const eq = key.indexOf('=');
    if (eq >= 0) { value = key.slice(eq + 1); key = key.slice(0, eq); }
    if (booleanFlags.includes(key)) {
      if (value !== undefined) throw new CliError(`option '--${echo(key)}' takes no value, got '${echo(value)}'`);
      flags.add(key);
      continue;
    }
    if (!known.includes(key)) throw new CliError(`unknown option '--${echo(key)}' (known: ${[...known, ...booleanFlags].map((k) => '--' + k).join(' ')})`);
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new CliError(`option '--${key}' needs a value`);
    }
    values[key] = value;
    (lists[key] ??= []).push(value);
  }
  return { values, lists, flags };
}

/** Decimal digits only: '0x10', '1e3', ' 8', '+8' and '8.0' are not integers here. */
const INTEGER = /^[0-9]{1,16}$/;
/** A plain decimal number: '0.5', '80', '1e-3'; not hex, not 'Infinity', not empty. */
const DECIMAL = /^[0-9]{1,16}(\.[0-9]{1,16})?([eE][-+]?[0-9]{1,3})?$|^\.[0-9]{1,16}$/;

function refuse(key: string, raw: string, kind: string, r: Range): never {
  throw new CliError(`--${key} must be ${kind} in ${rangeText(r)} (${r.reason}), got '${echo(raw)}'`);
}

/** An integer option in its range (LIMITS), or undefined when absent. */
export function intArg(args: ParsedArgs, key: string, r: Range): number | undefined {
  const raw = args.values[key];
  if (raw === undefined) return undefined;
  const n = INTEGER.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < r.min || n > r.max) refuse(key, raw, 'a whole number', r);
  return n;
}

/** A decimal number option in its range, or undefined when absent. */
export function numberArg(args: ParsedArgs, key: string, r: Range): number | undefined {
  const raw = args.values[key];
  if (raw === undefined) return undefined;
  const n = DECIMAL.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(n) || (r.minExclusive ? n <= r.min : n < r.min) || n > r.max) refuse(key, raw, 'a decimal number', r);
  return n;
}

/** A positive integer option (kept for callers of the first version): the global batch's range. */
export function positiveInt(args: ParsedArgs, key: string, r: Range = LIMITS.globalBatch): number | undefined {
  return intArg(args, key, r);
}

/** One of `allowed`, or undefined when absent. */
export function oneOf<T extends string>(args: ParsedArgs, key: string, allowed: readonly T[]): T | undefined {
  const v = args.values[key];
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new CliError(`--${key} must be one of ${allowed.join('|')}, got '${echo(v)}'`);
  return v as T;
}

export function required(args: ParsedArgs, key: string): string {
  const v = args.values[key];
  if (v === undefined) throw new CliError(`missing --${key}`);
  return v;
}
