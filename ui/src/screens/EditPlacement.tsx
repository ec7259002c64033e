import { Loader, VStack } from "@navikt/ds-react";
import { useCallback } from "react";
import { useTranslation } from "react-i18next";
import { recordValues } from "../api";
import { LoadError } from "../components/LoadError";
import { useLoad } from "../hooks/useLoad";
import { PlacementForm } from "./NewPlacement";

/** The adviser changes the placement's facts: the same form as a new placement, filled in. */
export function EditPlacement({ id }: { id: string }) {
  const { t } = useTranslation();
  const load = useCallback(() => recordValues(id, null), [id]);
  const { data, error, reload } = useLoad(load);
  if (error) {
    return (
      <VStack paddingBlock="space-32">
        <LoadError error={error} onRetry={reload} />
      </VStack>
    );
  }
  if (data?.kind !== "placement") {
    return (
      <VStack paddingBlock="space-32">
        <Loader title={t("app.loading")} />
      </VStack>
    );
  }
  return <PlacementForm editing={{ id, values: data }} />;
}
