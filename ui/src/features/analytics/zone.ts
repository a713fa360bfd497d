/** The agent's own zone (IANA): the core counts days and weeks from their midnight. */
export function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}
