import { claimTaskRoute } from "@/server/tasks/task-routes";

export const dynamic = "force-dynamic";
export const POST = claimTaskRoute.handle;
