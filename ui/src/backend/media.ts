// Where an <audio> element finds a recording fetchRecording put on disk. In the desktop app the
// file is read through the asset protocol (enabled for the recordings cache folder only) into a
// blob: URL: WebKitGTK's media player cannot load custom schemes such as asset:// itself
// (tauri-apps/tauri#3725, verified in the end-to-end window test: MEDIA_ERR_SRC_NOT_SUPPORTED),
// while blob: URLs go through WebKit's own loader. In a plain browser (the memory backend: no
// file behind the path) a silent WAV as long as the recording stands in, so the player works
// the same in the demo.
import { convertFileSrc } from "@tauri-apps/api/core";
import type { RecordingFile } from "../generated/bindings";
import { isTauri } from "./index";

/** The memory backend's recordings: 8 kHz, 8-bit mono WAV (8000 bytes a second after the 44-byte header). */
const DEMO_RATE = 8000;
/** The stand-in never exceeds 10 minutes. */
const DEMO_MAX_SECONDS = 600;

export async function recordingSrc(file: RecordingFile): Promise<string> {
  if (!isTauri()) return silentWavDataUrl(Math.max(0, file.bytes - 44) / DEMO_RATE);
  // `npm run dev` in a browser: the dev server reads the core's recordings folder.
  const url = import.meta.env.DEV && window.__RINGDESK_DEV_CORE__ ? `/__ringdesk/recording?path=${encodeURIComponent(file.path)}` : convertFileSrc(file.path);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`The cached recording could not be read (${response.status}).`);
  return URL.createObjectURL(await response.blob());
}

/** A data: URL of `seconds` of silence (8 kHz, 8-bit mono PCM). */
export function silentWavDataUrl(seconds: number): string {
  const samples = Math.round(Math.min(DEMO_MAX_SECONDS, Math.max(0, seconds)) * DEMO_RATE);
  const bytes = new Uint8Array(44 + samples);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, text: string) => [...text].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  ascii(0, "RIFF");
  view.setUint32(4, 36 + samples, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true); // PCM header size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, DEMO_RATE, true);
  view.setUint32(28, DEMO_RATE, true); // bytes per second
  view.setUint16(32, 1, true); // block align
  view.setUint16(34, 8, true); // bits per sample
  ascii(36, "data");
  view.setUint32(40, samples, true);
  bytes.fill(128, 44); // 8-bit PCM silence is the midpoint
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:audio/wav;base64,${btoa(binary)}`;
}
