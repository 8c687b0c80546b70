/**
 * Checks the answers an end-to-end run recorded (WARDEN_RECORD_ANSWERS) against the OpenAPI
 * document the same route specs produce: `tsx scripts/check-api-answers.ts <file>`. Playwright's
 * global teardown runs it after every end-to-end run; a status, body or header the document does
 * not promise fails the run.
 */
import { readFileSync } from "node:fs";
import type { RecordedAnswer } from "../server/http/answer-recorder";
import { API_ROUTES } from "../server/http/api-routes";
import { buildOpenApiDocument } from "../server/http/openapi";
import { checkAnswers } from "../tests/support/openapi-conformance";

const file = process.argv[2];
if (!file) {
  console.error("usage: tsx scripts/check-api-answers.ts <answers.jsonl>");
  process.exit(2);
}
let text: string;
try {
  text = readFileSync(file, "utf8");
} catch {
  console.error(`check-api-answers: ${file} does not exist: the server recorded no answer (was WARDEN_RECORD_ANSWERS passed to it?)`);
  process.exit(1);
}
const answers = text
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as RecordedAnswer);
const report = checkAnswers(buildOpenApiDocument(API_ROUTES, "http://localhost"), answers);
const total = report.seen.length + report.unseen.length;
console.log(
  `check-api-answers: ${report.checked} answers from ${report.seen.length} of ${total} operations checked against the OpenAPI document ` +
    `(${report.unmatched} to no operation); ${report.problems.length === 0 ? "all as documented" : `${report.problems.length} kinds of answer are not`}`,
);
if (report.unseen.length > 0) console.log(`  operations the run never called: ${report.unseen.join(", ")}`);
for (const { problem, count } of report.problems) console.error(`  ✘ ${problem} (${count}×)`);
if (report.checked === 0 || report.problems.length > 0) process.exitCode = 1;
