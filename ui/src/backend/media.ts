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
  return fileSrc(file.path, "The cached recording");
}

/**
 * A blob: URL of an audio file the core keeps (a recording in its cache, a voicemail message):
 * read through the asset protocol, which the shell opens to those two folders only.
 */
export async function fileSrc(path: string, what = "The audio file"): Promise<string> {
  // `npm run dev` in a browser: the dev server reads the core's recordings and voicemail folders.
  const devCore = import.meta.env.DEV && Boolean(window.__RINGDESK_DEV_CORE__);
  if (!isTauri() && !devCore) throw new Error("There is no audio source here: audio plays in the Ringdesk desktop app (or under `npm run dev` with its core).");
  const url = devCore ? `/__ringdesk/recording?path=${encodeURIComponent(path)}` : convertFileSrc(path);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${what} could not be read (${response.status}).`);
  return URL.createObjectURL(await response.blob());
}
