import { createServer, type Server } from "node:http";

/**
 * A web page on another port of the same host: same-site to Warden (so the browser sends
 * Warden's SameSite=Lax cookie along), but another origin. `html` is what it serves at /.
 */
export async function serveAttackerPage(port: number, html: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(html);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
