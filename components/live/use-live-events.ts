"use client";

import { useEffect, useRef } from "react";
import { LIVE_EVENT_TYPES, type LiveEventType } from "@/server/schemas/enums";

type Listener = (type: string, data: Record<string, unknown>) => void;

/**
 * What a listener is called with each time the stream (re)connects: anything may have changed
 * while it was not connected (a page's first query can finish before the stream opens, and a
 * reconnect after a dropped connection misses what happened in between), so listeners reload.
 */
export const RESYNC = "live.resync";

// One EventSource for the whole console, shared by every component that listens.
let source: EventSource | null = null;
const listeners = new Set<Listener>();

function ensureSource() {
  if (source || typeof window === "undefined") return;
  source = new EventSource("/api/events");
  source.addEventListener("open", () => {
    for (const listener of listeners) listener(RESYNC, {});
  });
  // The server ended this session (signed out elsewhere, new password, role change,
  // deactivated): stop listening and sign in again, by a full load so nothing of the old
  // session's data stays in memory.
  source.addEventListener("session.ended", () => {
    source?.close();
    window.location.replace("/login");
  });
  for (const type of LIVE_EVENT_TYPES) {
    source.addEventListener(type, (message) => {
      const data = JSON.parse((message as MessageEvent<string>).data) as Record<string, unknown>;
      for (const listener of listeners) listener(type, data);
    });
  }
}

/**
 * Calls `onEvent` for each live event of the given types, and with `RESYNC` each time the
 * stream (re)connects (the browser reconnects by itself).
 */
export function useLiveEvents(types: LiveEventType[], onEvent: (type: string, data: Record<string, unknown>) => void) {
  const handler = useRef(onEvent);
  useEffect(() => {
    handler.current = onEvent;
  });
  const key = types.join(",");
  useEffect(() => {
    ensureSource();
    const wanted = new Set(key.split(","));
    const listener: Listener = (type, data) => {
      if (type === RESYNC || wanted.has(type)) handler.current(type, data);
    };
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, [key]);
}

/**
 * Calls `refresh` after live events of the given types, at most once per `intervalMs`: a
 * fleet-wide change brings a thousand events in a second, and one redraw is enough.
 */
export function useLiveRefresh(types: LiveEventType[], refresh: () => void, intervalMs = 250) {
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef(refresh);
  useEffect(() => {
    latest.current = refresh;
  });
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  useLiveEvents(types, () => {
    timer.current ??= setTimeout(() => {
      timer.current = null;
      latest.current();
    }, intervalMs);
  });
}
