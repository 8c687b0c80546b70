import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { describeAction, describeSubjectText, matchTopics, type TopicMatch } from "../../server/memory/describe-subject";
import { editDistance, nearestWord, typoBudget } from "../../server/memory/typo-distance";

type Side = { action: string; tool?: string | null; resource?: string | null } | string;
const topicOf = (side: Side) => (typeof side === "string" ? describeSubjectText(side) : describeAction(side));

describe("what a subject is about", () => {
  it.each([
    [{ action: "docker restart traefik", tool: "docker.restart", resource: "staging/traefik" }, "restart", "staging", ["traefik"]],
    [{ action: "reboot the api container", tool: "runbook.exec", resource: "production/api" }, "restart", "production", ["api"]],
    [{ action: "run it", tool: "k8s.rollout_restart", resource: "staging/web" }, "restart", "staging", ["web"]],
    [{ action: "publish release-notes", tool: null, resource: null }, "publish", null, ["notes", "release"]],
    [{ action: "rotate api-key", tool: "vault.rotate", resource: "production/api-key" }, "rotate", "production", ["api", "key"]],
    ["traefik_restart", "restart", null, ["traefik"]],
    ["restart api on staging/api (b.restart)", "restart", "staging", ["api"]],
    ["deploy api on staging", "deploy", "staging", ["api"]],
    ["weekly maintenance window", null, null, ["maintenance", "weekly", "window"]],
    // A gateway call is nothing but its tool: with no known verb, the tool is the operation.
    [
      { action: "files.read_text_file", tool: "files.read_text_file", resource: "/srv/reports/q3.txt" },
      "files.read_text_file",
      null,
      ["q3", "reports", "srv", "txt"],
    ],
    ["files.read_text_file on /srv/reports/q3.txt (files.read_text_file)", "files.read_text_file", null, ["q3", "reports", "srv", "txt"]],
    [{ action: "files.edit_file", tool: "files.edit_file", resource: "/srv/reports/q3.txt" }, "edit", null, ["q3", "reports", "srv", "txt"]],
    // Nor does a call without a resource: one failure would escalate every later call of the tool.
    [{ action: "everything.echo", tool: "everything.echo", resource: null }, null, null, ["echo", "everything"]],
    // An action that says more than its tool does not take the tool for its operation.
    [{ action: "cat /etc/hosts", tool: "shell", resource: "host-1" }, null, null, ["host"]],
  ] as const)("%j → %s in %s on %j", (side, operation, environment, names) => {
    expect(topicOf(side as Side)).toMatchObject({ operation, environment, names });
  });
});

describe("the matching rule", () => {
  const cases: [string, Side, Side, TopicMatch][] = [
    [
      "the issue's false escalation: another resource, whatever the tools are called",
      { action: "restart web", tool: "x.a.restart", resource: "staging/web" },
      { action: "restart api", tool: "x.b.restart", resource: "staging/api" },
      "words",
    ],
    [
      "the same subject through a dissimilar tool",
      { action: "restart web", tool: "x.a.restart", resource: "staging/web" },
      { action: "bounce web", tool: "runbook.exec", resource: "staging/web" },
      "same_subject",
    ],
    [
      "a lesson typed without environment fits every environment",
      "traefik restart",
      { action: "restart traefik", tool: null, resource: "production/traefik" },
      "same_subject",
    ],
    [
      "another environment is another resource",
      { action: "restart api", resource: "staging/api" },
      { action: "restart api", resource: "production/api" },
      "words",
    ],
    [
      "the same resource, another operation",
      { action: "deploy api", resource: "staging/api" },
      { action: "restart api", resource: "staging/api" },
      "same_resource",
    ],
    [
      "a query on api is not about api-key",
      { action: "rotate api-key", resource: "staging/api-key" },
      { action: "rotate api", resource: "staging/api" },
      "words",
    ],
    [
      "a question in words may be less specific than the lesson",
      { action: "restart traefik", resource: "staging/traefik-edge" },
      "traefik restart",
      "same_subject",
    ],
    // A typed subject's loose words are read as names: advice belongs in the body, not the subject.
    ["a subject with advice words is not about the api", "always drain before a restart", { action: "restart api", resource: "staging/api" }, "words"],
    ["a general lesson naming no resource at all", "restart", { action: "restart api", resource: "staging/api" }, "same_operation"],
    [
      "the reason an agent adds does not break the match",
      { action: "docker restart api", resource: "staging/api" },
      "docker restart api renamed",
      "same_subject",
    ],
  ];
  it.each(cases)("%s", (_name, lesson, query, expected) => {
    expect(matchTopics(topicOf(lesson), topicOf(query))).toBe(expected);
  });

  const word = fc.stringMatching(/^[a-z]{3,9}$/).filter((w) => describeSubjectText(w).operation === null && describeSubjectText(w).names.length === 1);
  const verb = fc.constantFrom("restart", "deploy", "rotate", "flush", "publish", "merge");
  const env = fc.constantFrom("staging", "production", "dev");

  it("a lesson about another operation and another resource is never the same subject (so never lowers a decision)", () => {
    fc.assert(
      fc.property(verb, verb, word, word, env, env, fc.string(), fc.string(), (op1, op2, r1, r2, e1, e2, t1, t2) => {
        fc.pre(op1 !== op2 && r1 !== r2);
        const lesson = describeAction({ action: `${op1} ${r1}`, tool: t1.replace(/[^a-z.]/g, ""), resource: `${e1}/${r1}` });
        const query = describeAction({ action: `${op2} ${r2}`, tool: t2.replace(/[^a-z.]/g, ""), resource: `${e2}/${r2}` });
        expect(matchTopics(lesson, query)).not.toBe("same_subject");
      }),
    );
  });

  it("the tool's name never decides a match", () => {
    fc.assert(
      fc.property(
        verb,
        word,
        env,
        fc.stringMatching(/^[a-z]{1,8}(\.[a-z_]{1,12})?$/),
        fc.stringMatching(/^[a-z]{1,8}(\.[a-z_]{1,12})?$/),
        (op, name, e, tool1, tool2) => {
          const lesson = describeAction({ action: `${op} ${name}`, tool: tool1, resource: `${e}/${name}` });
          const query = describeAction({ action: `${op} ${name}`, tool: tool2, resource: `${e}/${name}` });
          expect(matchTopics(lesson, query)).toBe("same_subject");
        },
      ),
    );
  });
});

describe("typos", () => {
  const typo = (w: string, i: number, kind: number) =>
    kind === 0
      ? w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2)
      : kind === 1
        ? w.slice(0, i) + w.slice(i + 1)
        : kind === 2
          ? w.slice(0, i) + w[i] + w.slice(i)
          : w.slice(0, i) + "q" + w.slice(i + 1);

  it.each([
    ["trafik", "traefik"],
    ["traefk", "traefik"],
    ["tarefik", "traefik"],
    ["restrat", "restart"],
    ["cahce", "cache"],
  ])("%s reads as %s", (asked, meant) => {
    expect(nearestWord(asked, ["traefik", "restart", "cache", "crash", "redis", "api"])?.word).toBe(meant);
  });

  it("one typo (swap, drop, double, replace) in a word of five letters or more stays within its budget", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{5,14}$/), fc.nat(), fc.integer({ min: 0, max: 3 }), (w, at, kind) => {
        const i = 1 + (at % (w.length - 2));
        const typed = typo(w, i, kind);
        expect(editDistance(typed, w, typoBudget(typed))).toBeLessThanOrEqual(typoBudget(typed));
      }),
    );
  });

  it("the bounded distance is the Levenshtein distance when within the bound", () => {
    expect(editDistance("kitten", "sitting", 5)).toBe(3);
    expect(editDistance("kitten", "sitting", 2)).toBe(3);
    expect(editDistance("abc", "abc", 0)).toBe(0);
  });
});
