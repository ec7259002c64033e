import { Alert, Loader, VStack } from "@navikt/ds-react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { Loaded } from "../../hooks/useLoad";
import { LoadError } from "../../components/LoadError";

/** A placement screen before its overview is there: loading, not found, or failed (with retry). */
export function PlacementLoading({ back, overview }: { back: ReactNode; overview: Loaded<unknown> }) {
  const { t } = useTranslation();
  return (
    <VStack gap="space-24" paddingBlock="space-32">
      {back}
      {overview.error ? (
        overview.error.kind === "unknown_placement" ? (
          <Alert variant="warning">{t("overview.notFound")}</Alert>
        ) : (
          <LoadError error={overview.error} onRetry={overview.reload} />
        )
      ) : (
        <Loader size="large" title={t("app.loading")} />
      )}
    </VStack>
  );
}
