import { appendFileSync } from "node:fs";
import type { ApiAnswer, ApiRequest } from "./dispatcher";

/** One answer as the API gave it, for the end-to-end run's check against the OpenAPI document. */
export type RecordedAnswer = {
  method: string;
  path: string;
  status: number;
  headers: Record<string, string>;
  /** The JSON body; absent for an event stream or no body. */
  body?: unknown;
  stream?: true;
};

/**
 * Appends every answer to `file`, one JSON line each (WARDEN_RECORD_ANSWERS, set by the
 * end-to-end run only): scripts/check-api-answers.ts then checks each one against the OpenAPI
 * document, so what clients are promised is what the server was seen to answer. A line is one
 * write, so two instances appending to one file do not interleave.
 */
export function answerRecorder(file: string): (request: ApiRequest, answer: ApiAnswer) => void {
  return (request, answer) => {
    const recorded: RecordedAnswer = { method: request.method, path: request.pathname, status: answer.status, headers: answer.headers };
    if ("stream" in answer) recorded.stream = true;
    else if (answer.json !== undefined) recorded.body = answer.json;
    try {
      appendFileSync(file, `${JSON.stringify(recorded)}\n`);
    } catch (error) {
      console.error("[api] could not record an answer", error);
    }
  };
}
