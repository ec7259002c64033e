import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { todayIso } from "../../format";
import { callsOf, mockCommands } from "../../test/ipc";
import { DailyLogForm } from "./DailyLogForm";

function field(testId: string): HTMLInputElement {
  return screen.getByTestId(testId);
}

function renderForm(onSaved = vi.fn()) {
  render(
    <DailyLogForm placementId="p1" startDate="2026-01-05" hoursPerWeek={37.5} onSaved={onSaved} onCancel={vi.fn()} />,
  );
  return onSaved;
}

describe("DailyLogForm", () => {
  it("starts at today, present, with a usual day's hours", () => {
    mockCommands();
    renderForm();
    expect(field("daily-log-hours").value).toBe("7,5");
    expect(field("daily-log-attendance-present").checked).toBe(true);
  });

  it("an absent day has no hours; coming back restores the usual day", () => {
    mockCommands();
    renderForm();
    fireEvent.click(field("daily-log-attendance-absent"));
    expect(field("daily-log-hours").value).toBe("0");
    expect(field("daily-log-hours").disabled).toBe(true);
    fireEvent.click(field("daily-log-attendance-late"));
    expect(field("daily-log-hours").value).toBe("7,5");
  });

  it("restores the draft a crash left behind (the window test's case)", async () => {
    const calls = mockCommands({
      load_draft: () => JSON.stringify({ wentWell: "Alt gikk fint", wantsContact: true, contactMessage: "Ring meg" }),
    });
    renderForm();
    await screen.findByTestId("draft-restored");
    expect(field("daily-log-went-well").value).toBe("Alt gikk fint");
    expect(field("daily-log-contact-message").value).toBe("Ring meg");
    expect(callsOf(calls, "load_draft")).toEqual([{ key: "draft.daily-log.p1" }]);
  });

  it("refuses hours that are not a day's, and saves a good log with the contact request", async () => {
    const calls = mockCommands({ log_observation: () => "o1" });
    const onSaved = renderForm();
    fireEvent.change(field("daily-log-hours"), { target: { value: "25" } });
    fireEvent.click(screen.getByTestId("daily-log-save"));
    expect(await screen.findByTestId("error-summary")).toBeTruthy();
    expect(field("daily-log-hours").getAttribute("aria-invalid")).toBe("true");
    expect(callsOf(calls, "log_observation")).toEqual([]);

    fireEvent.change(field("daily-log-hours"), { target: { value: "6,5" } });
    fireEvent.change(field("daily-log-went-well"), { target: { value: " Pakket varer " } });
    fireEvent.click(field("daily-log-wants-contact"));
    fireEvent.change(field("daily-log-contact-message"), { target: { value: "Om arbeidstid" } });
    fireEvent.click(screen.getByTestId("daily-log-save"));
    await waitFor(() => expect(onSaved).toHaveBeenCalledWith(true));
    expect(callsOf(calls, "log_observation")).toEqual([
      {
        placementId: "p1",
        input: {
          date: todayIso(),
          attendance: "present",
          hours: 6.5,
          tasksDone: "",
          wentWell: "Pakket varer",
          problem: "",
          wantsContact: true,
          contactMessage: "Om arbeidstid",
        },
      },
    ]);
    expect(callsOf(calls, "clear_draft")).toEqual([{ key: "draft.daily-log.p1" }]);
  });
});
