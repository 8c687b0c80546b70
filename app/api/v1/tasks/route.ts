import { createTaskRoute } from "@/server/tasks/task-routes";

export const POST = createTaskRoute.handle;
