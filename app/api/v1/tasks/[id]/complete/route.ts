import { completeTaskRoute } from "@/server/tasks/task-routes";

export const POST = completeTaskRoute.handle;
