import { ZRecallQuery, ZRecordMemoryRequest } from "../../server/schemas/memory";
import type { WardenHttpClient } from "./http-client";
import type { MemoryView, RecallQuery, RecallResponse, RecordMemoryRequest, RecordMemoryResponse } from "./types";
import { validateInput } from "./validate-input";

export type NegativeKnowledge = Omit<RecordMemoryRequest, "kind" | "body"> & {
  /** Why it failed, the root cause and the fix: what the next agent must know before trying again. */
  failureReason: string;
};

const ZNegativeKnowledge = ZRecordMemoryRequest.omit({ kind: true, body: true }).extend({ failureReason: ZRecordMemoryRequest.shape.body });

/** Shared memory: decisions, negative knowledge and patterns every agent in scope recalls. */
export class WardenMemory {
  constructor(private readonly http: WardenHttpClient) {}

  /** Memories like `q`, best first: full text and subject similarity (`traefik restart` finds `traefik_restart`). */
  async recall(q: string, options: RecallQuery = {}): Promise<MemoryView[]> {
    const query = validateInput(ZRecallQuery, { ...options, q }, "recall");
    const { body } = await this.http.get<RecallResponse>("/api/v1/memory/recall", { query: query as Record<string, string | number | undefined> });
    return body.results;
  }

  /** Records a decision, negative knowledge or a pattern; the same lesson again strengthens the entry. */
  async record(memory: RecordMemoryRequest): Promise<RecordMemoryResponse> {
    const body = validateInput(ZRecordMemoryRequest, memory, "record");
    return (await this.http.post<RecordMemoryResponse>("/api/v1/memory", body, { retry: "idempotent" })).body;
  }

  /** The seed's `memory.record_negative_knowledge(subject, failure_reason)`. */
  async recordNegativeKnowledge(lesson: NegativeKnowledge): Promise<RecordMemoryResponse> {
    const { failureReason, ...rest } = validateInput(ZNegativeKnowledge, lesson, "recordNegativeKnowledge");
    return this.record({ ...rest, kind: "negative_knowledge", body: failureReason });
  }
}
