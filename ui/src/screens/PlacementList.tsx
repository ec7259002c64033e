import { LinkIcon, PlusIcon } from "@navikt/aksel-icons";
import {
  BodyLong,
  BodyShort,
  Box,
  Button,
  Detail,
  Heading,
  HStack,
  LinkCard,
  Loader,
  Search,
  Tag,
  VStack,
} from "@navikt/ds-react";
import { useCallback, useState } from "react";
import { useTranslation } from "react-i18next";
import { listPlacements, searchPlacements } from "../api";
import type { PlacementSummary } from "../bindings/PlacementSummary";
import type { Role } from "../bindings/Role";
import type { SearchHit } from "../bindings/SearchHit";
import { codeLabel, statusColor } from "../codes";
import { LoadError } from "../components/LoadError";
import { PageTitle } from "../components/PageTitle";
import { Snippet } from "../components/Snippet";
import { formatDate } from "../format";
import { currentLanguage } from "../i18n";
import { useDebounced } from "../hooks/useDebounced";
import { useLoad } from "../hooks/useLoad";
import { usePaintMark } from "../hooks/usePaintMark";
import { href } from "../hooks/useRoute";
import { useSyncRevision } from "../sync";

const SEARCH_DEBOUNCE_MS = 150;

/** The start screen: every placement on this device, with search. */
/** Cards drawn at first; the search finds the rest at once (500 cards made start and memory heavy). */
const LIST_PAGE = 60;

export function PlacementList({ role }: { role: Role | null }) {
  const { t } = useTranslation();
  const dataVersion = useSyncRevision();
  const [query, setQuery] = useState("");
  const [shown, setShown] = useState(LIST_PAGE);
  const searched = useDebounced(query.trim(), SEARCH_DEBOUNCE_MS);

  const placements = useLoad(listPlacements, dataVersion);
  usePaintMark("painted:placement-list", placements.data !== undefined);
  // An empty list shows "join" prominently in its empty state instead of in the header.
  const showEmpty = !searched && placements.data?.length === 0;

  return (
    <VStack gap="space-24" paddingBlock="space-32">
      <HStack gap="space-16" justify="space-between" align="center" wrap>
        <VStack gap="space-4">
          <PageTitle testId="placement-list-heading">{t("list.heading")}</PageTitle>
          {placements.data && (
            <BodyShort textColor="subtle" data-testid="placement-count">
              {t("list.count", { count: placements.data.length })}
            </BodyShort>
          )}
        </VStack>
        {role === "adviser" && (
          <Button
            as="a"
            href={href({ name: "new" })}
            icon={<PlusIcon aria-hidden />}
            data-testid="new-placement"
          >
            {t("list.new")}
          </Button>
        )}
        {role === "employer" && !showEmpty && <JoinButton variant="secondary" />}
      </HStack>

      <form role="search" onSubmit={(e) => e.preventDefault()}>
        <Search
          label={t("search.label")}
          hideLabel={false}
          description={t("search.description")}
          variant="simple"
          clearButtonLabel={t("search.clear")}
          value={query}
          onChange={setQuery}
          onClear={() => setQuery("")}
          autoComplete="off"
          data-testid="placement-search"
        />
      </form>

      {searched ? (
        <SearchResults query={searched} refresh={dataVersion} />
      ) : placements.error && !placements.data ? (
        <LoadError error={placements.error} onRetry={placements.reload} />
      ) : !placements.data ? (
        <Loader size="large" title={t("app.loading")} />
      ) : placements.data.length === 0 ? (
        <EmptyState role={role} />
      ) : (
        <VStack gap="space-16" align="start">
          <ul className="plain-list full-width" aria-labelledby="placement-list-heading" data-testid="placement-list">
            {placements.data.slice(0, shown).map((p) => (
              <li key={p.id}>
                <PlacementCard placement={p} />
              </li>
            ))}
          </ul>
          {placements.data.length > shown && (
            <Button
              variant="secondary"
              size="small"
              onClick={() => setShown((n) => n + 4 * LIST_PAGE)}
              data-testid="list-more"
            >
              {t("list.more", { count: placements.data.length - shown })}
            </Button>
          )}
        </VStack>
      )}
    </VStack>
  );
}

function EmptyState({ role }: { role: Role | null }) {
  const { t } = useTranslation();
  return (
    <Box
      padding="space-24"
      background="raised"
      borderRadius="12"
      borderWidth="1"
      borderColor="neutral-subtle"
      data-testid="placement-list-empty"
    >
      <VStack gap="space-8">
        <Heading level="2" size="small">
          {t("list.emptyHeading")}
        </Heading>
        <BodyLong>{role === "adviser" ? t("list.emptyAdviser") : t("list.emptyEmployer")}</BodyLong>
        {role === "employer" && (
          <div>
            <JoinButton variant="primary" />
          </div>
        )}
      </VStack>
    </Box>
  );
}

/** The employer's way in: a code from the adviser connects this device to a placement. */
function JoinButton({ variant }: { variant: "primary" | "secondary" }) {
  const { t } = useTranslation();
  return (
    <Button
      as="a"
      href={href({ name: "join" })}
      variant={variant}
      icon={<LinkIcon aria-hidden />}
      data-testid="join-placement"
    >
      {t("list.join")}
    </Button>
  );
}

function PlacementCard({ placement: p }: { placement: PlacementSummary }) {
  const { t } = useTranslation();
  const language = currentLanguage();
  const period = p.endDate
    ? t("period.range", { start: formatDate(p.startDate, language), end: formatDate(p.endDate, language) })
    : t("period.from", { start: formatDate(p.startDate, language) });

  return (
    <LinkCard data-testid="placement-row" data-placement-id={p.id}>
      <LinkCard.Title as="h2">
        <LinkCard.Anchor href={href({ name: "placement", id: p.id })} data-testid="placement-link">
          {p.candidateName}
        </LinkCard.Anchor>
      </LinkCard.Title>
      <LinkCard.Description>
        <BodyShort>
          {p.employerName} · {codeLabel(t, "measure", p.measure)}
        </BodyShort>
        <dl className="facts card-facts">
          <div>
            <dt>{t("list.period")}</dt>
            <dd>{period}</dd>
          </div>
          <div>
            <dt>{t("list.nextVisit")}</dt>
            <dd data-testid="placement-next-visit">
              {p.nextVisit ? formatDate(p.nextVisit, language) : t("list.noNextVisit")}
            </dd>
          </div>
          <div>
            <dt>{t("list.lastLog")}</dt>
            <dd data-testid="placement-last-log">
              {p.lastObservation ? formatDate(p.lastObservation, language) : t("list.noLog")}
            </dd>
          </div>
        </dl>
      </LinkCard.Description>
      <LinkCard.Footer>
        <HStack gap="space-8" wrap>
          <Tag size="small" variant="moderate" data-color={statusColor(p.status)} data-testid="placement-status">
            {codeLabel(t, "status", p.status)}
          </Tag>
          {p.openRequests > 0 && (
            <Tag size="small" variant="strong" data-color="warning" data-testid="placement-open-requests">
              {t("list.openRequests", { count: p.openRequests })}
            </Tag>
          )}
          {p.overdueActions > 0 && (
            <Tag size="small" variant="strong" data-color="danger" data-testid="placement-overdue-actions">
              {t("list.overdueActions", { count: p.overdueActions })}
            </Tag>
          )}
        </HStack>
      </LinkCard.Footer>
    </LinkCard>
  );
}

function SearchResults({ query, refresh }: { query: string; refresh: unknown }) {
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
                  <LinkCard.Anchor href={href({ name: "placement", id: hit.placementId })}>
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
