import { render } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Snippet, snippetParts } from "./Snippet";

describe("snippetParts", () => {
  it("splits a snippet at the store's [match] marks", () => {
    expect(snippetParts("fikk [truck]sertifikat i [uke] 3")).toEqual([
      { text: "fikk ", match: false },
      { text: "truck", match: true },
      { text: "sertifikat i ", match: false },
      { text: "uke", match: true },
      { text: " 3", match: false },
    ]);
    expect(snippetParts("ingen treff")).toEqual([{ text: "ingen treff", match: false }]);
  });
});

describe("Snippet", () => {
  it("marks the matches, as text (no HTML from the snippet)", () => {
    const { container } = render(<Snippet text="<b>[truck]</b>" />);
    expect([...container.querySelectorAll("mark")].map((m) => m.textContent)).toEqual(["truck"]);
    expect(container.querySelector("b")).toBeNull();
    expect(container.textContent).toBe("<b>truck</b>");
  });
});
