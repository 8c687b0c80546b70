import type { AgentRole, Role } from "../db/generated/enums";

/** Who did something: every service takes one and the audit log records it. */
export type UserActor = { type: "user"; id: string; label: string; role: Role };
export type AgentActor = { type: "agent"; id: string; label: string; role: AgentRole; team: string };
export type SystemActor = { type: "system"; id: null; label: string };
export type AnonymousActor = { type: "anonymous"; id: null; label: string };
export type Actor = UserActor | AgentActor | SystemActor | AnonymousActor;
/**
 * A person who signed in but holds no role yet (single sign-on, waiting for an admin). They act
 * on nothing; only the audit log names them (their sign-in and sign-out).
 */
export type RolelessUserActor = Omit<UserActor, "role"> & { role: null };

export const SYSTEM: SystemActor = { type: "system", id: null, label: "warden" };

/** Where a request came from, kept with the audit row. */
export type RequestOrigin = { ip?: string | null };
