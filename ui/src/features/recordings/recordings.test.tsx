import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { readFileSync } from "node:fs";
import type { RecordingFile, RecordingGroup, RecordingQuery } from "../../generated/bindings";
import { SAMPLE_LEADS, renderApp, type CallSeed, type Seed } from "../../test/app";
import type { Core } from "../../test/core";
import type { SignalWire } from "../../test/signalwire";

const HOUR = 3_600_000;
const ago = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();

/** Calls SignalWire recorded (its SID on each), with what the recording's transcription says. */
type RecordedCall = CallSeed & { providerCallSid: string; transcription: string | null };

const CALLS: RecordedCall[] = [
  { contact: "415-555-0100", startedAt: ago(30), durationSeconds: 125, disposition: "interested", providerCallSid: "CA-bob-1", transcription: "We talked about the March freight rates." },
  { contact: "(212) 555-0123", direction: "inbound", startedAt: ago(5), durationSeconds: 65, disposition: "callback_requested", providerCallSid: "CA-alice", transcription: "Please call me back on Monday." },
  { contact: "+13035550144", startedAt: ago(10), durationSeconds: 40, providerCallSid: "CA-stranger", transcription: null },
  { contact: "415-555-0100", startedAt: ago(2), durationSeconds: 300, providerCallSid: "CA-bob-2", transcription: "Second call with Bob." },
];

/** SignalWire (the emulator) holds a recording of the call, as long as the call, and its transcription. */
async function record(signalWire: SignalWire, call: RecordedCall) {
  const created = call.startedAt ?? new Date().toISOString();
  const sid = await signalWire.call<string>("add_recording", { callSid: call.providerCallSid, seconds: call.durationSeconds ?? 1, created });
  if (call.transcription) await signalWire.call("add_transcription", { recordingSid: sid, text: call.transcription });
  return sid;
}

/** The calls logged here, their recordings at SignalWire, pulled by the core's own sync. */
async function openRecordings(seed: Seed & { calls?: RecordedCall[] } = {}) {
  const calls = seed.calls ?? CALLS;
  const app = await renderApp({
    leads: SAMPLE_LEADS,
    signalWire: true,
    ...seed,
    calls,
    seed: async (core, signalWire) => {
      if (signalWire && seed.signalWire !== "unconfigured") {
        for (const call of calls) await record(signalWire, call);
        await core.invoke("sync_recordings", { days: 30 });
      }
      await seed.seed?.(core, signalWire);
    },
  });
  await app.user.click(screen.getByTestId("nav-recordings"));
  await waitFor(() => expect(screen.getByTestId("recordings-count")).not.toHaveTextContent(/^$/));
  return app;
}

const libraryQueries = (core: Core) => core.calls.filter((c) => c.cmd === "recordings_library").map((c) => (c.args as { query: RecordingQuery }).query);

const groupTitles = () => screen.queryAllByTestId("recording-group").map((g) => within(g).getByTestId("recording-group-title").textContent);

// jsdom has no media playback: play() and pause() are stubs that report like a browser does.
let play: ReturnType<typeof vi.fn>;
let pause: ReturnType<typeof vi.fn>;
beforeEach(() => {
  play = vi.fn(function (this: HTMLMediaElement) {
    Object.defineProperty(this, "paused", { configurable: true, value: false });
    this.dispatchEvent(new Event("play"));
    return Promise.resolve();
  });
  pause = vi.fn(function (this: HTMLMediaElement) {
    Object.defineProperty(this, "paused", { configurable: true, value: true });
    this.dispatchEvent(new Event("pause"));
  });
  vi.spyOn(HTMLMediaElement.prototype, "play").mockImplementation(play as unknown as () => Promise<void>);
  vi.spyOn(HTMLMediaElement.prototype, "pause").mockImplementation(pause as unknown as () => void);
});
afterEach(() => vi.restoreAllMocks());

describe("Recordings", () => {
  it("groups recordings by contact, newest first, with date, duration, direction and outcome", async () => {
    await openRecordings();
    expect(screen.getByTestId("nav-recordings")).toHaveAttribute("aria-current", "page");
    expect(groupTitles()).toEqual(["Bob Brown", "Alice Anders", "(303) 555-0144"]);
    const [bob, alice] = screen.getAllByTestId("recording-group");
    expect(bob).toHaveTextContent("Globex");
    expect(bob).toHaveTextContent("(415) 555-0100");
    const bobItems = within(bob).getAllByTestId("recording-item");
    expect(bobItems).toHaveLength(2);
    expect(bobItems[0]).toHaveTextContent("5:00");
    expect(bobItems[1]).toHaveTextContent("2:05");
    expect(bobItems[1]).toHaveTextContent("Interested");
    expect(within(alice).getByLabelText("Inbound")).toBeInTheDocument();
    expect(screen.getByTestId("recordings-count")).toHaveTextContent("4 recordings");
  });

  it("searches by transcription text, lead and number (debounced) and by date", async () => {
    const { user, core } = await openRecordings();
    const before = libraryQueries(core).length;
    await user.type(screen.getByTestId("recordings-search"), "freight");
    await waitFor(() => expect(groupTitles()).toEqual(["Bob Brown"]), { timeout: 5000 });
    expect(libraryQueries(core).slice(before).map((q) => q.text), "one request for the whole word").toEqual(["freight"]);
    expect(screen.getAllByTestId("recording-item")).toHaveLength(1);

    await user.clear(screen.getByTestId("recordings-search"));
    await user.type(screen.getByTestId("recordings-search"), "alice");
    await waitFor(() => expect(groupTitles()).toEqual(["Alice Anders"]), { timeout: 5000 });
    await user.clear(screen.getByTestId("recordings-search"));
    await user.type(screen.getByTestId("recordings-search"), "+1 303");
    await waitFor(() => expect(groupTitles()).toEqual(["(303) 555-0144"]), { timeout: 5000 });
    await user.clear(screen.getByTestId("recordings-search"));
    await user.type(screen.getByTestId("recordings-search"), "zebra");
    expect(await screen.findByTestId("recordings-no-matches")).toHaveTextContent("No recordings match.");
    await user.clear(screen.getByTestId("recordings-search"));
    await waitFor(() => expect(groupTitles()).toHaveLength(3));

    const today = new Date();
    const ymd = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, "0")}-${String(today.getDate()).padStart(2, "0")}`;
    const from = new Date(Date.now() - 2.5 * HOUR);
    if (from.getDate() === today.getDate()) {
      // Only calls started since midnight: which of the seeded calls (30, 5, 10 and 2 hours ago)
      // those are depends on the time of day, so count them the same way.
      const midnight = new Date(today.getFullYear(), today.getMonth(), today.getDate()).getTime();
      const sinceMidnight = [30, 5, 10, 2].filter((h) => Date.now() - h * HOUR >= midnight).length;
      fireEvent.change(screen.getByTestId("recordings-from"), { target: { value: ymd } });
      // Generous: the date filter waits for the debounce, and CI runs test files side by side.
      await waitFor(() => expect(screen.getAllByTestId("recording-item")).toHaveLength(sinceMidnight), { timeout: 5000 });
      expect(libraryQueries(core).at(-1)).toMatchObject({ from: new Date(midnight).toISOString() });
    }
  });

  it("selecting a recording shows its call and transcription beside the list", async () => {
    const { user } = await openRecordings();
    expect(screen.getByTestId("recording-detail")).toHaveTextContent("Select a recording");
    const [alice] = within(screen.getAllByTestId("recording-group")[1]).getAllByTestId("recording-item");
    await user.click(alice);
    expect(alice).toHaveAttribute("aria-pressed", "true");
    const detail = screen.getByTestId("recording-detail");
    expect(detail).toHaveTextContent("Alice Anders");
    expect(within(detail).getByTestId("recording-call-time")).toHaveTextContent("Inbound");
    expect(within(detail).getByTestId("recording-call-duration")).toHaveTextContent("1:05");
    expect(detail).toHaveTextContent("Callback Requested");
    expect(screen.getByTestId("recording-transcription")).toHaveTextContent("Please call me back on Monday.");

    await user.click(within(screen.getAllByTestId("recording-group")[2]).getByTestId("recording-item"));
    expect(screen.getByTestId("recording-transcription")).toHaveTextContent("No transcription for this recording.");
  });

  it("the player downloads the recording (loading state), then plays, pauses with Space, seeks and shows the time", async () => {
    // The core really downloads Alice's recording from SignalWire (the emulator serves a 65 s,
    // 8 kHz 16-bit mono WAV); the test only holds the core's answer back until it has seen the
    // loading state.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const files: RecordingFile[] = [];
    const { user, core } = await openRecordings({
      seed: async (core) =>
        core.fake("fetch_recording", async (args) => {
          const file = await core.invoke<RecordingFile>("fetch_recording", args);
          files.push(file);
          await held;
          return file;
        }),
    });
    const [alicesGroup] = await core.invoke<RecordingGroup[]>("recordings_library", { query: { text: "Alice", from: null, to: null, limit: null } });
    const alices = alicesGroup.recordings[0].recording;
    await user.click(within(screen.getAllByTestId("recording-group")[1]).getByTestId("recording-item"));

    expect(screen.getByTestId("recording-loading")).toHaveTextContent("Downloading the recording");
    expect(screen.getByTestId("recording-play")).toBeDisabled();
    // SignalWire's length shows while the audio's own is not known.
    expect(screen.getByTestId("recording-time")).toHaveTextContent("0:00 / 1:05");
    await waitFor(() => expect(files).toHaveLength(1));
    expect(core.calls.filter((c) => c.cmd === "fetch_recording").map((c) => c.args)).toEqual([{ id: alices.id }]);
    // In the core's recordings cache: the WAV SignalWire served.
    const wav = readFileSync(files[0].path);
    expect(wav.subarray(0, 4).toString("latin1")).toBe("RIFF");
    expect(wav.subarray(8, 12).toString("latin1")).toBe("WAVE");
    expect(files[0].bytes).toBe(wav.length);
    await act(async () => release());
    await waitFor(() => expect(screen.getByTestId("recording-play")).toBeEnabled());
    expect(screen.queryByTestId("recording-loading")).not.toBeInTheDocument();

    // The file read through the asset protocol into a blob: URL holding exactly its bytes.
    const audio = screen.getByTestId("recording-audio") as HTMLAudioElement;
    const src = audio.getAttribute("src")!;
    expect(src).toMatch(/^blob:/);
    const blob = await (await fetch(src)).arrayBuffer();
    expect(Buffer.from(blob).equals(wav)).toBe(true);

    // jsdom decodes no media: the element reports the length its WAV header gives (the data
    // chunk's size over the byte rate), as a browser's would.
    const seconds = wav.readUInt32LE(40) / wav.readUInt32LE(28);
    expect(seconds).toBe(65);
    Object.defineProperty(audio, "duration", { configurable: true, value: seconds });
    fireEvent(audio, new Event("loadedmetadata"));
    expect(screen.getByTestId("recording-time")).toHaveTextContent("0:00 / 1:05");

    await user.click(screen.getByTestId("recording-play"));
    expect(play).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(screen.getByTestId("recording-play")).toHaveAccessibleName("Pause"));

    // Space in the player (the slider has the focus) pauses, and again plays.
    const seek = screen.getByTestId("recording-seek");
    seek.focus();
    await user.keyboard(" ");
    expect(pause).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId("recording-play")).toHaveAccessibleName("Play");
    screen.getByTestId("recording-player").focus();
    await user.keyboard(" ");
    expect(play).toHaveBeenCalledTimes(2);

    fireEvent.change(seek, { target: { value: "30" } });
    expect(audio.currentTime).toBe(30);
    expect(screen.getByTestId("recording-time")).toHaveTextContent("0:30 / 1:05");
    Object.defineProperty(audio, "currentTime", { configurable: true, value: 42, writable: true });
    fireEvent(audio, new Event("timeupdate"));
    expect(screen.getByTestId("recording-time")).toHaveTextContent("0:42 / 1:05");
    expect(seek).toHaveValue("42");
  });

  it("says when a recording cannot be downloaded", async () => {
    const { user, signalWire } = await openRecordings();
    // SignalWire no longer has the recording: the core's download is answered 404 (not retried).
    await signalWire.call("fail_next", { n: 1, status: 404, code: 20404 });
    await user.click(screen.getAllByTestId("recording-item")[0]);
    expect(await screen.findByTestId("recording-error")).toHaveTextContent(
      "Could not load the recording: SignalWire refused the request (404, error 20404): Internal error SignalWire does not know this item: it may have been deleted.",
    );
    expect(screen.getByTestId("recording-play")).toBeDisabled();
    expect(screen.queryByTestId("recording-audio")).not.toBeInTheDocument();
  });

  it("Sync from SignalWire pulls the last 30 days and reports what it found", async () => {
    const { user, core, signalWire } = await openRecordings();
    // Since the last sync, SignalWire recorded the stranger's call again, and a call of another desktop.
    await record(signalWire, { ...CALLS[2], transcription: "A second take" });
    await record(signalWire, { contact: "+13035550199", providerCallSid: "CA-elsewhere", durationSeconds: 20, transcription: null });
    await user.click(screen.getByTestId("recordings-sync"));
    expect(await screen.findByTestId("recordings-sync-result")).toHaveTextContent(
      "6 recordings at SignalWire: 1 new recording; 1 recording of calls not logged on this desktop skipped.",
    );
    expect(core.calls.filter((c) => c.cmd === "sync_recordings").at(-1)?.args, "the last 30 days").toEqual({ days: 30 });
    await waitFor(() => expect(screen.getByTestId("recordings-count")).toHaveTextContent("5 recordings"));
  });

  it("without SignalWire, sync says to set it up in Settings and links there", async () => {
    const { user } = await openRecordings({ signalWire: "unconfigured", calls: [] });
    await user.click(screen.getByTestId("recordings-sync"));
    const error = await screen.findByTestId("recordings-sync-error");
    expect(error).toHaveTextContent("Set up SignalWire in Settings");
    await user.click(within(error).getByRole("button", { name: /open settings/i }));
    expect(screen.getByTestId("nav-settings")).toHaveAttribute("aria-current", "page");
  });

  it("shows an empty state without recordings", async () => {
    await openRecordings({ calls: [] });
    expect(screen.getByTestId("recordings-empty")).toHaveTextContent("No recordings yet");
  });

  it("“/” and Ctrl+F focus the search box on the Recordings page", async () => {
    // Every call wrapped up: no wrap-up dialog (a modal takes "/" away).
    const { user } = await openRecordings({ calls: CALLS.map((c) => ({ disposition: "answered", ...c })) });
    expect(document.querySelector('[aria-modal="true"]')).toBeNull();
    const search = screen.getByTestId("recordings-search");
    await user.keyboard("/");
    await waitFor(() => expect(search).toHaveFocus());
    expect(screen.getByTestId("nav-recordings")).toHaveAttribute("aria-current", "page");
    search.blur();
    await user.keyboard("{Control>}f{/Control}");
    await waitFor(() => expect(search).toHaveFocus());
    await user.keyboard("{Control>}7{/Control}");
    expect(screen.getByTestId("nav-recordings")).toHaveAttribute("aria-current", "page");
  });
});
