// uPlot formats numbers with `new Intl.NumberFormat(navigator.language)` when its module loads.
// WebKitGTK reports the POSIX locale's name when the desktop sets none (LANG=C gives "C"), and
// Intl refuses that tag ("RangeError: invalid language tag: C"): the Analytics page would not
// render at all. Such a window reports the locale Intl itself falls back to (else en-US).
// Imported before uPlot (./plot), so it runs first.
if (!validTag(navigator.language)) {
  const fallback = [new Intl.NumberFormat().resolvedOptions().locale, "en-US"].find(validTag) ?? "en-US";
  Object.defineProperty(navigator, "language", { value: fallback, configurable: true });
}

/** Whether uPlot's own call accepts `tag` (JavaScriptCore's `supportedLocalesOf` accepts "C"). */
function validTag(tag: string): boolean {
  try {
    new Intl.NumberFormat(tag);
    return true;
  } catch {
    return false;
  }
}
