import { z } from "zod";
import { browseMemories, memoryDetail, setMemoryRetired } from "../../memory/manage-memory";
import { ZUuid } from "../../schemas/common";
import { ZMemoryKind } from "../../schemas/memory";
import { approverProcedure, createTRPCRouter, viewerProcedure } from "../trpc";

export const memoryRouter = createTRPCRouter({
  browse: viewerProcedure
    .input(
      z.object({
        q: z.string().max(500).optional(),
        kind: ZMemoryKind.optional(),
        tag: z.string().max(64).optional(),
        sort: z.enum(["recent", "most_recalled"]).default("recent"),
        limit: z.number().int().min(1).max(100).default(50),
      }),
    )
    .query(({ ctx, input }) => browseMemories(ctx.db, input)),
  get: viewerProcedure.input(z.object({ id: ZUuid })).query(({ ctx, input }) => memoryDetail(ctx.db, input.id)),
  setRetired: approverProcedure
    .input(z.object({ id: ZUuid, retired: z.boolean() }))
    .mutation(({ ctx, input }) => setMemoryRetired(ctx.db, ctx.user, input.id, input.retired, { ip: ctx.ip })),
});
