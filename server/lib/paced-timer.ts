/**
 * Runs `task` every `intervalMs`, never two passes at once. With `maxShare` (a fraction of the
 * time, 0–1), a pass that took long waits in proportion before the next one starts, so the task
 * never takes more than that share of the process's and the database's time: a metrics rollup
 * whose pass takes 2 s under a heavy load runs every 8 s at a share of 0.2, instead of back to
 * back and beside every decision. Returns a function that stops it.
 */
export function runPaced(intervalMs: number, task: () => Promise<unknown>, options: { maxShare?: number; onError: (error: unknown) => void }): () => void {
  const idleFactor = options.maxShare ? (1 - options.maxShare) / options.maxShare : 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(pass, delayMs);
    timer.unref();
  };
  const pass = () => {
    const started = Date.now();
    task()
      .catch(options.onError)
      .finally(() => {
        const took = Date.now() - started;
        schedule(Math.max(intervalMs - took, took * idleFactor, 0));
      });
  };
  schedule(intervalMs);
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
