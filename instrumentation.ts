// Next.js calls register() once when a server process starts.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { startBackgroundWork } = await import("./server/background");
    const { endStreamsOnTermination, stopWhenOrphaned } = await import("./server/lifecycle/shutdown");
    endStreamsOnTermination();
    stopWhenOrphaned();
    startBackgroundWork();
  }
}
