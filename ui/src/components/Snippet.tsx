/** A search snippet's parts; the store marks matches as [word]. */
export function snippetParts(text: string): Array<{ text: string; match: boolean }> {
  return text.split(/\[([^\]]*)\]/).map((part, i) => ({ text: part, match: i % 2 === 1 }));
}

/** A search snippet, its matches marked. */
export function Snippet({ text }: { text: string }) {
  return (
    <>
      {snippetParts(text).map((part, i) =>
        part.match ? (
          <mark key={i} className="search-mark">
            {part.text}
          </mark>
        ) : (
          part.text
        ),
      )}
    </>
  );
}
