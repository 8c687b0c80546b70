import type { NextRequest } from "next/server";
import { handlers } from "@/server/auth/next-auth";
import { serverOrigin } from "@/server/http/server-origin";

/**
 * next-auth builds its base URL (where callback URLs must point) from the request's URL, which
 * Next.js writes with the address it listens on (http://0.0.0.0:11480). Give it the origin the
 * browser used instead: the socket's Host, or a trusted proxy's. A plain Request, because a
 * NextRequest's URL turns 127.0.0.1 into localhost, and an identity provider compares the
 * callback URL of the token request with the authorization request's character for character.
 */
function onServerOrigin(handler: (request: NextRequest) => Promise<Response>) {
  return (request: NextRequest) => {
    const url = new URL(request.url);
    const onOrigin = new Request(`${serverOrigin(request.headers)}${url.pathname}${url.search}`, request);
    return handler(onOrigin as NextRequest);
  };
}

export const GET = onServerOrigin(handlers.GET);
export const POST = onServerOrigin(handlers.POST);
