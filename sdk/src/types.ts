/**
 * The API's shapes, inferred from the zod schemas the server validates with (server/schemas),
 * so the SDK and Warden cannot drift apart silently: a changed schema breaks the SDK's build.
 * Requests use the schemas' input types (defaults optional), answers their output types.
 */
import type { z } from "zod";
import type {
  ZActionResultRequest,
  ZActionStatus,
  ZActionView,
  ZDecision,
  ZProposeActionRequest,
  ZProposeActionResponse,
  ZReason,
  ZRecalledMemory,
} from "../../server/schemas/actions";
import type { ZAckResponse, ZControlState, ZControlStreamEvent, ZRollbackResultRequest, ZRollbackStreamEvent } from "../../server/schemas/control";
import type { ZMemoryKind, ZMemoryView, ZRecallQuery, ZRecallResponse, ZRecordMemoryRequest, ZRecordMemoryResponse } from "../../server/schemas/memory";
import type { ZClaimRequest, ZCreateTaskRequest, ZTaskCompleteRequest, ZTaskFailRequest, ZTaskLease, ZTaskView } from "../../server/schemas/tasks";

export type Decision = z.infer<typeof ZDecision>;
export type ActionStatus = z.infer<typeof ZActionStatus>;
export type Reason = z.infer<typeof ZReason>;
export type RecalledMemory = z.infer<typeof ZRecalledMemory>;
export type ProposeActionRequest = z.input<typeof ZProposeActionRequest>;
export type ProposeActionResponse = z.infer<typeof ZProposeActionResponse>;
export type ActionView = z.infer<typeof ZActionView>;
export type ActionResult = z.input<typeof ZActionResultRequest>;
export type UndoOrder = NonNullable<z.output<typeof ZProposeActionRequest>["undo"]>;

export type ControlState = z.infer<typeof ZControlState>;
export type ControlStreamEvent = z.infer<typeof ZControlStreamEvent>;
export type RollbackStreamEvent = z.infer<typeof ZRollbackStreamEvent>;
export type RollbackResult = z.input<typeof ZRollbackResultRequest>;
export type AckResponse = z.infer<typeof ZAckResponse>;

export type MemoryKind = z.infer<typeof ZMemoryKind>;
export type MemoryView = z.infer<typeof ZMemoryView>;
export type RecallQuery = Omit<z.input<typeof ZRecallQuery>, "q">;
export type RecallResponse = z.infer<typeof ZRecallResponse>;
export type RecordMemoryRequest = z.input<typeof ZRecordMemoryRequest>;
export type RecordMemoryResponse = z.infer<typeof ZRecordMemoryResponse>;

export type TaskView = z.infer<typeof ZTaskView>;
export type TaskLease = z.infer<typeof ZTaskLease>;
export type ClaimRequest = z.input<typeof ZClaimRequest>;
export type CreateTaskRequest = z.input<typeof ZCreateTaskRequest>;
export type TaskCompletion = z.input<typeof ZTaskCompleteRequest>;
export type TaskFailureReport = z.input<typeof ZTaskFailRequest>;

export type JsonObject = Record<string, unknown>;
