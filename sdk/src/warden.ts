import { z } from "zod";
import { ZSlug } from "../../server/schemas/common";
import type { ZTool } from "../../server/schemas/tools";
import { anySignal } from "./abort";
import { WardenActions, type GuardOptions } from "./actions";
import { ControlSubscription, type UndoHandler } from "./control-subscription";
import { ToolDeclarationError, WardenInputError } from "./errors";
import type { GuardDecision } from "./guard-decision";
import { guardedTool, type GuardedTool, type ToolDeclaration, type ToolFunction } from "./guarded-tool";
import { WardenHttpClient } from "./http-client";
import { WardenMemory } from "./memory";
import { WardenTasks } from "./tasks";
import type { ProposeActionRequest } from "./types";
import { validateInput } from "./validate-input";

export type WardenOptions = {
  /** Warden's base URL, such as `http://localhost:11480`. */
  url: string;
  /** This agent's key (`wdn_agent_…`), shown once when the agent was registered. */
  key: string;
  /** How long `guard` and tools wait for a human by default, in seconds (default 300). */
  approvalWaitSeconds?: number;
  /** Retries of a failed request (default 4); see WardenHttpClient. */
  retries?: number;
  /** One request's time limit in milliseconds (default 30,000; long-polls get their wait on top). */
  requestTimeoutMs?: number;
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
  /** Errors of background work (the control stream, acknowledgements, undo reports); default: console.warn. */
  onError?: (error: unknown) => void;
};

const ZWardenOptions = z.strictObject({
  url: z
    .string("must be Warden's URL, such as http://localhost:11480")
    .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), "must be an http(s) URL, such as http://localhost:11480"),
  key: z
    .string("must be the agent's key (wdn_agent_…)")
    .trim()
    .superRefine((value, context) => {
      if (value.startsWith("wdn_user_"))
        context.addIssue({ code: "custom", message: "is a personal token: an agent acts with its own agent key (wdn_agent_…)" });
      else if (!/^wdn_agent_\S+$/.test(value)) context.addIssue({ code: "custom", message: "must be an agent key (wdn_agent_…)" });
    }),
  approvalWaitSeconds: z
    .number()
    .min(0)
    .max(24 * 3600)
    .optional(),
  retries: z.number().int().min(0).max(20).optional(),
  requestTimeoutMs: z
    .number()
    .int()
    .min(100)
    .max(10 * 60_000)
    .optional(),
  fetch: z.custom<typeof fetch>((value) => typeof value === "function", "must be a fetch function").optional(),
  onError: z.custom<(error: unknown) => void>((value) => typeof value === "function", "must be a function").optional(),
});

const TOOL_REGISTRY_TTL_MS = 60_000;

/**
 * An agent's client for Warden: ask before acting (`guard`, `tool`), remember (`memory`), take
 * work (`tasks`), and obey the kill switch (`connect` opens the control stream: suspend and kill
 * abort in-flight work, a kill's undo orders run, every epoch is acknowledged).
 *
 * ```ts
 * const warden = new Warden({ url: "http://localhost:11480", key: process.env.WARDEN_KEY! });
 * await warden.connect();
 * const restart = warden.tool({ name: "docker.restart", scope: ["staging/*"], rateLimit: "10/minute" },
 *   async (args, { signal }) => restartContainer(String(args.container), signal));
 * await restart({ container: "traefik" }, { resource: "staging/traefik", confidence: 0.82 });
 * ```
 */
export class Warden {
  readonly http: WardenHttpClient;
  readonly actions: WardenActions;
  readonly memory: WardenMemory;
  readonly tasks: WardenTasks;
  readonly control: ControlSubscription;
  private readonly undoHandlers = new Map<string, UndoHandler>();
  private readonly toolNames = new Set<string>();
  private registry: { at: number; tools: Promise<Map<string, z.infer<typeof ZTool>>> } | null = null;

  constructor(options: WardenOptions) {
    const settings = validateInput(ZWardenOptions, options, "new Warden");
    const onError = settings.onError ?? ((error: unknown) => console.warn(`[warden] ${error instanceof Error ? error.message : String(error)}`));
    this.http = new WardenHttpClient({
      url: settings.url,
      key: settings.key,
      fetch: settings.fetch,
      retries: settings.retries,
      timeoutMs: settings.requestTimeoutMs,
    });
    this.actions = new WardenActions(this.http, settings.approvalWaitSeconds ?? 300, onError, () => this.control.signal);
    this.memory = new WardenMemory(this.http);
    this.control = new ControlSubscription(this.http, { undoHandler: (tool) => this.undoHandlers.get(tool), onError });
    this.tasks = new WardenTasks(this.http, this.control, onError);
  }

  /** Opens the control stream; resolves once this agent's control state is known. */
  connect(): Promise<void> {
    return this.control.connect();
  }

  /** Closes the control stream (after the undo orders under way). */
  close(): Promise<void> {
    return this.control.close();
  }

  /**
   * Asks Warden before acting and returns its decision, after waiting for a human when one must
   * decide (up to `waitSeconds`). Run the action with `decision.run(fn)`: it runs the approved
   * args (an approver may have edited them), refuses any others, and reports the outcome.
   */
  guard(action: ProposeActionRequest, options: GuardOptions = {}): Promise<GuardDecision> {
    return this.actions.guard(action, { ...options, signal: anySignal([options.signal, this.control.signal]) });
  }

  /**
   * The seed's one-line call, as the Python client has it: `await warden.check("docker restart
   * traefik", 0.82)`. The same as `guard({ action, confidence, ...details })`; without a tool in
   * `details`, Warden judges the action by its patterns, memory and confidence, and by policy lets
   * it go no further than `execute_with_notification`.
   */
  check(
    action: string,
    confidence: number,
    details: Omit<ProposeActionRequest, "action" | "confidence"> = {},
    options: GuardOptions = {},
  ): Promise<GuardDecision> {
    return this.guard({ ...details, action, confidence }, options);
  }

  /**
   * The seed's `@tool` decorator: wraps `fn` so that every call is proposed, waits for approval
   * when needed, runs with the approved args only, reports its outcome, and registers its undo.
   * After a kill, undo orders naming this tool run `fn` with the undo's args.
   */
  tool<T>(declaration: ToolDeclaration, fn: ToolFunction<T>): GuardedTool<T> {
    const tool = guardedTool(
      { actions: this.actions, workSignal: () => this.control.signal, registeredTool: (name) => this.registeredTool(name) },
      declaration,
      fn,
    );
    const { name } = tool.declaration;
    if (this.toolNames.has(name)) throw new ToolDeclarationError(`tool ${name} is declared twice on this Warden client`);
    this.toolNames.add(name);
    if (!this.undoHandlers.has(name)) {
      this.undoHandlers.set(name, (args, { signal, actionId, rollbackId }) =>
        fn(args, { signal, actionId, rollbackId, argsEdited: false, addCost: () => undefined }),
      );
    }
    return tool;
  }

  /** The handler for undo orders naming `tool`, for an undo that is not itself a guarded tool here. */
  onUndo(tool: string, handler: UndoHandler): void {
    const name = validateInput(ZSlug, tool, "onUndo: tool");
    if (typeof handler !== "function") throw new WardenInputError("onUndo: handler: must be a function", [{ field: "handler", message: "must be a function" }]);
    this.undoHandlers.set(name, handler);
  }

  /** Warden's registry entry for a tool, from GET /api/v1/tools, cached for a minute. */
  private async registeredTool(name: string): Promise<z.infer<typeof ZTool> | undefined> {
    if (!this.registry || Date.now() - this.registry.at > TOOL_REGISTRY_TTL_MS) {
      const tools = this.http.get<{ tools: z.infer<typeof ZTool>[] }>("/api/v1/tools").then(({ body }) => new Map(body.tools.map((t) => [t.name, t])));
      this.registry = { at: Date.now(), tools };
      tools.catch(() => (this.registry = null));
    }
    return (await this.registry.tools).get(name);
  }
}
