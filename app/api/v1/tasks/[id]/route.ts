import { getTaskRoute } from "@/server/tasks/task-routes";

export const GET = getTaskRoute.handle;
