// Moments for seeds that must fall on a given local day whatever the time of day the tests run
// at (a seed "N hours ago" can land on the day before when run just after midnight).

/** Today's local midnight. */
function midnight(): Date {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate());
}

/** A moment today that has already passed: `fraction` of the way from midnight to now. */
export function earlierToday(fraction: number): string {
  const start = midnight().getTime();
  return new Date(start + (Date.now() - start) * fraction).toISOString();
}

/** Halfway between now and the next midnight: later today. */
export function laterToday(): string {
  const end = midnight();
  end.setDate(end.getDate() + 1);
  return new Date(Date.now() + (end.getTime() - Date.now()) / 2).toISOString();
}

/** `hour` o'clock (local time) on the day `days` before today. */
export function daysAgoAt(days: number, hour: number): string {
  const day = midnight();
  return new Date(day.getFullYear(), day.getMonth(), day.getDate() - days, hour).toISOString();
}
