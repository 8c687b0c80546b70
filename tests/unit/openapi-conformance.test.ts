import { describe, expect, it } from "vitest";
import type { RecordedAnswer } from "@/server/http/answer-recorder";
import { API_ROUTES } from "@/server/http/api-routes";
import { buildOpenApiDocument } from "@/server/http/openapi";
import { checkAnswers } from "../support/openapi-conformance";

// The check the end-to-end run ends with (scripts/check-api-answers.ts): it must catch what a
// generated client would trip on.
const document = buildOpenApiDocument(API_ROUTES, "http://localhost");
const answer = (a: Partial<RecordedAnswer> & Pick<RecordedAnswer, "method" | "path" | "status">): RecordedAnswer => ({ headers: {}, ...a });
const problemsOf = (answers: RecordedAnswer[]) => checkAnswers(document, answers).problems.map((p) => p.problem);

describe("the answers-against-OpenAPI check", () => {
  it("passes answers as documented: a body, a documented error, an event stream, a 429 with Retry-After", () => {
    const report = checkAnswers(document, [
      answer({ method: "GET", path: "/api/health", status: 200, body: { ok: true, database: "up", pid: 12 } }),
      answer({
        method: "GET",
        path: "/api/v1/actions/3f1c1d9e-6b2f-4c44-9a59-2b0e5b8f1a11",
        status: 404,
        body: { error: { code: "not_found", message: "No such action" } },
      }),
      answer({ method: "GET", path: "/api/v1/control/stream", status: 200, stream: true }),
      answer({
        method: "POST",
        path: "/api/v1/actions",
        status: 429,
        headers: { "retry-after": "3" },
        body: { error: { code: "too_many_requests", message: "slow down" } },
      }),
      answer({ method: "POST", path: "/api/v1/tasks/claim", status: 204 }),
    ]);
    expect(report.problems).toEqual([]);
    expect(report.seen).toEqual(["claimTask", "getAction", "health", "proposeAction", "stream"]);
    expect(report.checked).toBe(5);
  });

  it("names a body outside its schema, an undocumented status, and an undocumented Retry-After", () => {
    expect(
      problemsOf([
        answer({ method: "GET", path: "/api/health", status: 200, body: { ok: true } }),
        answer({ method: "GET", path: "/api/v1/me", status: 500, body: { error: { code: "internal", message: "boom" } } }),
        answer({ method: "GET", path: "/api/v1/me", status: 200, headers: { "retry-after": "1" }, body: {} }),
      ]),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^GET \/api\/health 200 answered outside its schema: .*database/),
        "GET /api/v1/me answered 500, which the document does not list",
        "GET /api/v1/me 200 sent Retry-After, which the document does not mention",
      ]),
    );
  });

  it("matches a literal path before a template (/tasks/claim is not /tasks/{id}), and counts unknown paths apart", () => {
    const report = checkAnswers(document, [
      answer({ method: "POST", path: "/api/v1/tasks/claim", status: 204 }),
      answer({ method: "GET", path: "/api/v1/no-such-thing", status: 404, body: { error: { code: "not_found", message: "x" } } }),
    ]);
    expect(report.problems).toEqual([]);
    expect(report.seen).toContain("claimTask");
    expect(report.unmatched).toBe(1);
  });
});
