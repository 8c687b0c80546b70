import { AppError } from "../errors";
import { clientIp } from "../lib/client-ip";
import type { ApiAnswer, Dispatcher } from "./dispatcher";

/**
 * A fetch Request's body as text, or null once it is known to pass `limit` bytes: from its
 * declared length, or as it streams (a chunked body declares none), never buffering more.
 */
export async function readCappedText(request: Request, limit: number): Promise<string | null> {
  if (Number(request.headers.get("content-length") ?? "0") > limit) return null;
  if (!request.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    size += chunk.value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(chunk.value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function readBody(request: Request, limit: number): Promise<string> {
  const text = await readCappedText(request, limit);
  if (text === null) throw new AppError("PAYLOAD_TOO_LARGE", `body: larger than the limit of ${limit} bytes`);
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
