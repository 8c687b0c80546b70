import type { Calendar } from "../schemas/policy-rules";

/*
 * Weekly windows ("Mon-Fri 09:00-18:00") and calendars (change freezes) read in a named time
 * zone. Local time comes from Intl (the IANA database Node ships), so daylight-saving changes
 * are the time zone's own: 09:00 in Berlin is 07:00 UTC in summer and 08:00 UTC in winter, and
 * a rule never has to say which.
 */

const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;

export type WeeklyWindow = { days: ReadonlySet<number>; startMinute: number; endMinute: number };

type LocalTime = { weekday: number; minute: number; date: string };

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The time zone's formatter, or a message saying the zone is unknown. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        weekday: "short",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
      });
    } catch {
      throw new Error(`unknown time zone ${JSON.stringify(timeZone)} (use an IANA name such as Europe/Berlin)`);
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function timeZoneProblem(timeZone: string): string | null {
  try {
    formatterFor(timeZone);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

type LocalParts = LocalTime & { year: number; month: number; day: number; hour: number; minuteOfHour: number; second: number };

// The rules of one decision read the same instant, often in the same zone: Intl's formatToParts
// is the costly step (microseconds), so the last instants' answers are kept.
const recent = new Map<string, LocalParts>();

/** The wall-clock time at `at` in `timeZone` (an IANA name): weekday (0 = Sunday), minute of day, date. */
export function localTime(at: Date, timeZone: string): LocalParts {
  const key = `${at.getTime()}|${timeZone}`;
  const known = recent.get(key);
  if (known) return known;
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(at)) parts[part.type] = part.value;
  const hour = Number(parts.hour);
  const minuteOfHour = Number(parts.minute);
  const local: LocalParts = {
    weekday: DAY_NAMES.indexOf(parts.weekday!.toLowerCase() as (typeof DAY_NAMES)[number]),
    minute: hour * 60 + minuteOfHour,
    date: `${parts.year}-${parts.month}-${parts.day}`,
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour,
    minuteOfHour,
    second: Math.floor(((at.getTime() / 1000) % 60) + 60) % 60,
  };
  if (recent.size >= 64) recent.clear();
  recent.set(key, local);
  return local;
}

function parseDay(text: string): number {
  const day = DAY_NAMES.indexOf(text.toLowerCase().slice(0, 3) as (typeof DAY_NAMES)[number]);
  if (day < 0 || !/^[a-z]{3}$/i.test(text)) throw new Error(`${JSON.stringify(text)} is not a day (use Mon, Tue, Wed, Thu, Fri, Sat or Sun)`);
  return day;
}

function parseMinute(text: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(text);
  const minute = match ? Number(match[1]) * 60 + Number(match[2]) : NaN;
  if (!match || Number(match[2]) > 59 || minute > 24 * 60) throw new Error(`${JSON.stringify(text)} is not a time (use HH:MM, 00:00 to 24:00)`);
  return minute;
}

const windowCache = new Map<string, WeeklyWindow>();

/**
 * Reads "Mon-Fri 09:00-18:00", "Sat,Sun 00:00-24:00", "Fri 22:00-02:00" (crosses midnight: it
 * starts on the named day and ends the next morning) or "09:00-17:00" (every day). Throws a
 * message saying what is wrong.
 */
export function parseWindow(text: string): WeeklyWindow {
  const cached = windowCache.get(text);
  if (cached) return cached;
  const match = /^\s*(?:([A-Za-z,\- ]+?)\s+)?(\d{2}:\d{2})\s*-\s*(\d{2}:\d{2})\s*$/.exec(text);
  if (!match) throw new Error(`${JSON.stringify(text)} is not a window (write it like "Mon-Fri 09:00-18:00")`);
  const days = new Set<number>();
  if (match[1] === undefined) for (let d = 0; d < 7; d++) days.add(d);
  else {
    for (const item of match[1].split(",").map((s) => s.trim())) {
      const [from, to, ...rest] = item.split("-").map((s) => s.trim());
      if (rest.length > 0 || !from) throw new Error(`${JSON.stringify(item)} is not a day or a range of days`);
      const first = parseDay(from);
      const last = to === undefined ? first : parseDay(to);
      // Ranges wrap around the week: Fri-Mon is Fri, Sat, Sun, Mon.
      for (let d = first; ; d = (d + 1) % 7) {
        days.add(d);
        if (d === last) break;
      }
    }
  }
  const startMinute = parseMinute(match[2]!);
  const endMinute = parseMinute(match[3]!);
  if (startMinute === endMinute) throw new Error(`${JSON.stringify(text)} starts and ends at the same time`);
  const window = { days, startMinute, endMinute };
  if (windowCache.size > 1000) windowCache.clear();
  windowCache.set(text, window);
  return window;
}

/** Whether `at` falls in the weekly window, read in `timeZone`. */
export function inWindow(at: Date, window: WeeklyWindow, timeZone: string): boolean {
  const { weekday, minute } = localTime(at, timeZone);
  if (window.startMinute < window.endMinute) return window.days.has(weekday) && minute >= window.startMinute && minute < window.endMinute;
  // Across midnight: the evening of a named day, or the morning after one.
  return (window.days.has(weekday) && minute >= window.startMinute) || (window.days.has((weekday + 6) % 7) && minute < window.endMinute);
}

/** Whether `at` falls on a day of one of the calendar's periods (whole days, in its time zone). */
export function inCalendar(at: Date, calendar: Calendar): boolean {
  const { date } = localTime(at, calendar.timeZone);
  return calendar.periods.some((p) => p.from <= date && date <= p.to);
}
