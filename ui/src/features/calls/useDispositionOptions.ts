import { useEffect, useState } from "react";
import { useBackend } from "../../backend";
import type { DispositionOption } from "../../generated/bindings";

/**
 * The disposition set, re-read on every visit of a page (`active` turning true): it may have
 * changed in Settings. Empty until it arrives, and on a failure (labels then fall back to keys).
 */
export function useDispositionOptions(active: boolean): DispositionOption[] {
  const backend = useBackend();
  const [options, setOptions] = useState<DispositionOption[]>([]);
  useEffect(() => {
    if (!active) return;
    let stale = false;
    backend.dispositionOptions().then(
      (o) => !stale && setOptions(o),
      () => {},
    );
    return () => {
      stale = true;
    };
  }, [active, backend]);
  return options;
}
