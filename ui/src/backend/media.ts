// Where an <audio> element finds a recording fetchRecording put on disk. In the desktop app the
// file is read through the asset protocol (enabled for the recordings cache folder only) into a
// blob: URL: WebKitGTK's media player cannot load custom schemes such as asset:// itself
// (tauri-apps/tauri#3725, verified in the end-to-end window test: MEDIA_ERR_SRC_NOT_SUPPORTED),
// while blob: URLs go through WebKit's own loader. Under `npm run dev` in a plain browser the dev
// server reads the dev core's recordings folder instead. Anywhere else (no Tauri, no dev core)
// there is no file to read: recordingSrc says so.
import { convertFileSrc } from "@tauri-apps/api/core";
import type { RecordingFile } from "../generated/bindings";
import { isTauri } from "./index";

export async function recordingSrc(file: RecordingFile): Promise<string> {
  // `npm run dev` in a browser: the dev server reads the core's recordings folder.
  const devCore = import.meta.env.DEV && Boolean(window.__RINGDESK_DEV_CORE__);
  if (!isTauri() && !devCore) throw new Error("There is no recording source here: recordings play in the Ringdesk desktop app (or under `npm run dev` with its core).");
  const url = devCore ? `/__ringdesk/recording?path=${encodeURIComponent(file.path)}` : convertFileSrc(file.path);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`The cached recording could not be read (${response.status}).`);
  return URL.createObjectURL(await response.blob());
}
