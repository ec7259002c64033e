//! Turning what a user types into the search box into an FTS5 query.
//!
//! Users type words, not FTS syntax. Each word becomes a quoted prefix term, so punctuation or an
//! FTS operator in the input cannot break the query, and Norwegian compounds are found from their
//! first part ("lager" finds "lagerarbeid").

pub(crate) fn fts_query(input: &str) -> Option<String> {
    let terms: Vec<String> = input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(16)
        .map(|w| format!("\"{}\"*", w.to_lowercase()))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn words_become_prefix_terms_and_syntax_is_neutralised() {
        assert_eq!(
            fts_query("Lager  kasse").as_deref(),
            Some("\"lager\"* \"kasse\"*")
        );
        assert_eq!(
            fts_query("\"NOT\" OR (x*").as_deref(),
            Some("\"not\"* \"or\"* \"x\"*")
        );
        assert_eq!(
            fts_query("blåbær-plukking").as_deref(),
            Some("\"blåbær\"* \"plukking\"*")
        );
        assert_eq!(fts_query("  -- "), None);
    }
}
