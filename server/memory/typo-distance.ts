/**
 * How many typos a word of this length may carry and still be read as a known word: none for
 * one or two letters, one up to four letters, two up to seven, three beyond. The distance is
 * Levenshtein's (as PostgreSQL's fuzzystrmatch counts it), so a swap of two letters counts two:
 * `cahce` (5 letters) still reads as `cache`.
 */
export function typoBudget(word: string): number {
  if (word.length <= 2) return 0;
  if (word.length <= 4) return 1;
  if (word.length <= 7) return 2;
  return 3;
}

/** Levenshtein distance, bounded: returns max + 1 as soon as the distance must exceed max. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > max) return max + 1;
    previous = current;
  }
  return previous[b.length]!;
}

/** The nearest of `candidates` within the word's typo budget (ties: the first), or null. */
export function nearestWord(word: string, candidates: readonly string[]): { word: string; distance: number } | null {
  const budget = typoBudget(word);
  let best: { word: string; distance: number } | null = null;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate, budget);
    if (distance <= budget && (!best || distance < best.distance)) best = { word: candidate, distance };
  }
  return best;
}
