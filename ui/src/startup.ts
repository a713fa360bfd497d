/**
 * The window's first question to the core (`app_info`) and how long the start waits for it.
 *
 * boot.ts asks it before the rest of the UI is evaluated; the UI tests ask it the same way.
 * `appRoot` takes the question and, when it came in time, the answer; Shell awaits a pending
 * one and shows a failure.
 */
import type { Backend } from "./backend";
import type { AppInfo } from "./generated/bindings";

export interface Started {
  backend: Backend;
  /** The start-up's `app_info`, already asked. */
  firstInfo: Promise<AppInfo>;
  /** Its answer, when it came before the first render (see `awaitFirst`). */
  answered?: AppInfo;
}

/**
 * How long the window waits for the first answer before it shows the splash screen: an answer
 * within it opens the workspace as the first thing drawn (no splash flashing by, no render and
 * frame spent on it); a slower core gets the splash until it answers.
 */
export const SPLASH_AFTER_MS = 100;

/** Waits up to `ms` for the first answer (0: not at all); a failure or a slower answer is left to Shell. */
export async function awaitFirst(first: Started, ms = SPLASH_AFTER_MS): Promise<Started> {
  if (ms <= 0) return first;
  let timer = 0;
  const late = new Promise<undefined>((resolve) => (timer = window.setTimeout(resolve, ms)));
  const answered = await Promise.race([first.firstInfo.catch(() => undefined), late]);
  window.clearTimeout(timer);
  return answered ? { ...first, answered } : first;
}

/** Asks `app_info` now. */
export function askFirst(backend: Backend): Started {
  const firstInfo = backend.appInfo();
  // Shell awaits it and shows a failure; this only keeps the window from reporting the rejection
  // as unhandled before Shell's effect awaits it.
  firstInfo.catch(() => undefined);
  return { backend, firstInfo };
}
