import type { HeaderReader } from "../http/api-route";
import { isIP } from "node:net";
import { env } from "../env";
import { PEER_HEADER } from "../http/peer-address";
import { normalizeAddress, type AddressRanges } from "./address-ranges";

/**
 * The client's address: the socket's peer, unless the peer is a trusted proxy; then the
 * nearest X-Forwarded-For hop, read from the right, that is not itself a trusted proxy (the
 * hops to its left were written by the client and prove nothing).
 */
export function clientAddress(peer: string | null, forwardedFor: string | null, trusted: AddressRanges = env.WARDEN_TRUSTED_PROXIES): string | null {
  if (!peer) return null;
  let client = normalizeAddress(peer);
  if (!trusted.contains(client) || !forwardedFor) return client;
  const hops = forwardedFor.split(",").map(normalizeAddress).reverse();
  for (const hop of hops) {
    if (!isIP(hop)) return client;
    client = hop;
    if (!trusted.contains(hop)) return hop;
  }
  return client;
}

/** The caller's address from a request's headers, as PEER_HEADER and the trusted proxies tell it. */
export function clientIp(headers: HeaderReader): string | null {
  return clientAddress(headers.get(PEER_HEADER), headers.get("x-forwarded-for"));
}
