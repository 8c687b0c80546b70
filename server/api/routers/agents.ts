import { z } from "zod";
import { issueAgentKey, listAgentKeys, revokeAgentKey, setAgentActive } from "../../agents/agent-keys";
import { getAgent, listAgents } from "../../agents/list-agents";
import { registerAgent } from "../../agents/register-agent";
import { ZCreateAgentRequest, ZIssueAgentKeyRequest, ZUpdateAgentGrantsRequest } from "../../schemas/agents";
import { updateAgentGrants } from "../../agents/update-agent";
import { ZUuid } from "../../schemas/common";
import { adminProcedure, createTRPCRouter, viewerProcedure } from "../trpc";

export const agentsRouter = createTRPCRouter({
  list: viewerProcedure.query(({ ctx }) => listAgents(ctx.db)),
  get: viewerProcedure.input(z.object({ agentId: ZUuid })).query(({ ctx, input }) => getAgent(ctx.db, input.agentId)),
  create: adminProcedure.input(ZCreateAgentRequest).mutation(({ ctx, input }) => registerAgent(ctx.db, ctx.user, input, { ip: ctx.ip })),
  updateGrants: adminProcedure.input(ZUpdateAgentGrantsRequest.extend({ agentId: ZUuid })).mutation(({ ctx, input }) => {
    const { agentId, ...grants } = input;
    return updateAgentGrants(ctx.db, ctx.user, agentId, grants, { ip: ctx.ip });
  }),
  setActive: adminProcedure
    .input(z.object({ agentId: ZUuid, active: z.boolean() }))
    .mutation(({ ctx, input }) => setAgentActive(ctx.db, ctx.user, input.agentId, input.active, { ip: ctx.ip })),
  keys: adminProcedure.input(z.object({ agentId: ZUuid })).query(({ ctx, input }) => listAgentKeys(ctx.db, input.agentId)),
  issueKey: adminProcedure
    .input(ZIssueAgentKeyRequest.extend({ agentId: ZUuid }))
    .mutation(({ ctx, input }) => issueAgentKey(ctx.db, ctx.user, input.agentId, input.name, { ip: ctx.ip })),
  revokeKey: adminProcedure.input(z.object({ keyId: ZUuid })).mutation(({ ctx, input }) => revokeAgentKey(ctx.db, ctx.user, input.keyId, { ip: ctx.ip })),
});
