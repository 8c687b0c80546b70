import { z } from "zod";
import { editMemory } from "../../memory/edit-memory";
import { agentMemories, browseMemories, memoryDetail, setMemoryRetired } from "../../memory/manage-memory";
import { findDuplicateCandidates, mergeMemories } from "../../memory/merge-memories";
import { ZUuid } from "../../schemas/common";
import { ZEditMemoryRequest, ZMemoryKind, ZMergeMemoriesRequest, ZRecallQuery } from "../../schemas/memory";
import { approverProcedure, createTRPCRouter, viewerProcedure } from "../trpc";

export const memoryRouter = createTRPCRouter({
  browse: viewerProcedure
    .input(
      z.object({
        q: z.string().max(500).optional(),
        kind: ZMemoryKind.optional(),
        agent: ZRecallQuery.shape.agent,
        tag: z.string().trim().max(64).optional(),
        sinceDays: z.number().int().min(1).max(3650).optional(),
        status: z.enum(["active", "retired"]).default("active"),
        sort: z.enum(["recent", "most_recalled"]).default("recent"),
        limit: z.number().int().min(1).max(100).default(50),
      }),
    )
    .query(({ ctx, input }) => browseMemories(ctx.db, input)),
  get: viewerProcedure.input(z.object({ id: ZUuid })).query(({ ctx, input }) => memoryDetail(ctx.db, input.id)),
  duplicates: viewerProcedure.input(z.object({ id: ZUuid })).query(({ ctx, input }) => findDuplicateCandidates(ctx.db, input.id)),
  forAgent: viewerProcedure.input(z.object({ agentId: ZUuid })).query(({ ctx, input }) => agentMemories(ctx.db, input.agentId)),
  edit: approverProcedure.input(ZEditMemoryRequest).mutation(({ ctx, input }) => editMemory(ctx.db, ctx.user, input, { ip: ctx.ip })),
  merge: approverProcedure.input(ZMergeMemoriesRequest).mutation(({ ctx, input }) => mergeMemories(ctx.db, ctx.user, input, { ip: ctx.ip })),
  setRetired: approverProcedure
    .input(z.object({ id: ZUuid, retired: z.boolean() }))
    .mutation(({ ctx, input }) => setMemoryRetired(ctx.db, ctx.user, input.id, input.retired, { ip: ctx.ip })),
});
