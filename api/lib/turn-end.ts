/**
 * A promise that resolves at the end of the current turn of the event loop (its check phase, where
 * `setImmediate` callbacks run), shared by everything that asks for it during the turn: one
 * immediate and one promise per turn, however many callers.
 */
let current: Promise<void> | null = null;

export function turnEnd(): Promise<void> {
  current ??= new Promise((resolve) => {
    setImmediate(() => {
      current = null;
      resolve();
    });
  });
  return current;
}
