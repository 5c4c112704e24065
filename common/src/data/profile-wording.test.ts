import { describe, it, expect } from "vitest";
import { capitalizeFirst, indefiniteArticle, joinWithAnd, withArticle } from "./profile-wording.ts";

describe("indefiniteArticle", () => {
  it.each([
    ["engineer", "an"],
    ["technician", "a"],
    ["administrator", "an"],
    ["executive", "an"],
    ["university student", "a"],
    ["hour", "an"],
    ["writer", "a"],
  ])("%s takes %s", (word, article) => {
    expect(indefiniteArticle(word)).toBe(article);
  });

  it.each([
    ["24", "a"],
    ["8", "an"],
    ["11", "an"],
    ["18", "an"],
    ["80", "an"],
    ["81-year-old", "an"],
    ["110", "a"],
    ["7", "a"],
    ["19", "a"],
  ])("number %s takes %s", (word, article) => {
    expect(indefiniteArticle(word)).toBe(article);
  });
});

describe("text helpers", () => {
  it("adds the article, capitalises and joins", () => {
    expect(withArticle("engineer")).toBe("an engineer");
    expect(capitalizeFirst("an 18-year-old")).toBe("An 18-year-old");
    expect(joinWithAnd([])).toBe("");
    expect(joinWithAnd(["horror"])).toBe("horror");
    expect(joinWithAnd(["horror", "romance"])).toBe("horror and romance");
    expect(joinWithAnd(["a", "b", "c"])).toBe("a, b and c");
  });
});
