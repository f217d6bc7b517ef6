/**
 * Bounds on the shape of a parsed JSON value, so that no request makes the hub walk, validate or
 * serialize without end: nesting depth, items per array or object, and values in all. The walk
 * stops at the first value past a bound. No domain imports.
 */
export interface JsonBounds {
  maxDepth: number;
  /** Elements of one array, members of one object. */
  maxItems: number;
  /** Values in the whole document. */
  maxValues: number;
}

const DEFAULT_JSON_BOUNDS: JsonBounds = { maxDepth: 64, maxItems: 10_000, maxValues: 1_000_000 };

/** Why the value exceeds the bounds, or null when it is within them. */
export function jsonBoundsProblem(root: unknown, bounds: JsonBounds = DEFAULT_JSON_BOUNDS): string | null {
  if (root === null || typeof root !== 'object') return null;
  const stack: { value: object; depth: number }[] = [{ value: root, depth: 1 }];
  let values = 0;
  while (stack.length) {
    const { value, depth } = stack.pop()!;
    if (depth > bounds.maxDepth) return `nests deeper than ${bounds.maxDepth} levels`;
    const items = Array.isArray(value) ? value : Object.values(value);
    if (items.length > bounds.maxItems) return `has a list or object of more than ${bounds.maxItems} items`;
    values += items.length;
    if (values > bounds.maxValues) return `holds more than ${bounds.maxValues} values`;
    for (const item of items) if (item !== null && typeof item === 'object') stack.push({ value: item, depth: depth + 1 });
  }
  return null;
}
