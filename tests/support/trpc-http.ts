import { createTRPCClient, httpLink } from "@trpc/client";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import type { UserActor } from "../../server/auth/actor";
import { appRouter, type AppRouter } from "../../server/api/root";
import { db } from "./fixtures";

/**
 * tRPC over its wire, in this process: the console's own client (superjson on both sides) sends
 * real HTTP requests to the route handler app/api/trpc uses, signed in as `user`. Unlike
 * createCaller, answers go through serialisation, which is where a deep value used to fail.
 */
export function trpcHandler(user: UserActor | null): (request: Request) => Promise<Response> {
  return (request) =>
    fetchRequestHandler({ endpoint: "/api/trpc", req: request, router: appRouter, createContext: async () => ({ db, user, ip: "127.0.0.1" }) });
}

export function trpcOverHttp(user: UserActor | null) {
  const handle = trpcHandler(user);
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({ url: "http://warden.test/api/trpc", transformer: superjson, fetch: async (url, init) => handle(new Request(url, init as RequestInit)) }),
    ],
  });
}
