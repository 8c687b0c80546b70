import { expect, test } from "@playwright/test";
import pg from "pg";
import { createFreshDatabase } from "../tests/support/test-database";
import { serveAttackerPage } from "./support/attacker-page";
import { E2E_PORT } from "./support/constants";
import { CookieClient } from "./support/cookie-client";
import { startInstance, stopInstance, type Instance } from "./support/instances";

// Two Warden instances on one PostgreSQL, as behind a load balancer: A trusts no proxy (the
// default), B trusts this machine's 127.0.0.1 as its proxy. Clients speak from other loopback
// addresses (127.0.0.7, …) to be somebody else.
const ADMIN = { email: "access-admin@e2e.test", password: "access-admin-password-1" };
const USER_PASSWORD = "access-user-password-1";

let a: Instance;
let b: Instance;
let database: pg.Client;
let admin: CookieClient;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  const url = await createFreshDatabase("warden_e2e_access");
  test.skip(!url, "needs a PostgreSQL server (the embedded database serves one process)");
  const adminEnv = { WARDEN_ADMIN_EMAIL: ADMIN.email, WARDEN_ADMIN_PASSWORD: ADMIN.password };
  [a, b] = await Promise.all([
    startInstance(E2E_PORT + 1, url!, adminEnv),
    startInstance(E2E_PORT + 2, url!, { ...adminEnv, WARDEN_TRUSTED_PROXIES: "127.0.0.1" }),
  ]);
  database = new pg.Client({ connectionString: url! });
  await database.connect();
  admin = new CookieClient(b.base, { from: "127.0.0.2" });
  expect(await admin.signIn(ADMIN)).toBe(true);
});

test.afterAll(async () => {
  await database?.end();
  await Promise.all([a, b].filter(Boolean).map(stopInstance));
});

async function newUser(role: "viewer" | "approver" | "operator" | "admin") {
  const email = `${role}-${Math.random().toString(36).slice(2, 8)}@access.test`;
  const { status, body } = await admin.mutation("users.create", { email, role, password: USER_PASSWORD });
  expect(status).toBe(200);
  const id = (body as { result: { data: { json: { user: { id: string } } } } }).result.data.json.user.id;
  return { id, email, password: USER_PASSWORD };
}

async function auditIps(email: string, verbs: string[]): Promise<string[]> {
  const { rows } = await database.query<{ ip: string }>("SELECT ip FROM audit_log WHERE actor_label = $1 AND verb = ANY($2) ORDER BY id", [email, verbs]);
  return rows.map((r) => r.ip);
}

test("signing out ends the session on both instances: a copy of the old cookie no longer passes users.me", async () => {
  const user = await newUser("viewer");
  const browser = new CookieClient(a.base);
  expect(await browser.signIn(user)).toBe(true);
  const copied = browser.copy();
  expect(await copied.meStatus()).toBe(200);
  expect(await copied.copy(b.base).meStatus()).toBe(200);

  expect(await browser.signOut()).toBe(302);
  expect(await copied.meStatus()).toBe(401);
  expect(await copied.copy(b.base).meStatus()).toBe(401);
});

test("a role change on one instance ends the person's sessions on both", async () => {
  const user = await newUser("operator");
  const browser = new CookieClient(a.base);
  expect(await browser.signIn(user)).toBe(true);
  expect((await admin.mutation("users.changeRole", { userId: user.id, role: "viewer" })).status).toBe(200);
  expect(await browser.meStatus()).toBe(401);
  expect(await browser.copy(b.base).meStatus()).toBe(401);
});

test("a new password ends the person's other sessions on both instances and keeps the one that set it", async () => {
  const user = await newUser("approver");
  const [laptop, phone] = [new CookieClient(a.base), new CookieClient(b.base)];
  expect(await laptop.signIn(user)).toBe(true);
  expect(await phone.signIn(user)).toBe(true);
  const changed = await phone.mutation("users.changePassword", { currentPassword: USER_PASSWORD, newPassword: "a brand new password 42" });
  expect(changed.status).toBe(200);
  expect(await laptop.meStatus()).toBe(401);
  expect(await laptop.copy(b.base).meStatus()).toBe(401);
  expect(await phone.meStatus()).toBe(200);
  expect(await phone.copy(a.base).meStatus()).toBe(200);
});

test("a deactivated person's open event stream closes within a second, from the other instance", async () => {
  const user = await newUser("operator");
  const browser = new CookieClient(a.base);
  expect(await browser.signIn(user)).toBe(true);
  const controller = new AbortController();
  const response = await browser.request("/api/events", { signal: controller.signal });
  expect(response.status).toBe(200);
  const events: string[] = [];
  const reader = response.body!.getReader();
  let text = "";
  const ended = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return Date.now();
      text += Buffer.from(value).toString("utf8");
      for (const match of text.matchAll(/^event: (.+)$/gm)) events.push(match[1]!);
      text = text.slice(text.lastIndexOf("\n") + 1);
    }
  })();
  try {
    await new Promise((r) => setTimeout(r, 300)); // the stream has subscribed
    const sent = Date.now();
    expect((await admin.mutation("users.setActive", { userId: user.id, active: false })).status).toBe(200);
    const closedAt = await Promise.race([ended, new Promise<number>((_, reject) => setTimeout(() => reject(new Error("the stream stayed open")), 5000))]);
    expect(closedAt - sent).toBeLessThan(1000);
    expect(events.at(-1)).toBe("session.ended");
    expect(await browser.meStatus()).toBe(401);
  } finally {
    controller.abort();
  }
});

test("a burst of 20 failed sign-ins under forged X-Forwarded-For: the audit log names the real address, and the owner still signs in", async () => {
  const owner = await newUser("approver");
  const attacker = new CookieClient(a.base, { from: "127.0.0.5" });
  for (let i = 0; i < 20; i++) {
    expect(await attacker.signIn({ email: owner.email, password: `guess-${i}` }, { "x-forwarded-for": `203.0.113.${i + 1}` })).toBe(false);
  }
  const recorded = await auditIps(owner.email, ["auth.login_failed", "auth.login_throttled"]);
  expect(recorded).toHaveLength(20);
  expect(new Set(recorded)).toEqual(new Set(["127.0.0.5"]));

  // The owner, from an address of their own, on either instance.
  const real = new CookieClient(b.base, { from: "127.0.0.7" });
  expect(await real.signIn(owner)).toBe(true);
  expect(await real.meStatus()).toBe(200);
  expect(await auditIps(owner.email, ["auth.login"])).toEqual(["127.0.0.7"]);
});

test("X-Forwarded-For, -Host and -Proto count only from a trusted proxy", async () => {
  const email = `nobody-${Math.random().toString(36).slice(2, 8)}@access.test`;
  const forged = { "x-forwarded-for": "198.51.100.23" };
  const hsts = async (client: CookieClient) =>
    (await client.request("/login", { headers: { "x-forwarded-proto": "https" } })).headers.get("strict-transport-security");

  // B's proxy (127.0.0.1) is believed: the client's address and the scheme it used.
  const viaProxy = new CookieClient(b.base);
  await viaProxy.signIn({ email, password: "wrong" }, forged);
  expect(await hsts(viaProxy)).toMatch(/^max-age=\d+/);
  // Anyone else speaking to B directly is not, nor anyone speaking to A.
  const direct = new CookieClient(b.base, { from: "127.0.0.9" });
  await direct.signIn({ email, password: "wrong" }, forged);
  expect(await hsts(direct)).toBeNull();
  const toA = new CookieClient(a.base);
  await toA.signIn({ email, password: "wrong" }, forged);
  expect(await hsts(toA)).toBeNull();

  expect(await auditIps(email, ["auth.login_failed"])).toEqual(["198.51.100.23", "127.0.0.9", "127.0.0.1"]);

  // The host: a proxy's X-Forwarded-Host is the origin its browsers use; a client's own is dropped.
  const user = await newUser("viewer");
  const elsewhere = { origin: "http://warden.example", "x-forwarded-host": "warden.example", "content-type": "application/json" };
  const markSeen = (client: CookieClient) => client.request("/api/trpc/notifications.markSeen", { method: "POST", headers: elsewhere, body: '{"json":null}' });
  const behindProxy = new CookieClient(b.base);
  expect(await behindProxy.signIn(user)).toBe(true);
  expect((await markSeen(behindProxy)).status).toBe(200);
  expect((await markSeen(behindProxy.copy(b.base, "127.0.0.9"))).status).toBe(403);
});

test("the console's Sign out ends the session: its cookie, copied before, passes nowhere; a console whose session ends elsewhere goes to the login page", async ({
  page,
}) => {
  const user = await newUser("approver");
  const signInPage = async () => {
    await page.goto(`${a.base}/login`);
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(user.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("current-user")).toHaveText(user.email);
  };
  await signInPage();
  const copied = new CookieClient(a.base);
  for (const cookie of await page.context().cookies(a.base)) copied.cookies.set(cookie.name, cookie.value);
  expect(await copied.meStatus()).toBe(200);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  expect(await copied.meStatus()).toBe(401);
  expect(await copied.copy(b.base).meStatus()).toBe(401);

  // Signed in again and looking at the inbox; an admin on the other instance changes the role.
  await signInPage();
  await page.goto(`${a.base}/inbox`);
  await expect(page.getByRole("heading", { name: "Approval inbox" })).toBeVisible();
  await page.waitForTimeout(500); // the live stream is open
  expect((await admin.mutation("users.changeRole", { userId: user.id, role: "viewer" })).status).toBe(200);
  await expect(page).toHaveURL(/\/login$/, { timeout: 3000 });
});

test("a page on another port of the same host cannot make the console's writes (audit.verify, notifications.markSeen)", async ({ page }) => {
  const victim = await newUser("operator");
  await page.goto(`${a.base}/login`);
  await page.getByLabel("Email").fill(victim.email);
  await page.getByLabel("Password").fill(victim.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("current-user")).toHaveText(victim.email);

  // The console itself may: the cookie is good.
  const own = await page.evaluate(
    async () => (await fetch("/api/trpc/audit.verify", { method: "POST", headers: { "content-type": "application/json" }, body: '{"json":null}' })).status,
  );
  expect(own).toBe(200);
  const verifies = async () =>
    (await database.query("SELECT count(*)::int AS n FROM audit_log WHERE verb = 'audit.verify' AND actor_id = $1", [victim.id])).rows[0].n as number;
  const seenAt = async () => (await database.query("SELECT notifications_seen_at AS at FROM users WHERE id = $1", [victim.id])).rows[0].at as Date;
  expect(await verifies()).toBe(1);
  const seenBefore = await seenAt();

  // What a page elsewhere can send without a preflight: multipart, form and text bodies, by
  // fetch (no-cors) and by a form posted into a frame; the browser adds the cookie (same site).
  const target = `${a.base}/api/trpc`;
  const attacker = await serveAttackerPage(
    E2E_PORT + 3,
    `<!doctype html><title>cat pictures</title>
     <iframe name="sink"></iframe>
     <form id="form" method="post" enctype="multipart/form-data" target="sink" action="${target}/notifications.markSeen"><input name="x" value="1"></form>
     <script>
       (async () => {
         const send = (path, body) => fetch("${target}/" + path, { method: "POST", mode: "no-cors", credentials: "include", body }).catch(() => null);
         for (const path of ["audit.verify", "notifications.markSeen"]) {
           await send(path, new FormData());
           await send(path, new URLSearchParams({ json: "null" }));
           await send(path, '{"json":null}');
         }
         document.querySelector("iframe").addEventListener("load", () => { window.attackDone = true; }, { once: true });
         document.getElementById("form").submit();
       })();
     </script>`,
  );
  try {
    await page.goto(attacker.url);
    await page.waitForFunction(() => (window as unknown as { attackDone?: boolean }).attackDone === true);
  } finally {
    await attacker.close();
  }
  expect(await verifies()).toBe(1);
  expect((await seenAt()).getTime()).toBe(seenBefore.getTime());
});
