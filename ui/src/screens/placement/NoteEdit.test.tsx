import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { callsOf, failWith, mockCommands } from "../../test/ipc";
import { NoteEdit } from "./NoteEdit";

const body = () => screen.getByTestId<HTMLTextAreaElement>("note-edit-body");

describe("NoteEdit", () => {
  it("opens with the note's text and saves the new text (trimmed) to the right document", async () => {
    const calls = mockCommands({ edit_note: () => null });
    const onSaved = vi.fn();
    render(<NoteEdit placementId="p1" noteId="n1" text="Ola starter kl. 8" isPrivate onSaved={onSaved} />);
    fireEvent.click(await screen.findByTestId("note-edit-open"));
    expect(body().value).toBe("Ola starter kl. 8");
    fireEvent.change(body(), { target: { value: " Ola starter kl. 9 " } });
    fireEvent.click(screen.getByTestId("note-edit-save"));
    await waitFor(() => expect(onSaved).toHaveBeenCalledOnce());
    expect(callsOf(calls, "edit_note")).toEqual([
      { placementId: "p1", noteId: "n1", body: "Ola starter kl. 9", private: true },
    ]);
    expect(screen.queryByTestId("note-edit-form")).toBeNull();
  });

  it("refuses an empty text, and keeps what was typed when saving fails", async () => {
    const calls = mockCommands({ edit_note: failWith("io", "disk full") });
    render(<NoteEdit placementId="p1" noteId="n1" text="Hei" isPrivate={false} onSaved={vi.fn()} />);
    fireEvent.click(await screen.findByTestId("note-edit-open"));
    fireEvent.change(body(), { target: { value: "  " } });
    fireEvent.click(screen.getByTestId("note-edit-save"));
    expect(screen.getByText("Skriv notatet før du lagrer.")).toBeTruthy();
    expect(callsOf(calls, "edit_note")).toEqual([]);
    fireEvent.change(body(), { target: { value: "Ny tekst" } });
    fireEvent.click(screen.getByTestId("note-edit-save"));
    expect((await screen.findByTestId("note-edit-error")).textContent).toContain("fikk ikke lest eller skrevet en fil");
    expect(body().value).toBe("Ny tekst");
  });
});
