/**
 * Search progress on a terminal: one line on stderr, rewritten in place ("stage costs 41/63"), cleared when the
 * search ends. Only when stderr is a terminal: piped or captured stderr (tests, `2>file`, CI) stays exactly one
 * line per error, as the CLI's exit contract says (unless MESHPLAN_PROGRESS=1 asks for it).
 */
import type { Progress, ProgressCallback } from '../core/progress.ts';

export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export interface TerminalProgress {
  /** undefined when the stream is not a terminal: pass it to plan() as is. */
  readonly onProgress: ProgressCallback | undefined;
  /** Clears the progress line (call once the search has ended, before printing the result or an error). */
  done(): void;
}

export function progressLine(p: Progress): string {
  return p.total > 0 ? `${p.phase} ${p.done}/${p.total}` : p.phase;
}

/**
 * `MESHPLAN_PROGRESS=1` shows progress on a stream that is not a terminal too, one line per update (logs, and the
 * tests that wait for a search to be running).
 */
export function terminalProgress(stream: ProgressStream = process.stderr, forced = process.env.MESHPLAN_PROGRESS === '1'): TerminalProgress {
  if (!stream.isTTY) {
    return forced ? { onProgress: (p) => { stream.write(`${progressLine(p)}\n`); }, done: () => {} } : { onProgress: undefined, done: () => {} };
  }
  let shown = false;
  return {
    onProgress: (p) => {
      // \r returns to the line's start and \x1b[K erases what the previous, longer line left.
      stream.write(`\r${progressLine(p)}\x1b[K`);
      shown = true;
    },
    done: () => {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}

/** Progress of one part of a longer command ('p3.16xlarge:2x8 (2/3)'), the part named before each line. */
export function partProgress(onProgress: ProgressCallback | undefined, part: string): ProgressCallback | undefined {
  return onProgress && ((p) => onProgress({ ...p, phase: `${part}: ${p.phase}` }));
}
