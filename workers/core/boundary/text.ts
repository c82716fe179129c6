/**
 * Echoing what a user typed into a message: control characters (NUL, escapes, newlines) never reach a terminal or
 * the page, long values are cut, and long lists of problems are summarised (the first few and a count).
 */

/** Longest echo of one user value in a message, characters. */
export const MAX_ECHO_CHARS = 80;

/** A user value as it may appear in a one-line message: control characters shown as \xNN, cut past `max`. */
export function echo(value: unknown, max = MAX_ECHO_CHARS): string {
  const text = typeof value === 'string' ? value : String(value);
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return clean.length > max ? `${clean.slice(0, max)}... (${text.length} characters)` : clean;
}

/** Problems shown in full before the rest is counted. */
export const SHOWN_PROBLEMS = 5;

/** 'a; b; c' for a few problems, 'a; b; ... and 95 more problems' past SHOWN_PROBLEMS. */
export function summarise(problems: readonly string[], shown = SHOWN_PROBLEMS): string {
  if (problems.length <= shown) return problems.join('; ');
  return `${problems.slice(0, shown).join('; ')}; ... and ${problems.length - shown} more problems`;
}

/** One line: newlines and other control characters of a message (from a library, a file) made visible. */
export function oneLine(message: string, max = 2000): string {
  return echo(message.replace(/\r?\n\s*/g, ' '), max);
}
