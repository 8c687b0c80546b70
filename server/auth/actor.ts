import type { AgentRole, Role } from "../db/generated/enums";

/** Who did something: every service takes one and the audit log records it. */
export type UserActor = { type: "user"; id: string; label: string; role: Role };
export type AgentActor = { type: "agent"; id: string; label: string; role: AgentRole; team: string };
export type SystemActor = { type: "system"; id: null; label: string };
export type AnonymousActor = { type: "anonymous"; id: null; label: string };
export type Actor = UserActor | AgentActor | SystemActor | AnonymousActor;

export const SYSTEM: SystemActor = { type: "system", id: null, label: "warden" };

/** Where a request came from, kept with the audit row. */
export type RequestOrigin = { ip?: string | null };
