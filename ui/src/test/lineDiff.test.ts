import { describe, expect, it } from "vitest";
import { lineDiff, splitLines } from "../lib/lineDiff";

const show = (d: ReturnType<typeof lineDiff>) => d.map((l) => (l.kind === "same" ? "  " : l.kind === "removed" ? "- " : "+ ") + l.text);

describe("lineDiff", () => {
  it("keeps the longest run of common lines and marks the rest", () => {
    expect(show(lineDiff("a\nb\nc\nd\n", "a\nc\nd\ne\n"))).toEqual(["  a", "- b", "  c", "  d", "+ e"]);
  });

  it("says nothing changed for equal outputs, and all changed for disjoint ones", () => {
    expect(lineDiff("x\ny\n", "x\ny").every((l) => l.kind === "same")).toBe(true);
    expect(show(lineDiff("x\n", "y\n"))).toEqual(["- x", "+ y"]);
    expect(show(lineDiff("", "only\n"))).toEqual(["+ only"]);
  });

  it("matches lines in the middle, not only at the ends", () => {
    const a = ["start", "load 0.1", "disk ok", "mem ok", "end"].join("\n");
    const b = ["start", "load 0.9", "disk ok", "swap used", "mem ok", "end"].join("\n");
    expect(show(lineDiff(a, b))).toEqual(["  start", "- load 0.1", "+ load 0.9", "  disk ok", "+ swap used", "  mem ok", "  end"]);
  });

  it("splits on both line endings, without a last empty line", () => {
    expect(splitLines("a\r\nb\n")).toEqual(["a", "b"]);
    expect(splitLines("")).toEqual([]);
  });
});
