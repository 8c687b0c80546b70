import { env } from "../env";

/**
 * The server process's shutdown, as one AbortSignal. On SIGTERM or SIGINT, Next.js stops
 * accepting connections and waits for the open ones; agents' event streams and long-polls
 * would hold it open for as long as they last, so they all end on this signal instead (the
 * SDK reconnects, and a wait answers with the action's current state).
 */
const holder = globalThis as unknown as { wardenShutdown?: AbortController };
const controller = (holder.wardenShutdown ??= new AbortController());

export function shutdownSignal(): AbortSignal {
  return controller.signal;
}

/**
 * `signal` or the process's shutdown, whichever aborts first. Always a new signal, so that the
 * listeners a request adds go away with it instead of piling up on the process-wide one.
 */
export function untilShutdown(signal?: AbortSignal): AbortSignal {
  return AbortSignal.any(signal ? [signal, controller.signal] : [controller.signal]);
}

/** Ends every stream and wait at once; called on the first termination signal. */
export function beginShutdown(): void {
  controller.abort();
}

export function endStreamsOnTermination(): void {
  process.once("SIGTERM", beginShutdown);
  process.once("SIGINT", beginShutdown);
}

/**
 * A server whose launcher (`npm start`) died without stopping it would hold the port with its
 * database gone: it stops itself when its parent changes. The launcher passes its pid.
 */
export function stopWhenOrphaned(): void {
  const launcherPid = env.WARDEN_LAUNCHER_PID;
  if (!launcherPid) return;
  setInterval(() => {
    if (process.ppid !== launcherPid) {
      console.error("warden: the launcher is gone; stopping");
      process.kill(process.pid, "SIGTERM");
    }
  }, 1_000).unref();
}
