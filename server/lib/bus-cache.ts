import { hearsOtherInstances, onHearingAgain, subscribe, type WardenEvent } from "../events/bus";

/** How long an entry is served while this process does not hear the other instances. */
const MAX_AGE_WHILE_DEAF_MS = 1_000;

/**
 * A small in-process cache for what the hot path reads on every request (the principals behind
 * keys, the policy, tools). Entries are dropped when any instance announces a change on the bus,
 * and expire after `maxAgeMs` regardless. While the LISTEN connection is down no announcement
 * arrives: entries are then served for a second at most, and all are dropped when it is back,
 * so a change made elsewhere is seen within a second even across a lost connection.
 */
export function busInvalidatedCache<V>(options: { maxAgeMs: number; invalidates: (event: WardenEvent) => boolean; maxEntries?: number }) {
  const entries = new Map<string, { value: V; at: number }>();
  let subscribed = false;
  // Bumped by every invalidation: a value loaded across one is not kept (it may predate it).
  let generation = 0;
  const clear = () => {
    generation++;
    entries.clear();
  };
  return {
    async get(key: string, load: () => Promise<V>): Promise<V> {
      if (!subscribed) {
        subscribed = true;
        subscribe((event) => {
          if (options.invalidates(event)) clear();
        });
        onHearingAgain(clear);
      }
      const hit = entries.get(key);
      const maxAge = hearsOtherInstances() ? options.maxAgeMs : Math.min(options.maxAgeMs, MAX_AGE_WHILE_DEAF_MS);
      if (hit && Date.now() - hit.at < maxAge) return hit.value;
      const loadedIn = generation;
      // Aged from when the load began: what it read is at most maxAgeMs old when dropped.
      const at = Date.now();
      const value = await load();
      if (loadedIn === generation) {
        if (options.maxEntries !== undefined && entries.size >= options.maxEntries) entries.clear();
        entries.set(key, { value, at });
      }
      return value;
    },
    clear,
  };
}
