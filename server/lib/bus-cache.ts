import { subscribe, type WardenEvent } from "../events/bus";

/**
 * A small in-process cache for what the hot path reads on every request (the policy, tools).
 * Entries are dropped when any instance announces a change on the bus, and expire after
 * `maxAgeMs` regardless, so a missed event costs at most that much staleness.
 */
export function busInvalidatedCache<V>(options: { maxAgeMs: number; invalidates: (event: WardenEvent) => boolean }) {
  const entries = new Map<string, { value: V; at: number }>();
  let subscribed = false;
  return {
    async get(key: string, load: () => Promise<V>): Promise<V> {
      if (!subscribed) {
        subscribed = true;
        subscribe((event) => {
          if (options.invalidates(event)) entries.clear();
        });
      }
      const hit = entries.get(key);
      if (hit && Date.now() - hit.at < options.maxAgeMs) return hit.value;
      const value = await load();
      entries.set(key, { value, at: Date.now() });
      return value;
    },
    clear(): void {
      entries.clear();
    },
  };
}
