//! Which relay addresses a device will talk to. Requests are signed and records sealed, so a
//! network attacker on plain HTTP can read neither, but could see which device syncs when and how
//! much, and answer in the relay's place. So: `https://` everywhere, plain `http://` only to this
//! machine (development and tests). One rule for the app's set-up, the CLI, sharing a document and
//! every invitation a device accepts.

use reqwest::Url;

use crate::SyncError;

/// The address as the device stores and uses it (no trailing slash), or why it is refused.
pub fn relay_address(input: &str) -> Result<String, SyncError> {
    let trimmed = input.trim().trim_end_matches('/');
    let bad = |why: &str| SyncError::BadRelay(format!("{why}: «{trimmed}»"));
    let url = Url::parse(trimmed).map_err(|_| bad("ikke en gyldig adresse"))?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("adressen mangler vertsnavn"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("adressen kan ikke ha brukernavn eller passord"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("adressen kan ikke ha ? eller #"));
    }
    match url.scheme() {
        "https" => Ok(trimmed.to_owned()),
        "http" if is_loopback(&url) => Ok(trimmed.to_owned()),
        "http" => Err(bad(
            "adressen må begynne med https:// (http:// bare på egen maskin)",
        )),
        _ => Err(bad("adressen må begynne med https://")),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_and_plain_http_only_on_this_machine() {
        for ok in [
            "https://relay.nav.no",
            "https://relay.nav.no/folgesvenn/",
            " https://10.0.0.5:8443 ",
            "http://127.0.0.1:8787",
            "http://localhost:8787/",
            "http://[::1]:8787",
        ] {
            let got = relay_address(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert!(!got.ends_with('/') && !got.starts_with(' '), "{got}");
        }
        for bad in [
            "http://relay.nav.no",
            "http://10.0.0.5:8787",
            "http://127.0.0.1.evil.example",
            "ftp://relay.nav.no",
            "relay.nav.no",
            "https://user:pw@relay.nav.no",
            "https://relay.nav.no/?x=1",
            "",
        ] {
            let e = relay_address(bad).unwrap_err();
            assert_eq!(e.kind(), "invalid_relay", "{bad}");
        }
    }
}
