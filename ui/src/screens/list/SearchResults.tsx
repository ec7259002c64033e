import { BodyShort, Detail, LinkCard, VStack } from "@navikt/ds-react";
import { useCallback } from "react";
import { useTranslation } from "react-i18next";
import { searchPlacements } from "../../api";
import type { SearchHit } from "../../bindings/SearchHit";
import { codeLabel } from "../../codes";
import { LoadError } from "../../components/LoadError";
import { Snippet } from "../../components/Snippet";
import { useLoad } from "../../hooks/useLoad";
import { href } from "../../hooks/useRoute";

/** What the search found across every placement, with the matches marked. */
export function SearchResults({ query, refresh }: { query: string; refresh: unknown }) {
  const { t } = useTranslation();
  const load = useCallback(() => searchPlacements(query), [query]);
  const hits = useLoad(load, refresh);

  if (hits.error && !hits.loading) return <LoadError error={hits.error} onRetry={hits.reload} />;
  // While the next answer is on its way, keep the last hits on screen (no flicker while typing).
  const data: SearchHit[] | undefined = hits.data;
  return (
    <VStack gap="space-12" data-testid="search-results" aria-busy={hits.loading}>
      <BodyShort role="status" textColor="subtle" data-testid="search-count">
        {hits.loading && !data
          ? t("search.searching")
          : data && data.length > 0
            ? t("search.hits", { count: data.length })
            : t("search.none", { query })}
      </BodyShort>
      {data && data.length > 0 && (
        <ul className="plain-list">
          {data.map((hit) => (
            <li key={`${hit.placementId}:${hit.recordId}`}>
              <LinkCard size="small" data-testid="search-hit" data-placement-id={hit.placementId}>
                <LinkCard.Title as="h2">
                  <LinkCard.Anchor href={href({ name: "placement", id: hit.placementId, record: hit.recordId })}>
                    {hit.candidateName}
                  </LinkCard.Anchor>
                </LinkCard.Title>
                <LinkCard.Description>
                  <Detail weight="semibold">{codeLabel(t, "kind", hit.kind)}</Detail>
                  <BodyShort className="pre-line">
                    <Snippet text={hit.snippet} />
                  </BodyShort>
                </LinkCard.Description>
              </LinkCard>
            </li>
          ))}
        </ul>
      )}
    </VStack>
  );
}
