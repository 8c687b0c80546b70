import { failTaskRoute } from "@/server/tasks/task-routes";

export const POST = failTaskRoute.handle;
