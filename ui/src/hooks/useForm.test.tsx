import { act, render, renderHook, waitFor } from "@testing-library/react";
import type { FormEvent } from "react";
import { describe, expect, it, vi } from "vitest";
import { CommandFailure } from "../api";
import { callsOf, mockCommands } from "../test/ipc";
import { useForm, type FieldErrors, type FormOptions } from "./useForm";

type Values = { name: string; hours: string; day: string };

const initial: Values = { name: "", hours: "", day: "" };

function validate(v: Values, problems: Record<string, string | null | undefined>): FieldErrors {
  const errors: FieldErrors = {};
  if (!v.name.trim()) errors.name = "Skriv et navn.";
  if (v.hours && !/^\d+$/.test(v.hours)) errors.hours = "Skriv timer som et tall.";
  if (problems.day) errors.day = "Ikke en dato.";
  return errors;
}

function setup(options: Partial<FormOptions<Values>> = {}) {
  return renderHook(() =>
    useForm<Values>({ initial, ids: { name: "f-name", hours: "f-hours" }, validate, ...options }),
  );
}

const submitEvent = () => ({ preventDefault: vi.fn() }) as unknown as FormEvent;
const blurWith = (value: string) => ({ currentTarget: { value } });

describe("useForm: when messages show", () => {
  it("shows nothing before the user leaves a field or submits", () => {
    mockCommands();
    const { result } = setup();
    expect(result.current.errors).toEqual({ name: "Skriv et navn." });
    expect(result.current.error("name")).toBeUndefined();
    expect(result.current.attempt).toBe(0);
  });

  it("shows a field's message once it was left with text in it, not when left empty", () => {
    mockCommands();
    const { result } = setup();
    act(() => result.current.update({ hours: "sju" }));
    act(() => result.current.touch("name")(blurWith("  ")));
    act(() => result.current.touch("hours")(blurWith("sju")));
    expect(result.current.error("name")).toBeUndefined();
    expect(result.current.error("hours")).toBe("Skriv timer som et tall.");
    // Fixed: the message goes at once.
    act(() => result.current.update({ hours: "7" }));
    expect(result.current.error("hours")).toBeUndefined();
  });

  it("a submit with errors shows every message, lists them for the summary and saves nothing", async () => {
    mockCommands();
    const save = vi.fn(() => Promise.resolve());
    const { result } = setup();
    act(() => result.current.update({ hours: "x" }));
    const preventDefault = vi.fn();
    await act(() => result.current.handleSubmit(save)({ preventDefault } as unknown as FormEvent));
    expect(preventDefault).toHaveBeenCalled();
    expect(save).not.toHaveBeenCalled();
    expect(result.current.attempt).toBe(1);
    expect(result.current.error("name")).toBe("Skriv et navn.");
    expect(result.current.summary).toEqual([
      { id: "f-name", message: "Skriv et navn." },
      { id: "f-hours", message: "Skriv timer som et tall." },
    ]);
  });

  it("links a message without an id of its own to the field name (dynamic rows)", () => {
    mockCommands();
    const { result } = setup({ validate: () => ({ "row-what-1": "Hva skal gjøres?" }) });
    expect(result.current.summary).toEqual([{ id: "row-what-1", message: "Hva skal gjøres?" }]);
  });

  it("can focus the first wrong field instead of a summary", async () => {
    mockCommands();
    const { getByTestId } = render(
      <>
        <input id="f-name" data-testid="name" />
        <input id="f-hours" data-testid="hours" />
      </>,
    );
    const { result } = setup({ onInvalid: "field" });
    act(() => result.current.update({ name: "Kari", hours: "x" }));
    await act(() => result.current.handleSubmit(() => Promise.resolve())(submitEvent()));
    expect(document.activeElement).toBe(getByTestId("hours"));
  });
});

describe("useForm: input problems", () => {
  it("a date field's change sets the value and its problem", () => {
    mockCommands();
    const { result } = setup();
    act(() => result.current.dateChange("day")("", "invalid"));
    expect(result.current.values.day).toBe("");
    expect(result.current.errors.day).toBe("Ikke en dato.");
    act(() => result.current.dateChange("day")("2026-05-01", null));
    expect(result.current.values.day).toBe("2026-05-01");
    expect(result.current.errors.day).toBeUndefined();
  });
});

describe("useForm: saving", () => {
  it("saves the values, is busy meanwhile, then clears the form and its draft", async () => {
    const calls = mockCommands();
    let done: () => void = () => {};
    const save = vi.fn(() => new Promise<void>((resolve) => (done = resolve)));
    const { result } = setup({ draftKey: "draft.test.p1" });
    act(() => result.current.update({ name: "Kari", hours: "7" }));
    let submitted: Promise<void> = Promise.resolve();
    act(() => {
      submitted = result.current.handleSubmit(save)(submitEvent());
    });
    expect(save).toHaveBeenCalledWith({ name: "Kari", hours: "7", day: "" });
    expect(result.current.submitting).toBe(true);
    await act(async () => {
      done();
      await submitted;
    });
    expect(result.current.submitting).toBe(false);
    expect(result.current.values).toEqual(initial);
    expect(result.current.attempt).toBe(0);
    expect(callsOf(calls, "clear_draft")).toEqual([{ key: "draft.test.p1" }]);
  });

  it("keeps the values and shows why when saving fails", async () => {
    mockCommands();
    const { result } = setup({ failureMessage: (e) => `Ikke lagret: ${e.message}` });
    act(() => result.current.update({ name: "Kari" }));
    await act(() =>
      result.current.handleSubmit(() => Promise.reject(new CommandFailure({ kind: "io", message: "disk full" })))(
        submitEvent(),
      ),
    );
    expect(result.current.submitError).toBe("Ikke lagret: disk full");
    expect(result.current.values.name).toBe("Kari");
    expect(result.current.submitting).toBe(false);
    // The next submit starts without the old failure.
    await act(() => result.current.handleSubmit(() => Promise.resolve())(submitEvent()));
    expect(result.current.submitError).toBeNull();
  });

  it("shows no message for a failure the form handles itself", async () => {
    mockCommands();
    const seen: string[] = [];
    const { result } = setup({
      failureMessage: (e) => {
        seen.push(e.kind);
        return null;
      },
    });
    act(() => result.current.update({ name: "Kari" }));
    await act(() => result.current.run(() => Promise.reject(new CommandFailure({ kind: "unfamiliar_relay", message: "x" }))));
    expect(seen).toEqual(["unfamiliar_relay"]);
    expect(result.current.submitError).toBeNull();
  });
});

describe("useForm: drafts", () => {
  it("restores a draft, changes resetKey, and clear throws it away", async () => {
    const calls = mockCommands({ load_draft: () => JSON.stringify({ name: "Fra utkast", day: "2026-05-01" }) });
    const { result } = setup({ draftKey: "draft.test.p1" });
    const before = result.current.resetKey;
    await waitFor(() => expect(result.current.restored).toBe(true));
    expect(result.current.values).toMatchObject({ name: "Fra utkast", day: "2026-05-01" });
    const restoredKey = result.current.resetKey;
    expect(restoredKey).not.toBe(before);
    act(() => result.current.clear());
    expect(result.current.restored).toBe(false);
    expect(result.current.values).toEqual(initial);
    expect(result.current.resetKey).not.toBe(restoredKey);
    expect(callsOf(calls, "clear_draft")).toEqual([{ key: "draft.test.p1" }]);
  });

  it("keeps a form without a draft key in memory only", async () => {
    const calls = mockCommands();
    const { result } = setup();
    act(() => result.current.update({ name: "x" }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(calls).toEqual([]);
  });
});
