// Settings edits: an update that changes nothing, to spread the fields that change over.
import type { SettingsUpdate } from "../generated/bindings";

/** An update that changes nothing (every field null); spread the fields to change over it. */
export const NO_SETTINGS_CHANGE: SettingsUpdate = {
  defaultRegion: null,
  signalwireSpace: null,
  signalwireProjectId: null,
  sipRegistrar: null,
  sipUsername: null,
  sipTransport: null,
  backendUrl: null,
  defaultRoute: null,
  callerId: null,
  agentPhone: null,
  linksAutoDial: null,
  conversationSeconds: null,
  audioInput: null,
  audioOutput: null,
};
