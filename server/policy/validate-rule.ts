import { ZValidateRuleRequest, type Calendar } from "../schemas/policy-rules";
import { compileCondition, RuleExpressionError, ruleEnvironment } from "./rule-expressions";

export type RuleCheck = { ok: true } | { ok: false; message: string; offset: number; line: number; column: number };

/**
 * Checks one condition as the editor types it: the same compiler the save uses, with the
 * draft's calendars, so "checks as you type" and "refused on save" never disagree.
 */
export function validateRuleCondition(request: { when: string; calendars?: Record<string, Calendar> }): RuleCheck {
  const { when, calendars } = ZValidateRuleRequest.parse(request);
  if (when.trim() === "") return { ok: false, message: "the condition must not be empty", offset: 0, line: 1, column: 1 };
  try {
    compileCondition(when, ruleEnvironment(calendars), calendars);
    return { ok: true };
  } catch (error) {
    if (!(error instanceof RuleExpressionError)) throw error;
    return { ok: false, message: error.message, offset: error.offset, line: error.line, column: error.column };
  }
}
