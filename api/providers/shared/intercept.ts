/** Replace one method of one SDK object (an instance built for a single call) with a wrapper around it. */
export function intercept<T extends object>(holder: T, key: string, wrap: (original: (...args: any[]) => any) => (...args: any[]) => any): void {
  const h = holder as Record<string, (...args: any[]) => any>;
  const original = h[key];
  if (typeof original !== 'function') throw new Error(`cannot intercept ${key}: not a function`);
  h[key] = wrap(original.bind(holder));
}
