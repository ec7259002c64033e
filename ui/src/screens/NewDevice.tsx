import { ArrowLeftIcon, LaptopIcon } from "@navikt/aksel-icons";
import { Alert, BodyLong, Button, Link, VStack } from "@navikt/ds-react";
import { useTranslation } from "react-i18next";
import { inviteNewDevice } from "../api";
import { PageTitle } from "../components/PageTitle";
import { formatTime } from "../format";
import { useCodeRequest } from "../hooks/useCodeRequest";
import { href } from "../hooks/useRoute";
import { currentLanguage } from "../i18n";
import { PairingPanel } from "./placement/PairingPanel";

/**
 * «Koble til en ny enhet»: one short code brings every placement the adviser follows, her own
 * notes included, onto her new laptop or phone (a device pairing). The code lives an hour and
 * needs the relay on both devices; it is kept in memory only.
 */
export function NewDevice() {
  const { t } = useTranslation();
  const language = currentLanguage();
  const {
    result: pairing,
    busy,
    error,
    start,
  } = useCodeRequest(inviteNewDevice, (message) => t("newDevice.failed", { message }));

  return (
    <VStack gap="space-24" paddingBlock="space-32" className="form-narrow" data-testid="new-device">
      <Link href={href({ name: "list" })} data-testid="back-to-list">
        <ArrowLeftIcon aria-hidden />
        {t("overview.back")}
      </Link>
      <PageTitle>{t("newDevice.heading")}</PageTitle>
      <BodyLong>{t("newDevice.intro")}</BodyLong>
      {error && (
        <Alert variant="error" data-testid="new-device-error">
          {error}
        </Alert>
      )}
      <div>
        <Button
          variant={pairing ? "secondary" : "primary"}
          icon={<LaptopIcon aria-hidden />}
          loading={busy}
          onClick={start}
          data-testid="new-device-start"
        >
          {pairing ? t("newDevice.again") : t("newDevice.start")}
        </Button>
      </div>
      {pairing && (
        <PairingPanel
          key={pairing.code.shortCode}
          pairing={pairing.code}
          heading={t("newDevice.panelHeading", { count: pairing.placements })}
          how={t("newDevice.how")}
          expires={t("newDevice.expires", { time: formatTime(pairing.code.expiresAtMs, language) })}
          notRegistered={t("newDevice.notRegistered")}
        />
      )}
    </VStack>
  );
}
