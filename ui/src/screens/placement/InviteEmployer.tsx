import { QrCodeIcon } from "@navikt/aksel-icons";
import { Alert, BodyLong, Button, Heading, VStack } from "@navikt/ds-react";
import { useTranslation } from "react-i18next";
import { inviteEmployer } from "../../api";
import { useCodeRequest } from "../../hooks/useCodeRequest";
import { PairingPanel } from "./PairingPanel";

/** The adviser's "Koble til arbeidsgiver": makes an invitation and shows it three ways. */
export function InviteEmployer({ placementId }: { placementId: string }) {
  const { t } = useTranslation();
  const {
    result: pairing,
    busy,
    error,
    start: invite,
  } = useCodeRequest(
    () => inviteEmployer(placementId),
    (message) => t("pairing.failed", { message }),
  );

  return (
    <VStack as="section" gap="space-16" aria-labelledby="invite-heading" data-testid="invite-section">
      <Heading level="2" size="medium" id="invite-heading">
        {t("pairing.heading")}
      </Heading>
      <BodyLong>{t("pairing.intro")}</BodyLong>
      {error && (
        <Alert variant="error" data-testid="invite-error">
          {error}
        </Alert>
      )}
      <div>
        <Button
          variant={pairing ? "secondary" : "primary"}
          icon={<QrCodeIcon aria-hidden />}
          loading={busy}
          onClick={invite}
          data-testid="invite-employer"
        >
          {pairing ? t("pairing.inviteAgain") : t("pairing.invite")}
        </Button>
      </div>
      {/* A new code is a new panel: focus moves to its heading again. */}
      {pairing && <PairingPanel key={pairing.shortCode} pairing={pairing} />}
    </VStack>
  );
}
