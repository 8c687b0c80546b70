import type { IncomingHttpHeaders } from "node:http";
import { env } from "../env";
import type { AddressRanges } from "../lib/address-ranges";
import { normalizeAddress } from "../lib/address-ranges";

/** The address of the socket a request came in on, written by this server and nobody else. */
export const PEER_HEADER = "x-warden-peer";

/** What a proxy tells about the client; believed only from a trusted proxy. */
const FORWARDING_HEADERS = ["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-real-ip", "forwarded"];

/**
 * Records the request's peer in PEER_HEADER (replacing whatever the client sent under that
 * name) and, unless the peer is a trusted proxy, removes the forwarding headers the client
 * sent. Next.js then fills X-Forwarded-For/-Host/-Proto from the socket and the Host header,
 * so next-auth's URLs, the server-action origin check and Warden's own code all read the truth.
 */
export function markPeer(headers: IncomingHttpHeaders, remoteAddress: string | undefined, trusted: AddressRanges = env.WARDEN_TRUSTED_PROXIES): void {
  const peer = remoteAddress ? normalizeAddress(remoteAddress) : null;
  if (peer) headers[PEER_HEADER] = peer;
  else delete headers[PEER_HEADER];
  if (peer && trusted.contains(peer)) return;
  for (const name of FORWARDING_HEADERS) delete headers[name];
}
