import { expect, type Page } from "@playwright/test";
import { ADMIN } from "./constants";

export async function logIn(page: Page, credentials: { email: string; password: string } = ADMIN) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(credentials.email);
  await page.getByLabel("Password").fill(credentials.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("current-user")).toHaveText(credentials.email);
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
}
