/**
 * Warden's TypeScript SDK: an agent asks before acting, reports after, recalls and records
 * memory, works on tasks, and obeys pause, suspend and kill. See docs/quickstart.md.
 */
export { Warden, type WardenOptions } from "./warden";
export { WardenActions, type GuardOptions } from "./actions";
export { GuardDecision, type ActionContext, type RunOptions } from "./guard-decision";
export type { GuardedTool, ToolCall, ToolDeclaration, ToolFunction, ToolRun } from "./guarded-tool";
export { WardenMemory, type NegativeKnowledge } from "./memory";
export { WardenTasks, type TaskContext, type TaskHandler, type TaskRunOptions, type TaskRunner } from "./tasks";
export { ControlSubscription, type ControlChange, type UndoHandler } from "./control-subscription";
export { WardenHttpClient, type HttpRequest, type HttpResponse, type RetryMode, type WardenHttpOptions } from "./http-client";
export {
  ActionNotAllowedError,
  ArgsMismatchError,
  ControlStopError,
  LeaseLostError,
  TaskFailure,
  ToolDeclarationError,
  ToolFailure,
  ToolRateLimitError,
  WardenApiError,
  WardenError,
  WardenInputError,
  WardenNetworkError,
  type FieldProblem,
} from "./errors";
export { readServerSentEvents, parseEventBlock, type ServerSentEvent } from "./server-sent-events";
export type * from "./types";
