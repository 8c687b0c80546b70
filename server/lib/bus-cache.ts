import { subscribe, type WardenEvent } from "../events/bus";

/**
 * A small in-process cache for what the hot path reads on every request (the policy, tools).
 * Entries are dropped when any instance announces a change on the bus, and expire after
 * `maxAgeMs` regardless, so a missed event costs at most that much staleness.
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
      }
      const hit = entries.get(key);
      if (hit && Date.now() - hit.at < options.maxAgeMs) return hit.value;
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
