import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matchingPatterns, patternProblem, textsToMatch } from "../../server/guardrails/approval-patterns";
import { evaluateAction, type EvaluationInput } from "../../server/guardrails/evaluate-action";
import { DEFAULT_POLICY } from "../../server/schemas/policy";

const DEFAULTS = DEFAULT_POLICY.alwaysRequireApproval;

/** A granted, unscoped, low-risk tool at 0.99: only a pattern can stop it running on its own. */
function proposal(target: Pick<EvaluationInput, "action" | "args" | "resource">): EvaluationInput {
  return {
    tool: "shell.run",
    confidence: 0.99,
    taskInProgress: false,
    agent: { name: "ops-1", role: "specialist", tools: ["shell.run"], scopes: [] },
    toolDef: { name: "shell.run", scopes: [], requiresConfirmation: false, risk: "low" },
    control: { state: "running" },
    rateLimit: null,
    matchingFailures: [],
    ...target,
  };
}

describe("the default patterns", () => {
  it.each([
    ["docker rm cache", "docker rm"],
    ["sudo docker rm -f cache", "docker rm"],
    ["docker ps -aq | xargs docker rm", "docker rm"],
    ["docker container rm cache", "docker container rm"],
    ["docker container remove cache", "docker container remove"],
    ["docker stop web", "docker stop"],
    ["docker container stop web", "docker container stop"],
    ["docker -H tcp://prod:2376 rm cache", "re:"],
    ["docker --context prod container stop web", "re:"],
    ["git push --force", "git push --force"],
    ["git push -f origin main", "git push -f"],
    ["git push origin main -f", "re:"],
    ["git push origin main --force-with-lease", "re:"],
    ["git push --force-with-lease=main:abc123 origin main", "re:"],
    ["git push -uf origin main", "re:"],
    ["git push origin +main", "re:"],
    ["git -C /srv/app push origin main --force", "re:"],
    ["psql -c 'DROP TABLE users'", "DROP TABLE"],
    ["drop table users;", "DROP TABLE"],
    ["call send_email", "send_email"],
    ["gmail.send_email to the board", "send_email"],
    ["post_to_linkedin", "post_to_linkedin"],
  ])("%j matches %j", (action, expected) => {
    const matched = matchingPatterns(DEFAULTS, { action });
    expect(
      matched.some((m) => m.startsWith(expected)),
      `matched ${JSON.stringify(matched)}`,
    ).toBe(true);
  });

  it.each([
    "docker ps",
    "docker ps -a",
    "docker restart web",
    "docker rmi old-image",
    "docker run --rm alpine echo hi",
    "docker --debug run --rm alpine",
    "docker container ls",
    "docker stats",
    "git push origin main",
    "git push -u origin feature",
    "git push --follow-tags",
    "git push origin feature-fix",
    "git push --no-verify origin main",
    "git pull --force",
    "dropdown table",
    "backdrop table",
    "drop tables of contents",
    "resend_email_queue",
    "repost_to_linkedin_later",
  ])("%j matches nothing", (action) => {
    expect(matchingPatterns(DEFAULTS, { action })).toEqual([]);
  });

  it("look at the tool, the resource, and every key and string value of the args, at any depth", () => {
    expect(matchingPatterns(["send_email"], { action: "notify the customer", tool: "mail.send_email" })).toEqual(["send_email"]);
    expect(matchingPatterns(["drop table"], { action: "run sql", resource: "DROP TABLE" })).toEqual(["drop table"]);
    expect(matchingPatterns(["docker rm"], { action: "run", args: { cmd: "docker rm cache" } })).toEqual(["docker rm"]);
    expect(matchingPatterns(["docker rm"], { action: "run", args: { "docker rm cache": true } })).toEqual(["docker rm"]);
    expect(matchingPatterns(["docker rm"], { action: "run", args: { steps: [{ run: [{ sh: "docker rm cache" }] }] } })).toEqual(["docker rm"]);
    expect(matchingPatterns(["docker rm"], { action: "run", args: { argv: ["docker", "rm", "cache"] } })).toEqual(["docker rm"]);
    expect(matchingPatterns(["docker rm"], { action: "run", args: { n: 1, ok: true, none: null } })).toEqual([]);
  });

  it("walks args of any depth without recursion", () => {
    let args: unknown = "docker rm cache";
    for (let i = 0; i < 100_000; i++) args = { a: args };
    expect(textsToMatch({ action: "x", args })).toContain("docker rm cache");
  });
});

describe("pattern syntax", () => {
  it.each([
    ["docker rm", null],
    ["re:git\\s+push\\s+.*(-f|--force)", null],
    ["RE:drop\\s+table", null],
    ["re:(a|aa)+$x", null],
    ["re:(", "not a valid regular expression"],
    ["re:(a)\\1", "not a valid regular expression"],
    ["re:(?<=a)b", "not a valid regular expression"],
    ["re:a{1001}", "not a valid regular expression"],
    ["re:.*", "matches empty text"],
    ["re:", "is empty"],
    ["\u200b\u200b", "no visible characters"],
  ])("%j: %s", (pattern, problem) => {
    if (problem === null) expect(patternProblem(pattern)).toBeNull();
    else expect(patternProblem(pattern)).toContain(problem);
  });

  it("a regular expression that backtracks catastrophically elsewhere answers at once (RE2 is linear)", () => {
    const started = performance.now();
    expect(matchingPatterns(["re:(a+)+$b", "re:(x|xx)*y"], { action: `${"a".repeat(30_000)}!`, args: { s: "x".repeat(30_000) } })).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("a regular expression sees the normalized text: any case, one space between words", () => {
    expect(matchingPatterns(["re:rotate keys\\b"], { action: "ROTATE\t\tＫＥＹＳ now" })).toEqual(["re:rotate keys\\b"]);
  });
});

// --- Property-based: every spelling of every default waits for a human; neighbours do not. ---

const SEPARATORS = [" ", "  ", "\t", "\n", "\r\n", " \t ", "\u00a0", "\u3000", "\u2003", "\u2009"];
const INVISIBLES = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u180e", "\ufe0f"];
const SPLIT = /[ \t\n\r\u00a0\u3000\u2003\u2009]+/;

/** The same command as someone bent on slipping it past would write it. */
function spellings(command: string): fc.Arbitrary<string> {
  const words = command.split(" ");
  return fc.array(fc.constantFrom(...SEPARATORS), { minLength: words.length - 1, maxLength: words.length - 1 }).chain((separators) => {
    const spaced = Array.from(words.map((w, i) => (i === 0 ? w : separators[i - 1] + w)).join(""));
    return fc
      .tuple(
        fc.array(fc.constantFrom("lower", "upper", "fullwidth", "as is"), { minLength: spaced.length, maxLength: spaced.length }),
        fc.array(fc.tuple(fc.nat({ max: spaced.length }), fc.constantFrom(...INVISIBLES)), { maxLength: 5 }),
      )
      .map(([forms, inserts]) => {
        const chars = spaced.map((c, i) => {
          const form = forms[i];
          if (form === "upper") return c.toUpperCase();
          if (form === "lower") return c.toLowerCase();
          const code = c.codePointAt(0)!;
          return form === "fullwidth" && code >= 0x21 && code <= 0x7e ? String.fromCodePoint(code + 0xfee0) : c;
        });
        for (const [at, invisible] of [...inserts].sort((a, b) => b[0] - a[0])) chars.splice(at, 0, invisible);
        return chars.join("");
      });
  });
}

/** Where in a proposal the text goes: the action, or an args value or key, nested. */
function placed(text: fc.Arbitrary<string>): fc.Arbitrary<Pick<EvaluationInput, "action" | "args">> {
  const nest = (value: unknown, depth: number, arrays: boolean[]) =>
    arrays.slice(0, depth).reduce<unknown>((inner, asArray, i) => (asArray ? [inner] : { [`step${i}`]: inner }), value);
  return fc
    .tuple(text, fc.constantFrom("action", "value", "key", "argv"), fc.nat({ max: 6 }), fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }))
    .map(([t, where, depth, arrays]) => {
      if (where === "action") return { action: t, args: {} };
      const inner = where === "value" ? { cmd: t } : where === "key" ? { [t]: true } : { argv: t.split(SPLIT) };
      return { action: "run the maintenance step", args: { plan: nest(inner, depth, arrays) } };
    });
}

const DANGEROUS = [
  "docker rm cache",
  "docker container rm cache",
  "docker container remove cache",
  "docker stop web",
  "docker container stop web",
  "docker -H tcp://prod:2376 rm cache",
  "git push --force",
  "git push -f origin main",
  "git push origin main --force",
  "git push origin main --force-with-lease",
  "git -C /srv/app push -f",
  "DROP TABLE users",
  "psql -c 'drop table users'",
  "send_email",
  "post_to_linkedin",
];

const HARMLESS = [
  "docker ps",
  "docker ps -a",
  "docker restart web",
  "docker rmi old-image",
  "docker run --rm alpine",
  "git push origin main",
  "git push -u origin feature",
  "git push --follow-tags",
  "dropdown table",
  "backdrop table",
];

describe("properties of the default patterns", () => {
  it("every spelling of a default, anywhere in the proposal, waits for a human even at 0.99", () => {
    fc.assert(
      fc.property(placed(fc.constantFrom(...DANGEROUS).chain(spellings)), (target) => {
        const evaluation = evaluateAction(proposal(target), DEFAULT_POLICY);
        expect(evaluation.decision).toBe("require_approval");
        expect(evaluation.reasons.map((r) => r.code)).toContain("always_requires_approval");
      }),
      { numRuns: 1_000 },
    );
  });

  it("harmless neighbours, however spelled, match nothing and run on their own at 0.99", () => {
    fc.assert(
      fc.property(placed(fc.constantFrom(...HARMLESS).chain(spellings)), (target) => {
        expect(matchingPatterns(DEFAULTS, target)).toEqual([]);
        expect(evaluateAction(proposal(target), DEFAULT_POLICY).decision).toBe("auto_execute");
      }),
      { numRuns: 500 },
    );
  });
});

describe("what an attacker tried (shell and SQL syntax, split commands, other spellings)", () => {
  const decided = (args: Record<string, unknown>) => evaluateAction(proposal({ action: "run cmd", args, resource: null }), DEFAULT_POLICY).decision;

  it.each([
    `docker "rm" cache`,
    `docker 'rm' cache`,
    `d''ocker rm cache`,
    `d""ocker rm cache`,
    `docker r\\m cache`,
    `d\\ocker rm cache`,
    `docker r''m cache`,
    `docker\${IFS}rm cache`,
    `docker \\\nrm cache`,
    `docker container "rm" cache`,
    `docker "stop" web`,
    `git push "--force" origin main`,
    `git push origin main '--force'`,
    `git push origin main "-f"`,
    `git push origin main -\\f`,
    `git p\\ush -f origin main`,
    `git push origin "+main"`,
    `DROP/**/TABLE users`,
    `drop/**/table users`,
    `DROP -- c\nTABLE users`,
    `DROP # c\nTABLE users`,
    `DROP#\nTABLE users`,
    `DROP/*!TABLE*/ users`,
    `DROP /*!50000 TABLE */ users`,
    `/*!40101 DROP*/ /*!TABLE*/ users`,
    `DROP""TABLE users`,
    `send email to all customers`,
    `sendEmail`,
    `send-email`,
    `post to linkedin`,
    `postToLinkedIn`,
  ])("%j in args waits for a human at 0.99", (cmd) => {
    expect(decided({ cmd })).toBe("require_approval");
  });

  it.each([
    { program: "docker", args: ["rm", "cache"] },
    { program: "git", args: ["push", "--force", "origin", "main"] },
    { argv: [["docker"], ["rm"], ["cache"]] },
    { argv: ["docker", ["rm", "cache"]] },
    { argv: { "0": "docker", "1": "rm", "2": "cache" } },
    { action: "docker", args: { sub: "rm" } },
  ])("a command split across args (%j) is read as the process it starts", (args) => {
    expect(decided(args)).toBe("require_approval");
  });

  it.each([
    `docker ps -a`,
    `git push origin main`,
    `echo "resend emails later"`,
    `SELECT 1 -- dropdown table`,
    `fixes issue #12 (dropdown table)`,
    `see #12\nbackdrop table`,
    `SELECT /*!50000 1 */ FROM dropdown_table`,
  ])("%j still runs on its own", (cmd) => {
    expect(decided({ cmd })).toBe("auto_execute");
  });
});

describe("commands written as identifiers (tool names, the frameworks' adapters)", () => {
  const join = (words: string[], separator: string) => words.join(separator);
  const identifiers = (commands: string[]) =>
    fc
      .tuple(fc.constantFrom(...commands), fc.constantFrom("_", ".", "-", "__", "/", ":"), fc.constantFrom("action", "tool", "value"))
      .map(([command, style, where]) => {
        const name = join(command.split(" "), style);
        return where === "action"
          ? { action: `${name} {"container":"web"}`, args: {} }
          : where === "tool"
            ? { action: "run it", tool: name, args: {} }
            : { action: "run it", args: { step: name } };
      });

  it("a default's words joined as an identifier (docker_rm, docker.rm, docker-rm) wait for a human even at 0.99", () => {
    fc.assert(
      fc.property(identifiers(["docker rm", "docker container rm", "docker stop", "drop table", "send email", "post to linkedin"]), (target) => {
        expect(matchingPatterns(DEFAULTS, target)).not.toEqual([]);
        expect(evaluateAction(proposal({ resource: null, ...target }), DEFAULT_POLICY).decision).toBe("require_approval");
      }),
      { numRuns: 500 },
    );
  });

  it("harmless neighbours as identifiers (docker_rmi, docker_restart, dropdown_table) match nothing", () => {
    fc.assert(
      fc.property(identifiers(["docker rmi", "docker restart", "docker ps", "dropdown table", "backdrop table"]), (target) => {
        expect(matchingPatterns(DEFAULTS, target)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

describe("SQL's comment forms between the words of a command", () => {
  // What MySQL (or any SQL) reads as nothing, or as the code it holds, between two words.
  const COMMENTS = ["/**/", "/* c */", "-- c\n", "--\n", "# c\n", "#\n", "/*!*/", "/*!50000*/", " /*! */ "];
  /** `drop table users` with comments between its words, and maybe a word inside an executable comment. */
  const commented = (command: string) => {
    const words = command.split(" ");
    return fc
      .tuple(
        fc.array(fc.constantFrom(...COMMENTS), { minLength: words.length - 1, maxLength: words.length - 1 }),
        fc.option(fc.tuple(fc.nat({ max: words.length - 1 }), fc.constantFrom("", "50000", "40101 ")), { nil: null }),
      )
      .map(([comments, executable]) => {
        const written = words.map((w, i) => (executable && executable[0] === i ? `/*!${executable[1]}${w}*/` : w));
        return written.map((w, i) => (i === 0 ? w : comments[i - 1] + w)).join("");
      });
  };

  const notArgv = <T extends { args?: unknown }>(targets: fc.Arbitrary<T>) => targets.filter((t) => !JSON.stringify(t.args ?? {}).includes('"argv"'));

  it("a default split by SQL comments (/* */, -- , #, /*!…*/) waits for a human, anywhere in the proposal", () => {
    fc.assert(
      // Not as argv: a list's items are joined with spaces, and a `#` comment's newline would be lost.
      fc.property(notArgv(placed(fc.constantFrom("DROP TABLE users", "drop table users").chain(commented))), (target) => {
        expect(matchingPatterns(DEFAULTS, target)).not.toEqual([]);
        expect(evaluateAction(proposal(target), DEFAULT_POLICY).decision).toBe("require_approval");
      }),
      { numRuns: 500 },
    );
  });

  it("a comment marker in a string before the command (SELECT '#'; DROP/**/TABLE) never swallows it: each comment reading is matched on its own", () => {
    // An attacker's review: folding `#` comments in the same chain as the other folds deleted the
    // very text `/**/`, `${IFS}` and quotes had been folded into.
    for (const sql of [
      "SELECT '#'; DROP/**/TABLE users;\nSELECT 1",
      "SELECT '-- '; DROP/**/TABLE users",
      "SELECT '/*'; DROP/**/TABLE users",
      "DROP -- c\rTABLE users",
    ]) {
      expect(matchingPatterns(DEFAULTS, { action: "run sql", args: { sql } }), sql).not.toEqual([]);
    }
    for (const cmd of ["echo '#'; docker${IFS}rm web\ntrue", 'echo "#"; docker "rm" web\nls']) {
      expect(matchingPatterns(DEFAULTS, { action: "run cmd", args: { cmd } }), cmd).not.toEqual([]);
    }
    const prefix = fc.constantFrom("SELECT '#'; ", "SELECT '-- '; ", "SELECT '/*'; ", "SELECT '*/'; ", "echo '#'; ", 'echo "#"; ', "x = '#' ", "");
    const suffix = fc.constantFrom("\nSELECT 1", "\rSELECT 1", "\n", "", " -- done\n", " # done\n");
    fc.assert(
      fc.property(fc.tuple(prefix, fc.constantFrom("DROP TABLE users", "drop table users").chain(commented), suffix), ([before, command, after]) => {
        const sql = before + command + after;
        expect(matchingPatterns(DEFAULTS, { action: "run sql", args: { sql } })).not.toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it("PostgreSQL's and MySQL's own quoting and comments (nesting, $$, E'\\'', '\\'', -- with no space) never hide the command", () => {
    // A third review: each of these ran DROP TABLE on PostgreSQL or MySQL and matched nothing.
    for (const sql of [
      "DROP /* a /* b */ c */ TABLE users",
      "drop/*/**/x*/table users",
      "SELECT $$'$$; DROP--x\nTABLE users;",
      "SELECT E'\\''; DROP--x\nTABLE users;",
      "SELECT $$'$$, '/*'; DROP/*x*/TABLE users;",
      "SELECT E'\\'', '/*'; DROP/*x*/TABLE users;",
      "SELECT '\\'', '/*'; DROP/*x*/TABLE users;",
      "SELECT '\\'', '#'; DROP#x\nTABLE users;",
      "SELECT '\\'', '-- '; DROP-- x\nTABLE users;",
      "SELECT $tag$'$tag$; DROP/*x*/TABLE users;",
    ]) {
      expect(matchingPatterns(DEFAULTS, { action: "run sql", args: { sql } }), sql).not.toEqual([]);
    }
  });

  it("what a shell expands around a command's letters never hides it ($'rm', ${x}, $9, {rm,web})", () => {
    for (const cmd of ["docker $'rm' web", 'docker $"rm" web', "docker r${x}m web", "docker {rm,web}", "docker$IFS$9rm web", "docker r$@m web"]) {
      expect(matchingPatterns(DEFAULTS, { action: "run cmd", args: { cmd } }), cmd).not.toEqual([]);
    }
  });

  it("a long text of comment markers with nothing after them is read in linear time", () => {
    // `#` with no line after it, and `/*!` with no end, made two folds quadratic: 64 KB took 3-20 s.
    for (const hostile of [
      "#".repeat(65_000),
      "/*!" + "#".repeat(65_000),
      "/*".repeat(30_000),
      "-- '".repeat(16_000),
      "$$'".repeat(20_000),
      "${".repeat(30_000),
      "{a,".repeat(20_000),
    ]) {
      const started = performance.now();
      matchingPatterns(DEFAULTS, { action: "run", args: { a: [hostile, "x"] } });
      expect(performance.now() - started, hostile.slice(0, 8)).toBeLessThan(1_000);
    }
  });

  it("harmless neighbours with the same comments, and # in ordinary text (issue #12), match nothing", () => {
    const noted = fc
      .tuple(fc.constantFrom(...HARMLESS), fc.constantFrom("issue #12", "#12", "# note\n", "see #3\n", "/*!*/", "/* c */", "-- c\n"), fc.boolean())
      .map(([text, note, before]) => (before ? `${note} ${text}` : `${text} ${note}`));
    fc.assert(
      fc.property(placed(fc.oneof(noted, fc.constantFrom("dropdown table", "backdrop table").chain(commented))), (target) => {
        expect(matchingPatterns(DEFAULTS, target)).toEqual([]);
        expect(evaluateAction(proposal(target), DEFAULT_POLICY).decision).toBe("auto_execute");
      }),
      { numRuns: 500 },
    );
  });
});
