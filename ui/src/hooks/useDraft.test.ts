import { act, renderHook, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { callsOf, failWith, mockCommands } from "../test/ipc";
import { draftKey, draftText, parseDraft, useDraft, useOpenIfDraft } from "./useDraft";

const initial = { title: "", hours: "7,5", wantsContact: false };

afterEach(() => {
  vi.useRealTimers();
});

describe("parseDraft", () => {
  it("keeps the fields the form has, with the types it has", () => {
    const text = JSON.stringify({ title: "Lager", hours: 8, wantsContact: true, stale: "x" });
    expect(parseDraft(text, initial)).toEqual({ title: "Lager", hours: "7,5", wantsContact: true });
  });

  it("reads no draft from nothing, broken text or a non-object", () => {
    expect(parseDraft(null, initial)).toBeNull();
    expect(parseDraft("", initial)).toBeNull();
    expect(parseDraft("{broken", initial)).toBeNull();
    expect(parseDraft("null", initial)).toBeNull();
    expect(parseDraft("42", initial)).toBeNull();
  });

  it("never restores a secret field", () => {
    const text = JSON.stringify({ title: "x", passphrase: "hemmelig" });
    expect(parseDraft(text, { title: "", passphrase: "" }, ["passphrase"])).toEqual({ title: "x", passphrase: "" });
  });
});

describe("draftText", () => {
  it("leaves secret fields out", () => {
    expect(JSON.parse(draftText({ name: "Kari", passphrase: "hemmelig" }, ["passphrase"]))).toEqual({ name: "Kari" });
  });
});

describe("draftKey", () => {
  it("names the form and its scope", () => {
    expect(draftKey("note", "p1")).toBe("draft.note.p1");
    expect(draftKey("new-placement")).toBe("draft.new-placement.new");
  });
});

describe("useDraft", () => {
  it("restores a saved draft and says so", async () => {
    const calls = mockCommands({ load_draft: () => JSON.stringify({ title: "Halvskrevet" }) });
    const { result } = renderHook(() => useDraft("draft.t.1", initial));
    expect(result.current.value).toEqual(initial);
    await waitFor(() => expect(result.current.restored).toBe(true));
    expect(result.current.value).toEqual({ ...initial, title: "Halvskrevet" });
    expect(callsOf(calls, "load_draft")).toEqual([{ key: "draft.t.1" }]);
  });

  it("does not overwrite what the user typed while the draft was loading", async () => {
    let answer: (text: string) => void = () => {};
    mockCommands({ load_draft: () => new Promise<string>((resolve) => (answer = resolve)) });
    const { result } = renderHook(() => useDraft("draft.t.1", initial));
    act(() => result.current.update({ title: "Nytt" }));
    await act(() => {
      answer(JSON.stringify({ title: "Gammelt" }));
      return Promise.resolve();
    });
    expect(result.current.value.title).toBe("Nytt");
    expect(result.current.restored).toBe(false);
  });

  it("saves a pause after typing, once, without the secret fields", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const calls = mockCommands();
    const { result } = renderHook(() =>
      useDraft("draft.setup.new", { name: "", passphrase: "" }, { secret: ["passphrase"] }),
    );
    act(() => result.current.update({ name: "K" }));
    act(() => result.current.update({ name: "Kari", passphrase: "hemmelig" }));
    await act(() => vi.advanceTimersByTimeAsync(200));
    expect(callsOf(calls, "save_draft")).toEqual([]);
    await act(() => vi.advanceTimersByTimeAsync(100));
    expect(callsOf(calls, "save_draft")).toEqual([{ key: "draft.setup.new", value: '{"name":"Kari"}' }]);
  });

  it("clear forgets the draft and starts again from the initial values", async () => {
    const calls = mockCommands({ load_draft: () => JSON.stringify({ title: "Halvskrevet" }) });
    const { result } = renderHook(() => useDraft("draft.t.1", initial));
    await waitFor(() => expect(result.current.restored).toBe(true));
    act(() => result.current.clear());
    expect(result.current.value).toEqual(initial);
    expect(result.current.restored).toBe(false);
    expect(callsOf(calls, "clear_draft")).toEqual([{ key: "draft.t.1" }]);
  });

  it("keeps a memory-only draft away from the store", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const calls = mockCommands();
    const { result } = renderHook(() => useDraft("draft.setup.new", initial, { persist: false }));
    act(() => result.current.update({ title: "x" }));
    await act(() => vi.advanceTimersByTimeAsync(1000));
    act(() => result.current.clear());
    expect(result.current.value).toEqual(initial);
    expect(calls).toEqual([]);
  });

  it("starts empty when the draft cannot be read", async () => {
    mockCommands({ load_draft: failWith("locked", "Låst") });
    const { result } = renderHook(() => useDraft("draft.t.1", initial));
    await act(() => Promise.resolve());
    expect(result.current).toMatchObject({ value: initial, restored: false });
  });
});

describe("useOpenIfDraft", () => {
  it("opens the form when a draft waits, and only then", async () => {
    mockCommands({ load_draft: ({ key }) => (key === "draft.daily-log.p1" ? "{}" : null) });
    const waiting = vi.fn();
    const none = vi.fn();
    renderHook(() => useOpenIfDraft("draft.daily-log.p1", waiting));
    renderHook(() => useOpenIfDraft("draft.daily-log.p2", none));
    await waitFor(() => expect(waiting).toHaveBeenCalledWith(true));
    expect(none).not.toHaveBeenCalled();
  });
});
