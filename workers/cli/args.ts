/** Tiny argument parser shared by the subcommands: `--key value`, `--flag`, `--key=value`. */

/** An error the user can fix (bad flag, missing file): printed as one line, exit code 2. */
export class CliError extends Error {}

export interface ParsedArgs {
  /** The last value of each option. */
  readonly values: Readonly<Record<string, string>>;
  /** Every value of each option, in order (`--cluster A --cluster B`). */
  readonly lists: Readonly<Record<string, readonly string[]>>;
  readonly flags: ReadonlySet<string>;
}

/** `booleanFlags` never take a value (e.g. 'json'). Unknown keys are rejected, naming the key. */
export function parseArgs(argv: readonly string[], known: readonly string[], booleanFlags: readonly string[] = ['json']): ParsedArgs {
  const values: Record<string, string> = {};
  const lists: Record<string, string[]> = {};
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new CliError(`unexpected argument '${arg}'`);
    let key = arg.slice(2);
    let value: string | undefined;
    const eq = key.indexOf('=');
    if (eq >= 0) { value = key.slice(eq + 1); key = key.slice(0, eq); }
    if (booleanFlags.includes(key)) { flags.add(key); continue; }
    if (!known.includes(key)) throw new CliError(`unknown option '--${key}' (known: ${[...known, ...booleanFlags].map((k) => '--' + k).join(' ')})`);
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new CliError(`option '--${key}' needs a value`);
    }
    values[key] = value;
    (lists[key] ??= []).push(value);
  }
  return { values, lists, flags };
}

export function positiveInt(args: ParsedArgs, key: string): number | undefined {
  const raw = args.values[key];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new CliError(`--${key} must be a positive integer, got '${raw}'`);
  return n;
}

export function required(args: ParsedArgs, key: string): string {
  const v = args.values[key];
  if (v === undefined) throw new CliError(`missing --${key}`);
  return v;
}
