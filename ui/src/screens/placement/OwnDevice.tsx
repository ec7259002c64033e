import { LaptopIcon } from "@navikt/aksel-icons";
import { Alert, BodyLong, Button, Heading, HStack, Link, VStack } from "@navikt/ds-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { inviteOwnDevice } from "../../api";
import { useCodeRequest } from "../../hooks/useCodeRequest";
import { href } from "../../hooks/useRoute";
import { PairingPanel } from "./PairingPanel";

/**
 * «Koble til din andre enhet»: the adviser's own laptop or phone gets the placement with her
 * own notes. Two codes, one per document, shown one after the other and taken on the other
 * device the way an employer takes one (it is set up as an adviser's device).
 */
export function OwnDevice({ placementId }: { placementId: string }) {
  const { t } = useTranslation();
  const [step, setStep] = useState(0);
  const {
    result: codes,
    busy,
    error,
    start: request,
  } = useCodeRequest(
    () => inviteOwnDevice(placementId),
    (message) => t("ownDevice.failed", { message }),
  );

  async function start() {
    if (await request()) setStep(0);
  }

  const current = codes?.[step];
  return (
    <VStack as="section" gap="space-16" aria-labelledby="own-device-heading" data-testid="own-device">
      <Heading level="2" size="medium" id="own-device-heading">
        {t("ownDevice.heading")}
      </Heading>
      <BodyLong>{t("ownDevice.intro")}</BodyLong>
      <BodyLong>
        <Link href={href({ name: "newDevice" })} data-testid="own-device-all">
          {t("ownDevice.all")}
        </Link>
      </BodyLong>
      {error && (
        <Alert variant="error" data-testid="own-device-error">
          {error}
        </Alert>
      )}
      <div>
        <Button variant="secondary" icon={<LaptopIcon aria-hidden />} loading={busy} onClick={start} data-testid="own-device-start">
          {codes ? t("ownDevice.again") : t("ownDevice.start")}
        </Button>
      </div>
      {codes && current && (
        <VStack gap="space-12" data-testid="own-device-step" data-step={step + 1}>
          <PairingPanel
            key={current.shortCode}
            pairing={current}
            heading={t("ownDevice.step", { n: step + 1, of: codes.length })}
            how={step === 0 ? t("ownDevice.howShared") : t("ownDevice.howPrivate")}
          />
          <HStack gap="space-12">
            {step + 1 < codes.length ? (
              <Button onClick={() => setStep(step + 1)} data-testid="own-device-next">
                {t("ownDevice.next")}
              </Button>
            ) : (
              <Alert variant="info" size="small" data-testid="own-device-last">
                {t("ownDevice.last")}
              </Alert>
            )}
          </HStack>
        </VStack>
      )}
    </VStack>
  );
}
