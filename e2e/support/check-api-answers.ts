import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";

/**
 * Playwright's global teardown: every answer the API gave during the run (recorded by the
 * servers, WARDEN_RECORD_ANSWERS) is checked against the OpenAPI document; one the document
 * does not promise fails the run.
 */
export default function checkApiAnswers() {
  const file = process.env.WARDEN_RECORD_ANSWERS;
  if (!file) throw new Error("WARDEN_RECORD_ANSWERS is not set: playwright.config.ts sets it for the servers");
  const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/check-api-answers.ts", file], { stdio: "inherit" });
  rmSync(file, { force: true });
  if (result.status !== 0) throw new Error("The API answered outside its OpenAPI document during the run (see above)");
}
