// The rollup's buckets are UTC instants; the console shows them in UTC too (labelled so), since
// an hourly bucket in local time would straddle two rows of the CSV.
const BUCKET_FORMAT = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

/** "30 Nov 2026, 14:00 UTC" for "2026-11-30T14:00:00.000Z"; the input as is when it is no date. */
export function formatBucket(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${BUCKET_FORMAT.format(date)} UTC`;
}
