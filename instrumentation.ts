// Next.js calls register() once when a server process starts.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    // First: every request parsed from now on carries its socket's address (X-Forwarded-* only from trusted proxies).
    const { recordPeerAddresses } = await import("./server/http/peer-address");
    recordPeerAddresses();
    const { startBackgroundWork } = await import("./server/background");
    const { endStreamsOnTermination, stopWhenOrphaned } = await import("./server/lifecycle/shutdown");
    endStreamsOnTermination();
    stopWhenOrphaned();
    startBackgroundWork();
  }
}
