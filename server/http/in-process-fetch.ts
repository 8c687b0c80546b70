import type { ApiRoute } from "./api-route";

type CompiledRoute = { method: string; pattern: RegExp; names: string[]; route: ApiRoute };

function compile(routes: readonly ApiRoute[]): CompiledRoute[] {
  const compiled = routes.map((route) => {
    const names: string[] = [];
    const source = route.spec.path
      .split("/")
      .map((part) => {
        const param = /^\{(\w+)\}$/.exec(part);
        if (!param) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        names.push(param[1]!);
        return "([^/]+)";
      })
      .join("/");
    return { method: route.spec.method, pattern: new RegExp(`^${source}$`), names, route };
  });
  // A literal segment wins over a parameter in the same place (/tasks/claim before /tasks/{id}).
  return compiled.sort((a, b) => a.names.length - b.names.length);
}

/**
 * A `fetch` that answers API requests by calling their route handlers in this process: the
 * same authentication, validation, error shape and Idempotency-Key as over the network, minus
 * the network. The MCP endpoint hands it to the SDK (server/mcp/mcp-endpoint.ts).
 */
export function inProcessFetch(routes: readonly ApiRoute[]): typeof fetch {
  const compiled = compile(routes);
  return async (input, init) => {
    const request = new Request(input, init);
    const { pathname } = new URL(request.url);
    for (const candidate of compiled) {
      if (candidate.method !== request.method) continue;
      const match = candidate.pattern.exec(pathname);
      if (!match) continue;
      const params = Object.fromEntries(candidate.names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]));
      return candidate.route.handle(request, { params: Promise.resolve(params) });
    }
    return Response.json({ error: { code: "not_found", message: `${request.method} ${pathname} is not an API route` } }, { status: 404 });
  };
}
