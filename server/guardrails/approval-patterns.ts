import { RE2JS } from "re2js";
import { normalizeText } from "./normalize-text";

/**
 * The always-require-approval patterns (DESIGN.md, guardrail step 4). A pattern is either
 * - a phrase, such as `docker rm`: matched as whole words in the normalized text (normalize-text.ts:
 *   NFKC, invisible characters removed, whitespace collapsed, any case), so `docker  rm`,
 *   `DOCKER\trm` and `d\u200bocker rm` match and `docker rmi` or `dropdown table` do not; or
 * - a regular expression written `re:…`, such as `re:git push\b.*\s(-f|--force)`: RE2 syntax,
 *   matched case-insensitively anywhere in the same normalized text (one space between words).
 *   RE2 matches in linear time, so no pattern can hang a decision however it is written; what
 *   RE2 does not have (backreferences, lookaround) is refused when the policy is saved.
 * Both are matched against the action text, the tool's name, the resource, and every key and
 * string value of the args at any depth (a list of strings also as one text, `["docker", "rm",
 * "cache"]` as `docker rm cache`).
 */
export const REGEX_PREFIX = "re:";

const WORD_CHAR = /[\p{L}\p{N}\p{M}_]/u;
const NOT_AFTER_WORD = "(?<![\\p{L}\\p{N}\\p{M}_])";
const NOT_BEFORE_WORD = "(?![\\p{L}\\p{N}\\p{M}_])";

type Matcher = (normalizedText: string) => boolean;
type Compiled = { match: Matcher } | { problem: string };

function compileRegex(source: string): Compiled {
  if (!source.trim()) return { problem: "the regular expression after re: is empty" };
  let re: RE2JS;
  try {
    re = RE2JS.compile(source, RE2JS.CASE_INSENSITIVE);
  } catch (error) {
    return { problem: `not a valid regular expression (RE2 syntax): ${error instanceof Error ? error.message : String(error)}` };
  }
  if (re.test("")) return { problem: "the regular expression matches empty text, so it would match every action" };
  return { match: (t) => re.test(t) };
}

function compilePhrase(text: string): Compiled {
  const phrase = normalizeText(text);
  if (!phrase) return { problem: "the phrase has no visible characters" };
  const chars = Array.from(phrase);
  const escaped = phrase.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const before = WORD_CHAR.test(chars[0]!) ? NOT_AFTER_WORD : "";
  const after = WORD_CHAR.test(chars.at(-1)!) ? NOT_BEFORE_WORD : "";
  const re = new RegExp(`${before}${escaped}${after}`, "u");
  return { match: (t) => re.test(t) };
}

/** The pattern's matcher, or why it cannot be one (shown to the admin who saves it). */
function compile(pattern: string): Compiled {
  const text = pattern.trim();
  return text.toLowerCase().startsWith(REGEX_PREFIX) ? compileRegex(text.slice(REGEX_PREFIX.length)) : compilePhrase(text);
}

// Compiled once per pattern (a policy holds at most 500), for every decision after.
const compiled = new Map<string, Compiled>();
const MAX_CACHED = 5_000;

function compiledPattern(pattern: string): Compiled {
  let entry = compiled.get(pattern);
  if (!entry) {
    if (compiled.size >= MAX_CACHED) compiled.clear();
    entry = compile(pattern);
    compiled.set(pattern, entry);
  }
  return entry;
}

/** Why `pattern` cannot be saved in a policy, or null when it can. */
export function patternProblem(pattern: string): string | null {
  const entry = compiledPattern(pattern);
  return "problem" in entry ? entry.problem : null;
}

export type MatchTarget = { action: string; tool?: string | null; resource?: string | null; args?: unknown };

/**
 * The same command as a shell or SQL would read it, so that syntax that changes nothing for them
 * cannot hide it: quotes and backslash escapes removed (`d''ocker "rm"`, `r\m`), `$IFS` as a
 * space, SQL comments as a space (`DROP/**\/TABLE`, `DROP -- c⏎TABLE`, `DROP # c⏎TABLE`), MySQL's
 * executable comments as the code they hold (`DROP /*!TABLE*\/`). And the words of an
 * identifier, as tool names and the frameworks' adapters write a command (`docker_rm`,
 * `docker.rm`, `docker-rm`: `docker rm`). Each fold is matched besides the text itself: an extra
 * match can only make the answer stricter.
 */
function commandFolds(text: string): string[] {
  return commentReadings(text.replace(/\$\{?IFS\}?/g, " ")).flatMap((spaced) => {
    const withoutQuoting = spaced.replace(/\\\n/g, "").replace(/["'`\\]/g, "");
    const quotesAsSpaces = spaced.replace(/\\\n/g, " ").replace(/["'`\\]/g, " ");
    return [spaced, withoutQuoting, quotesAsSpaces, identifierWords(withoutQuoting), shellExpanded(spaced)];
  });
}

/**
 * What a shell expands to nothing, or to its words, around a command's letters, then its quotes
 * removed: `$'rm'` and `$"rm"` (ANSI-C and locale quoting), `${x}` and `$@`, `$9` (empty
 * parameters), and brace lists (`{rm,web}` is `rm web`). Every quantifier is bounded, so a long
 * text costs a linear pass.
 */
function shellExpanded(text: string): string {
  return text
    .replace(/\$(?=['"])/g, "")
    .replace(/\$\{[^}\n]{0,64}\}/g, "")
    .replace(/\$[@*#?!$0-9-]/g, "")
    .replace(/\{([^{},\s]{0,64}(?:,[^{},\s]{0,64}){1,16})\}/g, (_, inner: string) => inner.replace(/,/g, " "))
    .replace(/\\\n/g, "")
    .replace(/["'`\\]/g, "");
}

/**
 * The readings of a text's comments, each matched on its own: a fold that removes text (a
 * comment) is never the only reading, or a comment marker inside a string (`SELECT '#';
 * DROP/**\/TABLE users`) would swallow the command it stands before. So:
 * - SQL's `/* … *\/` and `-- ` comments as a space (`DROP/**\/TABLE`, `DROP -- c⏎TABLE`; `--`
 *   only before a space or the end, so `--force` stays a flag, and also before anything, as
 *   PostgreSQL reads it); also with `#` comments to the end of a line that follows (`DROP #
 *   c⏎TABLE`: a `#` that ends the text hides nothing after it, so `issue #12` is never folded);
 *   and each of these with MySQL's executable comments `/*!…*\/` (with or without the version,
 *   `/*!50000 …*\/`) read as the code they hold, as MySQL runs it;
 * - every comment marker as a space, what it holds kept (`SELECT '/*'; DROP/**\/TABLE`, where the
 *   `/*` is a string's, not a comment's);
 * - the comments as a lexer finds them outside quoted strings (`SELECT '#'; DROP# c⏎TABLE`), as
 *   MySQL reads quotes (a backslash escapes) and as PostgreSQL does (dollar quotes `$$…$$`,
 *   `E'\''`, and block comments that nest: `DROP /* a /* b *\/ c *\/ TABLE`).
 * A comment ends at a line feed or a carriage return, as PostgreSQL's lexer ends it. Every fold is
 * one linear pass (a regular expression is run only where it can match: a long text of `#` with
 * no line after them took seconds).
 */
function commentReadings(text: string): string[] {
  if (!/\/\*|\*\/|--|#/.test(text)) return [text];
  const executable = text.includes("/*!");
  const hash = text.includes("#");
  const dash = text.includes("--");
  const readings = [text.replace(/\/\*(?:!\d*)?|\*\/|--|#/g, " ")];
  for (const opened of executable ? [false, true] : [false]) {
    for (const withHash of hash ? [false, true] : [false]) {
      for (const anyDash of dash ? [false, true] : [false]) readings.push(withoutComments(text, { executable: opened, hash: withHash, anyDash }));
    }
    readings.push(lexedWithoutComments(text, { executable: opened }));
    readings.push(lexedWithoutComments(text, { executable: opened, escapes: true }));
  }
  readings.push(lexedWithoutComments(text, { postgres: true }));
  readings.push(lexedWithoutComments(text, { postgres: true, escapes: true }));
  return readings;
}

/** `pattern` replaced only in the part of `text` before the last `end`, where every attempt can succeed. */
function replaceBefore(text: string, end: RegExp, pattern: RegExp, by: string): string {
  let cut = -1;
  for (const m of text.matchAll(end)) cut = m.index + m[0].length;
  return cut <= 0 ? text : text.slice(0, cut).replace(pattern, by) + text.slice(cut);
}

function withoutComments(text: string, options: { executable: boolean; hash: boolean; anyDash: boolean }): string {
  let folded = options.executable ? replaceBefore(text, /\*\//g, /\/\*!\d*([\s\S]*?)\*\//g, " $1 ") : text;
  folded = replaceBefore(folded, /\*\//g, /\/\*[\s\S]*?\*\//g, " ");
  folded = folded.replace(options.anyDash ? /--[^\n\r]*([\n\r]|$)/g : /--(?=\s|$)[^\n\r]*([\n\r]|$)/g, " ");
  return options.hash ? replaceBefore(folded, /[\n\r]/g, /#[^\n\r]*[\n\r]/g, " ") : folded;
}

/**
 * Comments outside quoted strings as a space, in one pass; quoted text kept as it is. `escapes`:
 * a backslash inside quotes escapes the next character (MySQL, PostgreSQL's E'…'). `postgres`:
 * dollar-quoted strings (`$$…$$`, `$tag$…$tag$`) and nested block comments.
 */
function lexedWithoutComments(text: string, options: { executable?: boolean; escapes?: boolean; postgres?: boolean }): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'" || c === '"' || c === "`") {
      let end = i + 1;
      for (; end < text.length && text[end] !== c; end++) if (options.escapes && text[end] === "\\") end++;
      const stop = Math.min(text.length, end + 1);
      out += text.slice(i, stop);
      i = stop;
    } else if (options.postgres && c === "$" && /^\$[A-Za-z_]?\w{0,62}\$/.test(text.slice(i, i + 66))) {
      const tag = /^\$[A-Za-z_]?\w{0,62}\$/.exec(text.slice(i, i + 66))![0];
      const end = text.indexOf(tag, i + tag.length);
      const stop = end === -1 ? text.length : end + tag.length;
      out += text.slice(i, stop);
      i = stop;
    } else if (c === "/" && text[i + 1] === "*") {
      let depth = 1;
      let end = i + 2;
      while (end < text.length && depth > 0) {
        if (text[end] === "*" && text[end + 1] === "/") {
          depth--;
          end += 2;
        } else if (options.postgres && text[end] === "/" && text[end + 1] === "*") {
          depth++;
          end += 2;
        } else end++;
      }
      const body = text.slice(i + 2, depth === 0 ? end - 2 : end);
      out += options.executable && body.startsWith("!") ? ` ${body.replace(/^!\d*/, "")} ` : " ";
      i = end;
    } else if (c === "#" || (c === "-" && text[i + 1] === "-")) {
      let end = i;
      while (end < text.length && text[end] !== "\n" && text[end] !== "\r") end++;
      out += " ";
      i = end + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/**
 * An identifier's words: separators between two letters or digits (`_ . - / :`) as spaces. Only
 * between word characters, so a flag keeps its dashes (`--rm`, `-f`). Not camelCase: any case is
 * matched alike, so `backDrop table` would read as `back drop table` (a pattern for a camelCase
 * name is a regular expression, as the defaults' `sendEmail` is).
 */
function identifierWords(text: string): string {
  return text.replace(/(?<=[\p{L}\p{N}])[_./:-]+(?=[\p{L}\p{N}])/gu, " ");
}

/**
 * Every text of a proposal a pattern is matched against, normalized: the action, the tool, the
 * resource, and the args' keys and strings at any depth (walked without recursion, so no nesting
 * can overflow the stack), lists of strings and numbers also joined into one text, and all the
 * args' strings in order as one text (`{"program": "docker", "args": ["rm", "cache"]}` is
 * `docker rm cache`, as the process it starts would be); each also as a shell or SQL reads it.
 */
export function textsToMatch(target: MatchTarget): string[] {
  const texts = [target.action, target.tool ?? "", target.resource ?? ""];
  const leaves: string[] = [];
  const pending: unknown[] = [target.args];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === "string") {
      texts.push(value);
      leaves.push(value);
    } else if (typeof value === "number") leaves.push(String(value));
    else if (Array.isArray(value)) {
      const words = value.filter((v) => typeof v === "string" || typeof v === "number");
      if (words.length > 1) texts.push(words.join(" "));
      // Reversed onto the stack, so that leaves come out in document order.
      for (let i = value.length - 1; i >= 0; i--) pending.push(value[i]);
    } else if (typeof value === "object" && value !== null) {
      const entries = Object.entries(value);
      for (const [key] of entries) texts.push(key);
      for (let i = entries.length - 1; i >= 0; i--) pending.push(entries[i]![1]);
    }
  }
  if (leaves.length > 1) texts.push(leaves.join(" "));
  return [
    ...new Set(
      texts
        .flatMap((text) => [text, ...commandFolds(text)])
        .map(normalizeText)
        .filter(Boolean),
    ),
  ];
}

/**
 * The patterns that match any of the proposal's texts, in the policy's order. A stored pattern
 * that no longer compiles (saved before patterns were checked) is matched as the literal phrase
 * it was then, never skipped.
 */
export function matchingPatterns(patterns: readonly string[], target: MatchTarget): string[] {
  if (patterns.length === 0) return [];
  const texts = textsToMatch(target);
  return patterns.filter((pattern) => {
    let entry = compiledPattern(pattern);
    if ("problem" in entry) entry = compilePhrase(pattern);
    return "match" in entry && texts.some(entry.match);
  });
}
