import { AppError } from "../errors";
import type { ApiRoute } from "./api-route";

export type RouteMatch =
  | { kind: "route"; route: ApiRoute; params: () => Record<string, string> }
  /** The path exists, with other methods. */
  | { kind: "method"; allowed: string[] }
  | { kind: "none" };

type PatternRoute = { route: ApiRoute; segments: (string | null)[]; names: string[] };

/** The agent API's own prefix; outside it only the literal paths declared (/kill, /api/health) are served here. */
const API_PREFIX = "/api/v1/";

function decodeParam(value: string, name: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new AppError("BAD_REQUEST", `path.${name}: not valid percent-encoding`, {
      details: [{ field: `path.${name}`, message: "not valid percent-encoding" }],
    });
  }
}

/**
 * The routes' paths compiled once: literal paths in a map (one lookup on the hot path), paths
 * with {parameters} as segment lists, a literal segment winning over a parameter in the same
 * place (/tasks/claim before /tasks/{id}). Two specs for one method and path are a mistake the
 * table refuses at start.
 */
export function compileRoutes(routes: readonly ApiRoute[]) {
  const literal = new Map<string, Map<string, ApiRoute>>();
  const patterns: PatternRoute[] = [];
  for (const route of routes) {
    if (!route.path.startsWith(API_PREFIX) && route.path.includes("{")) {
      throw new Error(`${route.path}: outside ${API_PREFIX} a route's path is literal (/kill, /api/health)`);
    }
    if (!route.path.includes("{")) {
      const methods = literal.get(route.path) ?? new Map<string, ApiRoute>();
      if (methods.has(route.method)) throw new Error(`${route.method} ${route.path} is declared twice`);
      literal.set(route.path, methods.set(route.method, route));
      continue;
    }
    const names: string[] = [];
    const segments = route.path.split("/").map((part) => {
      const param = /^\{(\w+)\}$/.exec(part);
      if (!param) return part;
      names.push(param[1]!);
      return null;
    });
    if (patterns.some((p) => p.route.method === route.method && p.route.path === route.path))
      throw new Error(`${route.method} ${route.path} is declared twice`);
    patterns.push({ route, segments, names });
  }
  // Fewer parameters first, and within a length, literal segments before parameters.
  patterns.sort((a, b) => a.names.length - b.names.length);
  const rootPaths = new Set([...literal.keys()].filter((path) => !path.startsWith(API_PREFIX)));

  const matchPattern = (pattern: PatternRoute, parts: string[]): string[] | null => {
    if (pattern.segments.length !== parts.length) return null;
    const values: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      const segment = pattern.segments[i];
      if (segment === null) {
        if (parts[i] === "") return null;
        values.push(parts[i]!);
      } else if (segment !== parts[i]) return null;
    }
    return values;
  };

  return {
    serves: (pathname: string) => pathname.startsWith(API_PREFIX) || rootPaths.has(pathname),

    match(method: string, pathname: string): RouteMatch {
      // A literal path answers only its own methods: GET /tasks/claim is 405, not /tasks/{id}.
      const methods = literal.get(pathname);
      if (methods) {
        const route = methods.get(method);
        return route ? { kind: "route", route, params: () => ({}) } : { kind: "method", allowed: [...methods.keys()] };
      }
      const parts = pathname.split("/");
      const allowed: string[] = [];
      for (const pattern of patterns) {
        const values = matchPattern(pattern, parts);
        if (!values) continue;
        if (pattern.route.method !== method) {
          allowed.push(pattern.route.method);
          continue;
        }
        return {
          kind: "route",
          route: pattern.route,
          params: () => Object.fromEntries(pattern.names.map((name, i) => [name, decodeParam(values[i]!, name)])),
        };
      }
      return allowed.length > 0 ? { kind: "method", allowed } : { kind: "none" };
    },
  };
}
