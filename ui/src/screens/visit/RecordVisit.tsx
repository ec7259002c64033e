import { ArrowLeftIcon } from "@navikt/aksel-icons";
import { Link } from "@navikt/ds-react";
import { useCallback } from "react";
import { useTranslation } from "react-i18next";
import { placementOverview } from "../../api";
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
  const load = useCallback(() => placementOverview(placementId), [placementId]);
  const overview = useLoad(load);
  const back = (
    <Link href={href({ name: "placement", id: placementId })} data-testid="back-to-overview">
      <ArrowLeftIcon aria-hidden />
      {t("visit.back")}
    </Link>
  );

  if (!overview.data) return <PlacementLoading back={back} overview={overview} />;
  return <VisitForm overview={overview.data} corrects={corrects} back={back} />;
}
