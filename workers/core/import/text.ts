/** Text helpers shared by the text importers (TextDecoder exists in browsers, workers and Node; core's lib lacks its type). */
declare const TextDecoder: new (label?: string, options?: { fatal?: boolean }) => { decode(bytes: Uint8Array): string };

export function decodeUtf8(data: Uint8Array): string {
  return new TextDecoder('utf-8').decode(data);
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1, last = -1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) { line++; last = i; }
  return { line, column: offset - last };
}
