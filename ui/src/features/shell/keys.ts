import type { KeyboardEvent as ReactKeyboardEvent } from "react";

/** True when a key press belongs to the element being typed into (inputs, selects, editors). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"].includes(target.type);
  }
  return false;
}

export function hasCommandModifier(e: KeyboardEvent | ReactKeyboardEvent): boolean {
  return e.ctrlKey || e.metaKey;
}
