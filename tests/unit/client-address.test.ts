import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAddressRanges, type AddressRanges } from "../../server/lib/address-ranges";
import { clientAddress } from "../../server/lib/client-ip";
import { markPeer, PEER_HEADER } from "../../server/http/peer-address";

function ranges(text: string): AddressRanges {
  const parsed = parseAddressRanges(text);
  if ("problems" in parsed) throw new Error(parsed.problems.join("; "));
  return parsed.ranges;
}

const NOBODY = ranges("");
const PROXIES = ranges("10.0.0.0/8, 192.168.1.5, fd00::/8");

describe("WARDEN_TRUSTED_PROXIES", () => {
  it("takes addresses and CIDR ranges of both families", () => {
    expect(PROXIES.contains("10.20.30.40")).toBe(true);
    expect(PROXIES.contains("::ffff:10.1.1.1")).toBe(true);
    expect(PROXIES.contains("192.168.1.5")).toBe(true);
    expect(PROXIES.contains("192.168.1.6")).toBe(false);
    expect(PROXIES.contains("fd12::1")).toBe(true);
    expect(PROXIES.contains("not an address")).toBe(false);
    expect(NOBODY.contains("127.0.0.1")).toBe(false);
  });

  it.each([["10.0.0.0/33"], ["proxy.internal"], ["10.0.0.1/8/2"], ["fd00::/129"], ["10.0.0/8"]])("refuses %j", (text) => {
    expect(parseAddressRanges(text)).toHaveProperty("problems");
  });
});

describe("clientAddress: X-Forwarded-For counts only from a trusted proxy", () => {
  it.each([
    ["an untrusted peer's header is ignored", "203.0.113.9", "1.2.3.4", NOBODY, "203.0.113.9"],
    ["a peer outside the list is ignored even when a list is set", "203.0.113.9", "1.2.3.4", PROXIES, "203.0.113.9"],
    ["a trusted proxy names the client", "10.0.0.2", "198.51.100.7", PROXIES, "198.51.100.7"],
    ["the nearest untrusted hop wins over what the client wrote before it", "10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.9", PROXIES, "198.51.100.7"],
    ["all hops trusted: the farthest one", "10.0.0.2", "10.0.0.7, 192.168.1.5", PROXIES, "10.0.0.7"],
    ["a hop that is not an address ends the walk at the last trusted one", "10.0.0.2", "1.2.3.4, garbage", PROXIES, "10.0.0.2"],
    ["a trusted proxy without the header: itself", "10.0.0.2", null, PROXIES, "10.0.0.2"],
    ["a dual-stack socket's IPv4 peer reads as IPv4", "::ffff:203.0.113.9", "1.2.3.4", PROXIES, "203.0.113.9"],
  ] as const)("%s", (_name, peer, forwarded, trusted, expected) => {
    expect(clientAddress(peer, forwarded, trusted)).toBe(expected);
  });

  it("no peer, no address (a request Warden's server did not mark)", () => {
    expect(clientAddress(null, "1.2.3.4", PROXIES)).toBeNull();
  });

  it("with no trusted proxies, nothing a client writes changes its address", () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.string({ maxLength: 200 }), (peer, forwarded) => {
        expect(clientAddress(peer, forwarded, NOBODY)).toBe(peer);
      }),
    );
  });

  it("behind trusted proxies, the client can only push its own address further left", () => {
    fc.assert(
      fc.property(fc.array(fc.ipV4(), { maxLength: 5 }), fc.ipV4(), (written, real) => {
        fc.pre(!PROXIES.contains(real));
        // The client wrote `written`; the proxy appended the address it saw.
        expect(clientAddress("10.0.0.2", [...written, real].join(", "), PROXIES)).toBe(real);
      }),
    );
  });
});

describe("markPeer: the socket's address, and forwarding headers only from trusted proxies", () => {
  const spoofed = () => ({
    host: "warden.example",
    [PEER_HEADER]: "1.1.1.1",
    "x-forwarded-for": "9.9.9.9",
    "x-forwarded-host": "evil.example",
    "x-forwarded-proto": "https",
    "x-forwarded-port": "443",
    "x-real-ip": "9.9.9.9",
    forwarded: "for=9.9.9.9",
  });

  it("drops what an untrusted peer wrote and records its real address", () => {
    const headers = spoofed();
    markPeer(headers, "203.0.113.9", PROXIES);
    expect(headers).toEqual({ host: "warden.example", [PEER_HEADER]: "203.0.113.9" });
  });

  it("keeps a trusted proxy's forwarding headers", () => {
    const headers = spoofed();
    markPeer(headers, "::ffff:10.0.0.2", PROXIES);
    expect(headers).toMatchObject({ [PEER_HEADER]: "10.0.0.2", "x-forwarded-for": "9.9.9.9", "x-forwarded-host": "evil.example" });
  });

  it("a socket without an address leaves no peer at all, never the client's", () => {
    const headers = spoofed();
    markPeer(headers, undefined, PROXIES);
    expect(headers[PEER_HEADER]).toBeUndefined();
    expect(headers["x-forwarded-for"]).toBeUndefined();
  });
});
