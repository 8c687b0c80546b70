import { freshCopy, install, printedAdminPassword, start } from "./fresh-warden";

/**
 * `npm run newcomer`: how long a newcomer waits from a fresh clone to the first approved action,
 * install included. It follows the README: `npm ci`, `npm start` (embedded PostgreSQL), sign in
 * with the printed password, register a tool and an agent, the agent proposes `docker rm cache`
 * at 0.99 and waits, an approver approves, the agent's wait returns. Prints each step's time.
 */
const PORT = Number(process.env.WARDEN_NEWCOMER_PORT ?? 11497);

async function main(): Promise<void> {
  const began = Date.now();
  let last = began;
  const mark = (step: string) => {
    const now = Date.now();
    console.log(`newcomer: ${step.padEnd(48)} ${((now - last) / 1000).toFixed(1).padStart(6)} s`);
    last = now;
  };

  const copy = freshCopy();
  mark("fresh copy of the repository");
  await install(copy);
  mark("npm ci");
  const warden = await start(copy, PORT);
  mark("npm start (embedded PostgreSQL, build, ready)");
  try {
    const admin = printedAdminPassword(warden.output());
    const base = warden.url;
    const cookies: string[] = [];
    // As the console's pages do: Warden refuses cookie-carrying writes that do not name its origin.
    const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
      const response = await fetch(`${base}${path}`, {
        method,
        redirect: "manual",
        headers: { "content-type": "application/json", origin: new URL(base).origin, cookie: cookies.join("; "), ...headers },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
      for (const cookie of response.headers.getSetCookie()) cookies.push(cookie.split(";")[0]!);
      return response;
    };
    const { csrfToken } = (await (await call("GET", "/api/auth/csrf")).json()) as { csrfToken: string };
    const form = new URLSearchParams({ csrfToken, email: admin.email, password: admin.password, callbackUrl: base }).toString();
    await call("POST", "/api/auth/callback/credentials", form, { "content-type": "application/x-www-form-urlencoded" });
    const session = (await (await call("GET", "/api/auth/session")).json()) as { user?: { email: string } } | null;
    if (session?.user?.email !== admin.email) throw new Error("could not sign in with the printed password");
    mark("sign in with the printed password");

    const created = (await (await call("POST", "/api/trpc/tokens.create", { json: { name: "newcomer" } })).json()) as {
      result: { data: { json: { secret: string } } };
    };
    const token = { authorization: `Bearer ${created.result.data.json.secret}` };
    const put = await call("PUT", "/api/v1/tools/docker.container", { scopes: ["staging/*"] }, token);
    if (put.status !== 200) throw new Error(`registering the tool: ${put.status} ${await put.text()}`);
    const agent = await call(
      "POST",
      "/api/v1/agents",
      { name: "ops-1", role: "specialist", team: "ops", capabilities: ["containers"], tools: ["docker.container"], scopes: ["staging/*"] },
      token,
    );
    if (agent.status !== 201) throw new Error(`registering the agent: ${agent.status} ${await agent.text()}`);
    const key = { authorization: `Bearer ${((await agent.json()) as { key: { secret: string } }).key.secret}` };
    mark("register a tool and an agent");

    const proposed = (await (
      await call("POST", "/api/v1/actions", { action: "docker rm cache", tool: "docker.container", resource: "staging/cache", confidence: 0.99 }, key)
    ).json()) as { id: string; decision: string };
    if (proposed.decision !== "require_approval") throw new Error(`docker rm cache at 0.99 was ${proposed.decision}, not require_approval`);
    const waiting = call("GET", `/api/v1/actions/${proposed.id}/wait?timeoutSeconds=30`, undefined, key);
    const approved = await call("POST", `/api/v1/actions/${proposed.id}/approve`, { comment: "newcomer" }, token);
    if (approved.status !== 200) throw new Error(`approving: ${approved.status} ${await approved.text()}`);
    const decided = (await (await waiting).json()) as { status: string };
    if (decided.status !== "approved") throw new Error(`the agent's wait returned ${decided.status}`);
    mark("propose, approve, the agent receives it");

    const total = (Date.now() - began) / 1000;
    console.log(`newcomer: fresh clone to the first approved action: ${total.toFixed(1)} s (target: under 120 s)`);
    process.exitCode = total < 120 ? 0 : 1;
  } finally {
    await warden.interrupt();
    copy.remove();
  }
}

main().catch((error: unknown) => {
  console.error("newcomer:", error instanceof Error ? error.message : error);
  process.exit(1);
});
