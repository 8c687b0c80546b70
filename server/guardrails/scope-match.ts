import picomatch from "picomatch";

const matchers = new Map<string, (value: string) => boolean>();

/** True when `resource` matches one of the globs (`staging/*`, `repo:warden/**`). */
export function matchesAnyScope(resource: string, globs: readonly string[]): boolean {
  return globs.some((glob) => {
    let matcher = matchers.get(glob);
    if (!matcher) {
      matcher = picomatch(glob, { dot: true });
      matchers.set(glob, matcher);
    }
    return matcher(resource);
  });
}
