import { Box, Heading, VStack } from "@navikt/ds-react";
import { useId, type ReactNode } from "react";

/** A highlighted, titled list of what waits for the user («I dag», «Dette trenger du å gjøre»). */
export function WaitingList({
  heading,
  testId,
  className,
  children,
}: {
  heading: string;
  testId: string;
  className?: string;
  /** The `<li>` items. */
  children: ReactNode;
}) {
  const headingId = useId();
  return (
    <Box
      as="section"
      padding="space-16"
      background="warning-soft"
      borderRadius="12"
      aria-labelledby={headingId}
      className={className}
      data-testid={testId}
    >
      <VStack gap="space-8">
        <Heading level="2" size="small" id={headingId}>
          {heading}
        </Heading>
        <ul className="needs-action">{children}</ul>
      </VStack>
    </Box>
  );
}
