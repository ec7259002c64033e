//! The app's command list is declared once, in `src-tauri/build.rs` (`COMMANDS`, which gives each
//! command its permission), and must be the same set in every other place that names commands:
//! the shell's `generate_handler!`, the window's capability, the UI's `api.ts` and the browser
//! preview's `dev/mockBackend.ts`. `cargo xtask lint` fails on a drift and says where.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, Result, bail};

fn read(root: &Path, path: &str) -> Result<String> {
    std::fs::read_to_string(root.join(path)).with_context(|| format!("reading {path}"))
}

/// The string literals of `const COMMANDS: &[&str] = &[…]` in `build.rs`.
fn declared(source: &str) -> Result<Vec<String>> {
    let file = syn::parse_file(source).context("parsing src-tauri/build.rs")?;
    for item in file.items {
        if let syn::Item::Const(c) = item
            && c.ident == "COMMANDS"
        {
            let mut expr = &*c.expr;
            if let syn::Expr::Reference(r) = expr {
                expr = &r.expr;
            }
            let syn::Expr::Array(array) = expr else {
                bail!("COMMANDS in src-tauri/build.rs is not an array literal");
            };
            return array
                .elems
                .iter()
                .map(|e| match e {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }) => Ok(s.value()),
                    _ => bail!("COMMANDS in src-tauri/build.rs holds something not a string"),
                })
                .collect();
        }
    }
    bail!("src-tauri/build.rs declares no COMMANDS")
}

/// The last path segment of each entry of `generate_handler![…]`.
fn handled(source: &str) -> Result<BTreeSet<String>> {
    let start = source
        .find("generate_handler![")
        .context("src-tauri/src/lib.rs has no generate_handler!")?;
    let rest = &source[start + "generate_handler![".len()..];
    let end = rest.find(']').context("generate_handler! is not closed")?;
    Ok(rest[..end]
        .split(',')
        .filter_map(|p| p.trim().rsplit("::").next())
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect())
}

/// The app's own `allow-…` permissions in a capability file, as command names.
fn allowed(capability: &str) -> BTreeSet<String> {
    capability
        .split('"')
        .filter_map(|s| s.strip_prefix("allow-"))
        .map(|s| s.replace('-', "_"))
        .collect()
}

/// The first string argument of every `call(…)` / `call<T>(…)` in `api.ts`.
fn called(source: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in source.match_indices("call") {
        // `call` itself, not a longer word that ends in it.
        if source[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            continue;
        }
        let after = &source[at + 4..];
        let Some(open) = after.find('(') else {
            continue;
        };
        let head = &after[..open];
        if !(head.is_empty() || (head.starts_with('<') && head.ends_with('>'))) {
            continue;
        }
        let args = after[open + 1..].trim_start();
        if let Some(quoted) = args.strip_prefix('"')
            && let Some(end) = quoted.find('"')
        {
            found.insert(quoted[..end].to_owned());
        }
    }
    found
}

/// Every `case "…":` label in the preview backend.
fn mocked(source: &str) -> BTreeSet<String> {
    source
        .split("case \"")
        .skip(1)
        .filter_map(|s| s.split_once("\":").map(|(name, _)| name.to_owned()))
        .collect()
}

fn compare(place: &str, declared: &BTreeSet<String>, found: &BTreeSet<String>) -> Vec<String> {
    let mut problems = Vec::new();
    for missing in declared.difference(found) {
        problems.push(format!("{place} lacks `{missing}`"));
    }
    for extra in found.difference(declared) {
        problems.push(format!(
            "{place} has `{extra}`, which src-tauri/build.rs does not declare"
        ));
    }
    problems
}

pub fn check_command_list(root: &Path) -> Result<()> {
    let list = declared(&read(root, "src-tauri/build.rs")?)?;
    let set: BTreeSet<String> = list.iter().cloned().collect();
    if set.len() != list.len() {
        bail!("src-tauri/build.rs declares a command twice");
    }
    let mut problems = Vec::new();
    problems.extend(compare(
        "src-tauri/src/lib.rs (generate_handler!)",
        &set,
        &handled(&read(root, "src-tauri/src/lib.rs")?)?,
    ));
    problems.extend(compare(
        "src-tauri/capabilities/main.json",
        &set,
        &allowed(&read(root, "src-tauri/capabilities/main.json")?),
    ));
    problems.extend(compare(
        "ui/src/api.ts",
        &set,
        &called(&read(root, "ui/src/api.ts")?),
    ));
    problems.extend(compare(
        "ui/src/dev/mockBackend.ts",
        &set,
        &mocked(&read(root, "ui/src/dev/mockBackend.ts")?),
    ));
    if !problems.is_empty() {
        bail!(
            "the command list has drifted from src-tauri/build.rs:\n  {}",
            problems.join("\n  ")
        );
    }
    eprintln!(
        "xtask: {} commands, the same in the shell, its capability, api.ts and the preview",
        set.len()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_place_and_names_a_drift() {
        let build = r#"const COMMANDS: &[&str] = &["app_state", "add_note"]; fn main() {}"#;
        let list: BTreeSet<String> = declared(build).unwrap().into_iter().collect();
        let lib = "tauri::generate_handler![\n commands::device::app_state,\n commands::plan::add_note,\n]";
        assert_eq!(handled(lib).unwrap(), list);
        let cap = r#"["core:event:allow-listen", "allow-app-state", "allow-add-note"]"#;
        assert_eq!(allowed(cap), list);
        let api = r#"export const a = () => call<AppState>("app_state");
            const b = () => call("add_note", { x });
            const recall = () => nocall("other");"#;
        assert_eq!(called(api), list);
        let mock = r#"switch (cmd) { case "app_state": return 1; case "add_note": { } }"#;
        assert_eq!(mocked(mock), list);

        let drifted = called(r#"call("app_state"); call("remove_everything")"#);
        let problems = compare("ui/src/api.ts", &list, &drifted);
        assert_eq!(
            problems,
            [
                "ui/src/api.ts lacks `add_note`",
                "ui/src/api.ts has `remove_everything`, which src-tauri/build.rs does not declare"
            ]
        );
    }
}
