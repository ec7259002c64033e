import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { DraftRestored } from "./DraftRestored";
import { FormErrorSummary } from "./FormErrorSummary";

const errors = [{ id: "f-name", message: "Skriv et navn." }];

describe("FormErrorSummary", () => {
  it("shows nothing before a submit, nor after one without errors", () => {
    const { rerender } = render(<FormErrorSummary errors={errors} attempt={0} />);
    expect(screen.queryByTestId("error-summary")).toBeNull();
    rerender(<FormErrorSummary errors={[]} attempt={1} />);
    expect(screen.queryByTestId("error-summary")).toBeNull();
  });

  it("takes focus after each submit with errors", () => {
    const { rerender } = render(<FormErrorSummary errors={errors} attempt={1} />);
    const summary = screen.getByTestId("error-summary");
    expect(summary.contains(document.activeElement)).toBe(true);
    (document.activeElement as HTMLElement).blur();
    rerender(<FormErrorSummary errors={errors} attempt={2} />);
    expect(summary.contains(document.activeElement)).toBe(true);
  });
});

describe("DraftRestored", () => {
  it("says a draft was restored and throws it away on request", () => {
    const onDiscard = vi.fn();
    render(<DraftRestored onDiscard={onDiscard} testId="x-draft-restored" />);
    expect(screen.getByTestId("x-draft-restored").textContent).toContain("Vi fant et utkast");
    fireEvent.click(screen.getByRole("button", { name: "Tøm skjemaet" }));
    expect(onDiscard).toHaveBeenCalledOnce();
  });

  it("keeps the test id the window tests look for by default", () => {
    render(<DraftRestored onDiscard={vi.fn()} />);
    expect(screen.getByTestId("draft-restored")).toBeTruthy();
  });
});
