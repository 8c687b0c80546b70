import { taskHeartbeatRoute } from "@/server/tasks/task-routes";

export const POST = taskHeartbeatRoute.handle;
