import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { callsOf, mockCommands } from "../../test/ipc";
import { TaskForm } from "./TaskForm";

describe("TaskForm", () => {
  it("a task needs a title: the title takes focus", () => {
    const calls = mockCommands();
    render(<TaskForm placementId="p1" autoFocus={false} onSaved={vi.fn()} onCancel={vi.fn()} />);
    fireEvent.click(screen.getByTestId("plan-task-submit"));
    expect(document.activeElement).toBe(screen.getByTestId("plan-task-title"));
    expect(screen.getByText("Skriv hva oppgaven er.")).toBeTruthy();
    expect(callsOf(calls, "add_training_task")).toEqual([]);
  });

  it("restores its draft under its own test id and saves the task", async () => {
    const calls = mockCommands({
      load_draft: () => JSON.stringify({ title: "Ta imot varer", targetDate: "2026-06-01" }),
      add_training_task: () => "t1",
    });
    const onSaved = vi.fn();
    render(<TaskForm placementId="p1" autoFocus onSaved={onSaved} onCancel={vi.fn()} />);
    await screen.findByTestId("plan-task-draft-restored");
    expect(screen.getByTestId<HTMLInputElement>("plan-task-date").value).toBe("01.06.2026");
    fireEvent.click(screen.getByTestId("plan-task-submit"));
    await waitFor(() => expect(onSaved).toHaveBeenCalledOnce());
    expect(callsOf(calls, "add_training_task")).toEqual([
      {
        placementId: "p1",
        input: { title: "Ta imot varer", description: "", responsible: "", targetDate: "2026-06-01" },
      },
    ]);
  });

  it("cancelling an empty form leaves no draft behind; a typed one is kept", () => {
    const calls = mockCommands();
    const onCancel = vi.fn();
    const { unmount } = render(<TaskForm placementId="p1" autoFocus={false} onSaved={vi.fn()} onCancel={onCancel} />);
    fireEvent.click(screen.getByTestId("plan-task-cancel"));
    expect(callsOf(calls, "clear_draft")).toEqual([{ key: "draft.plan-task.p1" }]);
    unmount();
    render(<TaskForm placementId="p2" autoFocus={false} onSaved={vi.fn()} onCancel={onCancel} />);
    fireEvent.change(screen.getByTestId("plan-task-title"), { target: { value: "Noe" } });
    fireEvent.click(screen.getByTestId("plan-task-cancel"));
    expect(callsOf(calls, "clear_draft")).toHaveLength(1);
    expect(onCancel).toHaveBeenCalledTimes(2);
  });
});
