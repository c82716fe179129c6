/**
 * Search progress on a terminal: one line on stderr, rewritten in place ("stage costs 41/63"), cleared when the
 * search ends. Only when stderr is a terminal: piped or captured stderr (tests, `2>file`, CI) stays exactly one
 * line per error, as the CLI's exit contract says.
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

export function terminalProgress(stream: ProgressStream = process.stderr): TerminalProgress {
  if (!stream.isTTY) return { onProgress: undefined, done: () => {} };
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
