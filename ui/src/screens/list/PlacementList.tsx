import { LaptopIcon, PlusIcon } from "@navikt/aksel-icons";
import { BodyShort, Button, HStack, Loader, Search, VStack } from "@navikt/ds-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { listPlacements } from "../../api";
import type { Role } from "../../bindings/Role";
import { LoadError } from "../../components/LoadError";
import { PageTitle } from "../../components/PageTitle";
import { useDebounced } from "../../hooks/useDebounced";
import { useLoad } from "../../hooks/useLoad";
import { usePaintMark } from "../../hooks/usePaintMark";
import { href } from "../../hooks/useRoute";
import { useSyncRevision } from "../../sync";
import { EmptyState } from "./EmptyState";
import { JoinButton } from "./JoinButton";
import { PlacementCard } from "./PlacementCard";
import { SearchResults } from "./SearchResults";
import { Today } from "./Today";

const SEARCH_DEBOUNCE_MS = 150;

/** Cards drawn at first; the search finds the rest at once (500 cards made start and memory heavy). */
const LIST_PAGE = 60;

/** The start screen: every placement on this device, with search. */
export function PlacementList({ role, initialQuery }: { role: Role | null; initialQuery?: string }) {
  const { t } = useTranslation();
  const dataVersion = useSyncRevision();
  const [query, setQuery] = useState(initialQuery ?? "");
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
          <HStack gap="space-12" wrap>
            <Button
              as="a"
              href={href({ name: "new" })}
              icon={<PlusIcon aria-hidden />}
              data-testid="new-placement"
            >
              {t("list.new")}
            </Button>
            {showEmpty ? null : (
              <Button
                as="a"
                variant="tertiary"
                href={href({ name: "newDevice" })}
                icon={<LaptopIcon aria-hidden />}
                data-testid="new-device-link"
              >
                {t("list.newDevice")}
              </Button>
            )}
          </HStack>
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
          <Today placements={placements.data} role={role} />
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
