import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { PageBoundary } from "./PageBoundary";

describe("PageBoundary", () => {
  it("shows a page's failure on that page and leaves the rest of the window, then tries again", async () => {
    let fail = true;
    function Page() {
      if (fail) throw new Error("RangeError: invalid language tag: C");
      return <p>Analytics figures</p>;
    }
    const quiet = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      render(
        <>
          <nav>Sidebar</nav>
          <PageBoundary name="Analytics">
            <Page />
          </PageBoundary>
        </>,
      );
      expect(screen.getByTestId("page-error"), "the page says what went wrong").toHaveTextContent("The Analytics page could not be shown. RangeError: invalid language tag: C");
      expect(screen.getByText("Sidebar"), "the rest of the window stays").toBeInTheDocument();
      fail = false;
      await userEvent.click(screen.getByRole("button", { name: "Try again" }));
      expect(screen.getByText("Analytics figures"), "the page renders again once it can").toBeInTheDocument();
    } finally {
      quiet.mockRestore();
    }
  });
});
