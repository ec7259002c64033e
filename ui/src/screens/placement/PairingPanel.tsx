import {
  Alert,
  BodyLong,
  BodyShort,
  Box,
  CopyButton,
  Detail,
  Heading,
  HStack,
  Textarea,
  VStack,
} from "@navikt/ds-react";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import type { PairingCode } from "../../bindings/PairingCode";
import { formatDate } from "../../format";
import { currentLanguage } from "../../i18n";

/**
 * A fresh invitation three ways: QR code, short code (with the relay) and full code (offline).
 * `heading` and `how` say whom it is for (the employer's, unless given). A device pairing has no
 * full code (`fullCode` is empty): only the short code and its QR code, and `expires` and
 * `notRegistered` say what holds for it.
 */
export function PairingPanel({
  pairing: p,
  heading: title,
  how,
  expires,
  notRegistered,
}: {
  pairing: PairingCode;
  heading?: string;
  how?: string;
  expires?: string;
  notRegistered?: string;
}) {
  const { t } = useTranslation();
  const language = currentLanguage();
  const heading = useRef<HTMLHeadingElement>(null);
  // Screen readers hear the code panel at once; sighted users see it where they clicked.
  useEffect(() => {
    heading.current?.focus();
  }, []);
  const holdsFull = p.qrHolds === "full";
  const frame = p.qrSize + 8;

  return (
    <Box
      padding={{ xs: "space-16", md: "space-24" }}
      background="raised"
      borderRadius="12"
      borderWidth="1"
      borderColor="neutral-subtle"
      data-testid="pairing-panel"
    >
      <VStack gap="space-20">
        <VStack gap="space-8">
          <Heading level="3" size="small" ref={heading} tabIndex={-1}>
            {title ?? t("pairing.panelHeading")}
          </Heading>
          <BodyLong>{how ?? t("pairing.how")}</BodyLong>
        </VStack>
        {!p.registered && (
          <Alert variant="info" size="small" data-testid="pairing-not-registered">
            {notRegistered ?? t("pairing.notRegistered")}
          </Alert>
        )}
        <HStack gap="space-24" align="start" wrap>
          <VStack gap="space-8" className="pairing-qr-wrap">
            {/* Drawn from the path the Rust side made: no innerHTML, no data: URI (the CSP). */}
            <svg
              className="pairing-qr"
              viewBox={`-4 -4 ${frame} ${frame}`}
              role="img"
              aria-label={holdsFull ? t("pairing.qrFull") : t("pairing.qrShort")}
              shapeRendering="crispEdges"
              data-testid="pairing-qr"
            >
              <rect x={-4} y={-4} width={frame} height={frame} fill="#fff" />
              <path d={p.qrPath} fill="#000" />
            </svg>
            <Detail textColor="subtle">{holdsFull ? t("pairing.qrHelpFull") : t("pairing.qrHelpShort")}</Detail>
          </VStack>
          <VStack gap="space-20" className="pairing-codes">
            <VStack gap="space-4">
              <BodyShort weight="semibold">
                {t("pairing.shortCode")}
              </BodyShort>
              <BodyShort size="small" textColor="subtle">
                {t("pairing.shortCodeHelp")}
              </BodyShort>
              <HStack gap="space-8" align="center" wrap>
                <span className="pairing-short-code" data-testid="pairing-short-code">
                  {p.shortCode}
                </span>
                <CopyButton
                  size="small"
                  copyText={p.shortCode}
                  text={t("pairing.copyShort")}
                  activeText={t("pairing.copied")}
                  data-testid="pairing-copy-short"
                />
              </HStack>
            </VStack>
            {p.fullCode && (
            <VStack gap="space-8">
              <Textarea
                label={t("pairing.fullCode")}
                description={t("pairing.fullCodeHelp")}
                readOnly
                minRows={3}
                maxRows={6}
                value={p.fullCode}
                onFocus={(e) => e.currentTarget.select()}
                spellCheck={false}
                className="code-input"
                data-testid="pairing-full-code"
              />
              <div>
                <CopyButton
                  size="small"
                  copyText={p.fullCode}
                  text={t("pairing.copyFull")}
                  activeText={t("pairing.copied")}
                  data-testid="pairing-copy-full"
                />
              </div>
            </VStack>
            )}
            <BodyShort data-testid="pairing-expires">
              {expires ?? t("pairing.expires", { date: formatDate(new Date(p.expiresAtMs).toISOString(), language) })}
            </BodyShort>
          </VStack>
        </HStack>
      </VStack>
    </Box>
  );
}
