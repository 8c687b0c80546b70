import { AppError } from "../errors";
import { clientIp } from "../lib/client-ip";
import type { ApiAnswer, Dispatcher } from "./dispatcher";

async function readBody(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  const tooLarge = () => new AppError("PAYLOAD_TOO_LARGE", `body: larger than the limit of ${limit} bytes`);
  if (declared > limit) throw tooLarge();
  const text = await request.text();
  if (Buffer.byteLength(text) > limit) throw tooLarge();
  return text;
}

export function answerToResponse(answer: ApiAnswer): Response {
  if ("stream" in answer) {
    const response = answer.stream.toResponse();
    for (const [name, value] of Object.entries(answer.headers)) response.headers.set(name, value);
    return response;
  }
  if (answer.json === undefined || answer.status === 204) return new Response(null, { status: answer.status, headers: answer.headers });
  return Response.json(answer.json, { status: answer.status, headers: { "cache-control": "no-store", ...answer.headers } });
}

/**
 * Serves a fetch Request through the dispatcher: the MCP endpoint's in-process calls and the
 * tests use it; the same frame as over the network, minus the network.
 */
export async function handleWebRequest(dispatcher: Dispatcher, request: Request): Promise<Response> {
  const url = new URL(request.url);
  const answer = await dispatcher.dispatch({
    method: request.method,
    pathname: url.pathname,
    query: url.searchParams,
    headers: request.headers,
    readBody: (limit) => readBody(request, limit),
    signal: () => request.signal,
    ip: clientIp(request.headers),
  });
  return answerToResponse(answer);
}

/** A `fetch` answered by the dispatcher in this process (the MCP endpoint hands it to the SDK). */
export function inProcessFetch(dispatcher: Dispatcher): typeof fetch {
  return (input, init) => handleWebRequest(dispatcher, new Request(input, init));
}
