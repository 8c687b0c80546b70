import type { IncomingMessage, ServerResponse } from "node:http";
import { EVENT_STREAM_HEADERS } from "../events/event-stream";
import { AppError } from "../errors";
import { clientIp } from "../lib/client-ip";
import type { HeaderReader } from "./api-route";
import type { ApiAnswer, ApiRequest, Dispatcher } from "./dispatcher";

/** Every API answer's headers: JSON that nothing may sniff, frame or cache. */
const JSON_HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
} as const;

function headerReader(request: IncomingMessage): HeaderReader {
  return {
    get(name) {
      const value = request.headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(", ") : value;
    },
  };
}

function tooLarge(limit: number): AppError {
  return new AppError("PAYLOAD_TOO_LARGE", `body: larger than the limit of ${limit} bytes`);
}

/** Reads the body up to `limit` bytes; a larger one is refused as soon as it is known to be. */
function readBody(request: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(request.headers["content-length"] ?? "0");
  if (declared > limit) {
    request.resume();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners("data");
        request.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    request.once("end", () => resolve(chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8")));
    request.once("error", reject);
  });
}

function write(response: ServerResponse, answer: ApiAnswer, signal: () => AbortSignal): void {
  if ("stream" in answer) {
    response.writeHead(answer.status, { ...EVENT_STREAM_HEADERS, "x-content-type-options": "nosniff", ...answer.headers });
    response.flushHeaders();
    // Each write goes to the socket's buffer and returns: a thousand streams are written in
    // one pass, none waiting for a slow reader.
    const stop = answer.stream.open({ write: (text) => void response.write(text), end: () => response.end() });
    signal().addEventListener("abort", stop);
    return;
  }
  if (answer.json === undefined || answer.status === 204) {
    response.writeHead(answer.status, { "cache-control": "no-store", ...answer.headers });
    response.end();
    return;
  }
  const body = JSON.stringify(answer.json);
  response.writeHead(answer.status, { ...JSON_HEADERS, "content-length": Buffer.byteLength(body), ...answer.headers });
  response.end(body);
}

/**
 * Serves an API request straight from node's request and response: no fetch Request or
 * Response is built on the hot path. `pathname` and `search` come from the server's own split
 * of the URL.
 */
export async function handleNodeRequest(
  dispatcher: Dispatcher,
  request: IncomingMessage,
  response: ServerResponse,
  pathname: string,
  search: string,
): Promise<void> {
  let controller: AbortController | null = null;
  const signal = () => {
    if (!controller) {
      const made = (controller = new AbortController());
      if (response.closed) made.abort();
      else response.once("close", () => made.abort());
    }
    return controller.signal;
  };
  const headers = headerReader(request);
  const apiRequest: ApiRequest = {
    method: request.method ?? "GET",
    pathname,
    query: new URLSearchParams(search),
    headers,
    readBody: (limit) => readBody(request, limit),
    signal,
    ip: clientIp(headers),
  };
  const answer = await dispatcher.dispatch(apiRequest);
  // The caller went away while it was answered: a stream not yet opened has nothing to close.
  if (response.closed) return;
  write(response, answer, signal);
}
