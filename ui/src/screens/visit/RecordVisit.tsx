import { ArrowLeftIcon } from "@navikt/aksel-icons";
import { Link } from "@navikt/ds-react";
import { useCallback } from "react";
import { useTranslation } from "react-i18next";
import { getVisit, placementOverview } from "../../api";
import { useLoad } from "../../hooks/useLoad";
import { href } from "../../hooks/useRoute";
import { PlacementLoading } from "../placement/PlacementLoading";
import { VisitForm } from "./VisitForm";

interface Props {
  placementId: string;
  /** The visit this form corrects (a correction is a new, linked entry). */
  corrects?: string;
}

/** The adviser records a follow-up visit on site: made to be filled in within two minutes. */
export function RecordVisit({ placementId, corrects }: Props) {
  const { t } = useTranslation();
  // A correction starts from the visit itself, fetched alone: it may be older than the
  // overview's timeline reaches.
  const load = useCallback(async () => {
    const [overview, original] = await Promise.all([
      placementOverview(placementId),
      corrects ? getVisit(placementId, corrects) : Promise.resolve(undefined),
    ]);
    return { overview, original };
  }, [placementId, corrects]);
  const loaded = useLoad(load);
  const back = (
    <Link href={href({ name: "placement", id: placementId })} data-testid="back-to-overview">
      <ArrowLeftIcon aria-hidden />
      {t("visit.back")}
    </Link>
  );

  if (!loaded.data) return <PlacementLoading back={back} overview={loaded} />;
  return <VisitForm overview={loaded.data.overview} original={loaded.data.original} back={back} />;
}
