import pg from "pg";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { createFreshDatabase } from "../tests/support/test-database";
import { E2E_PORT } from "./support/constants";
import { startOidcProvider } from "./support/oidc-provider";
import { startInstance, stopInstance } from "./support/instances";

// A Warden of its own, configured for single sign-on against a provider this test starts.
const WARDEN_PORT = E2E_PORT + 4;
const IDP_PORT = E2E_PORT + 5;
const WARDEN = `http://127.0.0.1:${WARDEN_PORT}`;
const CLIENT = { id: "warden-e2e", secret: "warden-e2e-client-secret", redirectUri: `${WARDEN}/api/auth/callback/oidc` };
const PEOPLE = {
  ana: { email: "ana@corp.example", name: "Ana Ops", groups: ["staff", "warden-ops"] },
  carol: { email: "carol@corp.example", name: "Carol Admin", groups: ["warden-admins"] },
  bo: { email: "bo@corp.example", name: "Bo New", groups: ["staff"] },
  eve: { email: "eve@evil.example", name: "Eve Outsider", groups: ["warden-admins"] },
};

let stopAll: (() => Promise<void>) | null = null;
let wardenOutput: () => string = () => "";
let databaseUrl: string | null = null;

test.beforeAll(async () => {
  test.setTimeout(600_000); // the instance may build the console first
  databaseUrl = await createFreshDatabase("warden_e2e_sso");
  if (!databaseUrl) return;
  const idp = await startOidcProvider({ port: IDP_PORT, client: CLIENT, people: PEOPLE });
  const warden = await startInstance(WARDEN_PORT, databaseUrl, {
    WARDEN_ADMIN_EMAIL: "first-admin@corp.example",
    WARDEN_ADMIN_PASSWORD: "first-admin-password-1",
    WARDEN_OIDC_ISSUER: idp.issuer,
    WARDEN_OIDC_CLIENT_ID: CLIENT.id,
    WARDEN_OIDC_CLIENT_SECRET: CLIENT.secret,
    WARDEN_OIDC_NAME: "Corp ID",
    WARDEN_OIDC_SCOPES: "openid email profile groups",
    WARDEN_OIDC_ALLOWED_DOMAINS: "corp.example",
    WARDEN_OIDC_ROLE_CLAIM: "groups",
    WARDEN_OIDC_ROLE_MAP: "warden-admins:admin,warden-ops:operator",
    WARDEN_PASSWORD_LOGIN: "off",
  });
  wardenOutput = warden.output;
  stopAll = async () => {
    await stopInstance(warden);
    await idp.stop();
  };
});

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach("warden-output.txt", { body: wardenOutput(), contentType: "text/plain" });
});

test.afterAll(async () => {
  await stopAll?.();
});

/** From Warden's login page through the provider's login and consent pages, as a person does. */
async function signInWithProvider(page: Page, login: string) {
  await page.goto(`${WARDEN}/login`);
  await page.getByRole("button", { name: "Sign in with Corp ID" }).click();
  await page.locator('input[name="login"]').waitFor();
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any password");
  await page.getByRole("button", { name: "Sign-in" }).click();
  const consent = page.getByRole("button", { name: "Continue" });
  await page.waitForURL((url) => url.port === String(WARDEN_PORT) || url.pathname.includes("interaction"));
  if (await consent.isVisible().catch(() => false)) await consent.click();
  await page.waitForURL((url) => url.port === String(WARDEN_PORT) && !url.pathname.startsWith("/api/auth"));
}

async function freshPage(browser: Browser) {
  const context = await browser.newContext();
  return { page: await context.newPage(), close: () => context.close() };
}

test("signing in through the company's OpenID Connect provider: mapped role, sign-out, domains refused, no role until granted", async ({ browser }) => {
  test.skip(!databaseUrl, "needs a PostgreSQL server for a Warden of its own");
  test.setTimeout(180_000);

  // Password sign-in is off: the page offers only the provider, and the credentials endpoint refuses.
  const { page, close } = await freshPage(browser);
  await page.goto(`${WARDEN}/login`);
  await expect(page.getByRole("button", { name: "Sign in with Corp ID" })).toBeVisible();
  await expect(page.getByLabel("Password")).toHaveCount(0);
  const csrf = (await (await page.request.get(`${WARDEN}/api/auth/csrf`)).json()) as { csrfToken: string };
  const refused = await page.request.post(`${WARDEN}/api/auth/callback/credentials`, {
    headers: { origin: WARDEN },
    form: { csrfToken: csrf.csrfToken, email: "first-admin@corp.example", password: "first-admin-password-1" },
    maxRedirects: 0,
  });
  expect(refused.headers()["location"] ?? "").toContain("code=password_off");
  expect(refused.headers()["set-cookie"] ?? "").not.toContain("authjs.session-token=ey");

  // Ana is in warden-ops: she lands in the console as an operator.
  await signInWithProvider(page, "ana");
  await expect(page.getByTestId("current-user")).toHaveText("ana@corp.example");
  await expect(page.getByTestId("current-user").locator("xpath=following-sibling::p[1]")).toHaveText("operator");
  await page.goto(`${WARDEN}/control`);
  await expect(page).toHaveURL(`${WARDEN}/control`);

  // Signing out ends the session row: the console sends her to the login page.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(`${WARDEN}/login`);
  await expect(page.getByRole("button", { name: "Sign in with Corp ID" })).toBeVisible();
  await page.goto(`${WARDEN}/fleet`);
  await expect(page).toHaveURL(/\/login/);
  await close();

  // Eve's address is outside the allowed domains: refused, whatever her groups say.
  const eve = await freshPage(browser);
  await signInWithProvider(eve.page, "eve");
  await expect(eve.page).toHaveURL(/\/login\?error=oidc_domain/);
  await expect(eve.page.getByTestId("sso-error")).toHaveText("Your email address's domain may not sign in to Warden.");
  await eve.close();

  // Bo is in no mapped group: signed in, but waiting for an admin.
  const bo = await freshPage(browser);
  await signInWithProvider(bo.page, "bo");
  await expect(bo.page).toHaveURL(`${WARDEN}/waiting`);
  await expect(bo.page.getByRole("heading", { name: "Waiting for an admin to grant you a role" })).toBeVisible();
  await bo.page.goto(`${WARDEN}/inbox`);
  await expect(bo.page).toHaveURL(`${WARDEN}/waiting`);

  // Carol, an admin by her groups, sees Bo waiting in Settings → Users and grants him a role.
  const carol = await freshPage(browser);
  await signInWithProvider(carol.page, "carol");
  await carol.page.goto(`${WARDEN}/settings/users`);
  const boRow = carol.page.getByTestId("user-row-bo@corp.example");
  await expect(boRow).toContainText("waiting for a role");
  await boRow.getByLabel("Role of bo@corp.example").selectOption("approver");
  await expect(boRow).toContainText("active");
  await carol.close();

  // The grant ended Bo's waiting session. (With a claim mapping configured, as here, the
  // provider's groups decide again at his next sign-in: a unit of the integration tests.)
  await bo.page.reload();
  await expect(bo.page).toHaveURL(/\/login/);
  await bo.close();

  // Every sign-in through the provider is audited as such, with its session.
  const client = new pg.Client({ connectionString: databaseUrl! });
  await client.connect();
  const logins = await client.query("SELECT actor_label, data FROM audit_log WHERE verb = 'auth.login' AND data->>'method' = 'oidc' ORDER BY id");
  const refusedRows = await client.query("SELECT data FROM audit_log WHERE verb = 'auth.login_failed' AND actor_label = 'eve@evil.example'");
  await client.end();
  expect(logins.rows.map((r) => r.actor_label)).toEqual(["ana@corp.example", "bo@corp.example", "carol@corp.example"]);
  expect(refusedRows.rows[0].data).toMatchObject({ method: "oidc", reason: "email domain not allowed" });
});
