/**
 * The CLI in process: main() with stdout and stderr captured (10,000 process spawns on 2 cores would take hours),
 * and the contract every run must keep: exit 0 or 2; on exit 2 nothing on stdout and exactly one stderr line that
 * names the command, with no control characters (NUL, escapes) and at most MAX_MESSAGE_CHARS.
 */
import { main } from '../../workers/cli.ts';

export interface CliRun {
  readonly argv: readonly string[];
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** Longest one-line message accepted (the issue saw a 5.3 MB line for 100,000 bad nodes). */
export const MAX_MESSAGE_CHARS = 2000;

export async function runCli(argv: readonly string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;
  const capture = (into: string[]) => ((chunk: string | Uint8Array) => {
    into.push(typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk));
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  const t0 = performance.now();
  let code: number;
  try {
    code = await main([...argv]);
  } catch (e) {
    code = -1;
    err.push(`main threw: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
  }
  return { argv, code, stdout: out.join(''), stderr: err.join(''), seconds: (performance.now() - t0) / 1000 };
}

/** What is wrong with a run by the contract, or undefined. */
export function contractProblem(r: CliRun): string | undefined {
  if (r.code !== 0 && r.code !== 2) return `exit ${r.code}: ${r.stderr.slice(0, 300)}`;
  if (r.code === 0) return undefined;
  if (r.argv.length === 0) return r.stderr.startsWith('meshplan: missing command\n') ? undefined : 'no command: usage expected on stderr';
  if (r.stdout !== '') return `exit 2 with stdout: ${r.stdout.slice(0, 200)}`;
  if (!r.stderr.endsWith('\n') || r.stderr.indexOf('\n') !== r.stderr.length - 1) return `exit 2 without exactly one stderr line: ${JSON.stringify(r.stderr.slice(0, 300))}`;
  const line = r.stderr.slice(0, -1);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(line)) return `control character in the message: ${JSON.stringify(line.slice(0, 300))}`;
  if (line.length > MAX_MESSAGE_CHARS) return `message of ${line.length} characters`;
  if (!/^meshplan( [a-z]+)?: \S/.test(line)) return `message does not name the command: ${line.slice(0, 200)}`;
  if (/internal error|\bat .*\(.*:\d+:\d+\)/.test(line)) return `internal error: ${line.slice(0, 300)}`;
  return undefined;
}
