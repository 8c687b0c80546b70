// A chart's data as CSV (RFC 4180): the same rows and columns the chart and its data table show,
// so what a manager downloads is what they saw.

/**
 * `value` is what the CSV holds; `display`, when set, is how the data table shows a date (the
 * table keeps the exact value as the <time> element's dateTime, so the rows stay the CSV's).
 */
export type Column<Row> = { key: string; label: string; value: (row: Row) => string | number | null; display?: (row: Row) => string };

function cell(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  // A leading = + - @ would run as a formula in a spreadsheet; a quote keeps it text.
  const text = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const lines = [columns.map((c) => cell(c.label)).join(",")];
  for (const row of rows) lines.push(columns.map((c) => cell(c.value(row))).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
