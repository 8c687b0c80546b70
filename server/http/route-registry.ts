import { createAgentRoute, issueAgentKeyRoute, listAgentsRoute, revokeAgentKeyRoute } from "../agents/agent-routes";
import { meRoute } from "../auth/me-route";
import type { ApiRoute } from "./api-route";

/** Every /api/v1 route, for the OpenAPI document. A route missing here is missing from the docs. */
export const API_ROUTES: ApiRoute[] = [meRoute, createAgentRoute, listAgentsRoute, issueAgentKeyRoute, revokeAgentKeyRoute];
