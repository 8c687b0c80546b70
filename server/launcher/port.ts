import { createServer } from "node:net";

/** Null when `port` can be bound on `host` now, else why not (EADDRINUSE, EACCES, …). */
export function portProblem(port: number, host: string): Promise<string | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      resolve(error.code === "EADDRINUSE" ? `port ${port} is already in use` : `port ${port} cannot be used (${error.code ?? error.message})`);
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(null)));
  });
}
