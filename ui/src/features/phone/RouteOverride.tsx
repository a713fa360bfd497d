import { useEffect, useState } from "react";
import { useBackend } from "../../backend";
import type { CallRoute, Settings } from "../../generated/bindings";

export const ROUTE_LABELS: Record<CallRoute, string> = {
  softphone: "Softphone",
  bridge: "Bridge via your phone",
};

/**
 * Settings as calls need them (default route, caller ID, agent phone); re-read whenever `refreshKey`
 * changes (a page becoming visible). null until the first answer or when they cannot be read.
 */
export function useCallSettings(refreshKey: unknown = null): Settings | null {
  const backend = useBackend();
  const [settings, setSettings] = useState<Settings | null>(null);
  useEffect(() => {
    let stale = false;
    backend.getSettings().then(
      (s) => !stale && setSettings(s),
      () => {},
    );
    return () => {
      stale = true;
    };
  }, [backend, refreshKey]);
  return settings;
}

type Props = {
  /** The route chosen for this call; null: Settings' default. */
  value: CallRoute | null;
  defaultRoute: CallRoute;
  onChange: (route: CallRoute | null) => void;
  testId: string;
  disabled?: boolean;
};

/** "via Softphone / Bridge": the route of the next call, Settings' default until the agent picks one. */
export function RouteOverride({ value, defaultRoute, onChange, testId, disabled }: Props) {
  const shown = value ?? defaultRoute;
  return (
    <label className="route-override" title="How this call goes out (the default is in Settings → Calls)">
      <span className="muted small">via</span>
      <select
        data-testid={testId}
        aria-label="Call route"
        value={shown}
        disabled={disabled}
        onChange={(e) => {
          const next = e.target.value as CallRoute;
          onChange(next === defaultRoute ? null : next);
        }}
      >
        {(Object.keys(ROUTE_LABELS) as CallRoute[]).map((r) => (
          <option key={r} value={r}>
            {ROUTE_LABELS[r]}
            {r === defaultRoute ? " (default)" : ""}
          </option>
        ))}
      </select>
    </label>
  );
}
