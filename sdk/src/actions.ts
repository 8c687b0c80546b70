import { z } from "zod";
import { ZActionResultRequest, ZExternalId, ZProposeActionRequest } from "../../server/schemas/actions";
import { ZUuid } from "../../server/schemas/common";
import { GuardDecision, type ResultReporter } from "./guard-decision";
import type { WardenHttpClient } from "./http-client";
import type { ActionResult, ActionView, ProposeActionRequest, ProposeActionResponse } from "./types";
import { validateInput } from "./validate-input";

/** Warden answers a long-poll after at most this long; a longer wait is several polls. */
const LONG_POLL_SECONDS = 60;

export type GuardOptions = {
  /**
   * How long to wait for a human when the decision is `require_approval`, in seconds (default:
   * the client's `approvalWaitSeconds`). 0 answers at once with status `pending_approval`.
   */
  waitSeconds?: number;
  signal?: AbortSignal;
  /** Fixes the proposal's Idempotency-Key, so a re-run of the same step asks only once. */
  idempotencyKey?: string;
};

const ZWaitSeconds = z
  .number()
  .min(0, "must be 0 or more")
  .max(24 * 3600, "must be at most a day");

/** Ask before acting, wait for a human, report after: /api/v1/actions. */
export class WardenActions implements ResultReporter {
  constructor(
    private readonly http: WardenHttpClient,
    private readonly defaultWaitSeconds: number,
    readonly onError: (error: unknown) => void,
    /** The agent's control signal (a suspend or a kill aborts it); none when used on its own. */
    readonly workSignal: () => AbortSignal | undefined = () => undefined,
  ) {}

  /**
   * Proposes an action and returns Warden's decision; when a human must decide, waits for
   * them (long-polling `GET /actions/:id/wait`) up to `waitSeconds`. The decision carries the
   * approved args, which may differ from the proposed ones when an approver edited them.
   */
  async guard(action: ProposeActionRequest, options: GuardOptions = {}): Promise<GuardDecision> {
    const body = validateInput(ZProposeActionRequest, action, "guard");
    const waitSeconds = validateInput(ZWaitSeconds, options.waitSeconds ?? this.defaultWaitSeconds, "guard: waitSeconds");
    const { body: answer } = await this.http.post<ProposeActionResponse>("/api/v1/actions", body, {
      retry: "idempotent",
      idempotencyKey: options.idempotencyKey,
      signal: options.signal,
    });
    if (answer.status !== "pending_approval" || waitSeconds === 0) return GuardDecision.fromProposal(this, answer);
    return GuardDecision.fromView(this, await this.waitForDecision(answer.id, waitSeconds, options.signal));
  }

  /** The action as Warden has it now. */
  async get(actionId: string, signal?: AbortSignal): Promise<ActionView> {
    const id = validateInput(ZUuid, actionId, "actionId");
    return (await this.http.get<ActionView>(`/api/v1/actions/${id}`, { signal })).body;
  }

  /** The agent's action proposed with this framework tool-call id (`externalId`), or null. */
  async findByExternalId(externalId: string, signal?: AbortSignal): Promise<ActionView | null> {
    const id = validateInput(ZExternalId, externalId, "externalId");
    const { body } = await this.http.get<{ items: ActionView[] }>("/api/v1/actions", { query: { externalId: id }, signal });
    return body.items[0] ?? null;
  }

  /** Long-polls until the action is no longer pending, or `waitSeconds` have passed. */
  async waitForDecision(actionId: string, waitSeconds: number, signal?: AbortSignal): Promise<ActionView> {
    const id = validateInput(ZUuid, actionId, "actionId");
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      const timeoutSeconds = Math.max(0, Math.min(LONG_POLL_SECONDS, Math.ceil((deadline - Date.now()) / 1000)));
      const { body: view } = await this.http.get<ActionView>(`/api/v1/actions/${id}/wait`, {
        query: { timeoutSeconds },
        signal,
        extraTimeoutMs: timeoutSeconds * 1000,
      });
      if (view.status !== "pending_approval" || timeoutSeconds === 0 || Date.now() >= deadline) return view;
    }
  }

  /** POST /api/v1/actions/:id/result: what happened when the action ran. */
  async report(actionId: string, result: ActionResult): Promise<ActionView> {
    const id = validateInput(ZUuid, actionId, "actionId");
    const body = validateInput(ZActionResultRequest, result, "result");
    return (await this.http.post<ActionView>(`/api/v1/actions/${id}/result`, body, { retry: "idempotent" })).body;
  }

  /** A decision for an action proposed earlier (say, by a process that restarted), to run it. */
  async decision(actionId: string, signal?: AbortSignal): Promise<GuardDecision> {
    return GuardDecision.fromView(this, await this.get(actionId, signal));
  }
}
