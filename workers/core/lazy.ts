/**
 * `Array.from({ length }, (_, i) => f(i))`, each element computed when first read: for an array of which a caller
 * reads few elements and that must stay an array (a search prices the ops of a few distinct units of a rebatched
 * graph, whose `ops` every pass reads by index). Each element costs an accessor until read. Reading, iterating,
 * mapping, spreading and comparing the array behave as on the mapped array (the elements are own, enumerable accessor
 * properties that become plain values once read); do not write it.
 */
export function lazyArray<U>(length: number, f: (index: number) => U): U[] {
  const out = new Array<U>(length);
  for (let i = 0; i < length; i++) {
    Object.defineProperty(out, i, {
      configurable: true, enumerable: true,
      get() {
        const value = f(i);
        Object.defineProperty(out, i, { value, configurable: true, enumerable: true, writable: true });
        return value;
      },
    });
  }
  return out;
}
