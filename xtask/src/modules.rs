//! The import-circle check: within each crate, no module may depend on itself through others.
//!
//! A module depends on another when its code names something there (a `use`, or a path starting
//! with `crate`, `super`, `self` or a child module's name). A `mod` declaration and a re-export
//! (`pub use`, any visibility) are the module tree, not a dependency: paths through a re-export
//! are followed to the module that defines the item, so `use crate::StoreError` depends on
//! `error`, not on the crate root. Test modules (`#[cfg(test)]`) are left out: they may use
//! anything.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use syn::visit::Visit;

type ModPath = Vec<String>;
type Edges = BTreeMap<ModPath, BTreeMap<ModPath, String>>;

#[derive(Default)]
struct Module {
    file: PathBuf,
    children: BTreeSet<String>,
    /// Re-exported name → the absolute path it names.
    reexports: BTreeMap<String, ModPath>,
    /// Absolute paths this module's code names.
    refs: Vec<ModPath>,
}

struct Crate {
    modules: BTreeMap<ModPath, Module>,
}

fn is_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.parse_args::<syn::Meta>()
                .is_ok_and(|m| m.path().is_ident("test"))
    })
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    use syn::Item::*;
    match item {
        Const(i) => &i.attrs,
        Enum(i) => &i.attrs,
        ExternCrate(i) => &i.attrs,
        Fn(i) => &i.attrs,
        ForeignMod(i) => &i.attrs,
        Impl(i) => &i.attrs,
        Macro(i) => &i.attrs,
        Mod(i) => &i.attrs,
        Static(i) => &i.attrs,
        Struct(i) => &i.attrs,
        Trait(i) => &i.attrs,
        TraitAlias(i) => &i.attrs,
        Type(i) => &i.attrs,
        Union(i) => &i.attrs,
        Use(i) => &i.attrs,
        _ => &[],
    }
}

/// Every (name, path) a use tree brings in; a glob is named `*`.
fn flatten(tree: &syn::UseTree, prefix: &mut ModPath, out: &mut Vec<(String, ModPath)>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            flatten(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let mut full = prefix.clone();
            let name = n.ident.to_string();
            if name != "self" {
                full.push(name.clone());
            }
            let alias = if name == "self" {
                prefix.last().cloned().unwrap_or_default()
            } else {
                name
            };
            out.push((alias, full));
        }
        syn::UseTree::Rename(r) => {
            let mut full = prefix.clone();
            full.push(r.ident.to_string());
            out.push((r.rename.to_string(), full));
        }
        syn::UseTree::Glob(_) => out.push(("*".into(), prefix.clone())),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                flatten(t, prefix, out);
            }
        }
    }
}

/// Collects the crate-relative paths code names, skipping test-only items.
struct Refs<'a> {
    here: &'a ModPath,
    children: &'a BTreeSet<String>,
    out: Vec<ModPath>,
}

impl Refs<'_> {
    fn absolute(&self, segs: &[String]) -> Option<ModPath> {
        let first = segs.first()?;
        match first.as_str() {
            "crate" => Some(segs[1..].to_vec()),
            "self" => Some(self.here.iter().chain(&segs[1..]).cloned().collect()),
            "super" => {
                let mut base = self.here.clone();
                let mut rest = segs;
                while rest.first().is_some_and(|s| s == "super") {
                    base.pop();
                    rest = &rest[1..];
                }
                base.extend(rest.iter().cloned());
                Some(base)
            }
            name if self.children.contains(name) => {
                Some(self.here.iter().chain(segs).cloned().collect())
            }
            _ => None,
        }
    }
}

impl<'ast> Visit<'ast> for Refs<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if is_test(item_attrs(item)) {
            return;
        }
        if let syn::Item::Mod(_) = item {
            return; // its own module
        }
        syn::visit::visit_item(self, item);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !is_test(&f.attrs) {
            syn::visit::visit_impl_item_fn(self, f);
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let mut found = Vec::new();
        flatten(&u.tree, &mut Vec::new(), &mut found);
        for (_, path) in found {
            if let Some(abs) = self.absolute(&path) {
                self.out.push(abs);
            }
        }
    }

    /// `pub(crate)` and `pub(in crate::a)` say who may see an item, not what it uses.
    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}

    fn visit_path(&mut self, p: &'ast syn::Path) {
        let segs: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
        if let Some(abs) = self.absolute(&segs) {
            self.out.push(abs);
        }
        syn::visit::visit_path(self, p);
    }
}

fn load(
    krate: &mut Crate,
    path: ModPath,
    file: &Path,
    items: &[syn::Item],
    dir: &Path,
) -> Result<()> {
    let mut module = Module {
        file: file.to_owned(),
        ..Module::default()
    };
    let mut subs = Vec::new();
    for item in items {
        if is_test(item_attrs(item)) {
            continue;
        }
        match item {
            syn::Item::Mod(m) => {
                let name = m.ident.to_string();
                module.children.insert(name.clone());
                subs.push((name, m));
            }
            syn::Item::Use(u) if !matches!(u.vis, syn::Visibility::Inherited) => {
                let mut found = Vec::new();
                flatten(&u.tree, &mut Vec::new(), &mut found);
                let refs = Refs {
                    here: &path,
                    children: &module.children,
                    out: Vec::new(),
                };
                for (name, target) in found {
                    if let Some(abs) = refs.absolute(&target) {
                        module.reexports.insert(name, abs);
                    }
                }
            }
            _ => {}
        }
    }
    let mut refs = Refs {
        here: &path,
        children: &module.children,
        out: Vec::new(),
    };
    for item in items {
        match item {
            syn::Item::Use(u) if !matches!(u.vis, syn::Visibility::Inherited) => {}
            _ => refs.visit_item(item),
        }
    }
    module.refs = refs.out;
    krate.modules.insert(path.clone(), module);
    for (name, m) in subs {
        let mut child = path.clone();
        child.push(name.clone());
        match &m.content {
            Some((_, inner)) => load(krate, child, file, inner, &dir.join(&name))?,
            None => {
                let flat = dir.join(format!("{name}.rs"));
                let nested = dir.join(&name).join("mod.rs");
                let (f, sub_dir) = if flat.exists() {
                    (flat, dir.join(&name))
                } else if nested.exists() {
                    (nested, dir.join(&name))
                } else {
                    bail!("{}: module {name} has no file", file.display());
                };
                let parsed = syn::parse_file(&fs::read_to_string(&f)?)
                    .with_context(|| format!("parsing {}", f.display()))?;
                load(krate, child, &f, &parsed.items, &sub_dir)?;
            }
        }
    }
    Ok(())
}

impl Crate {
    fn parse(root: &Path) -> Result<Crate> {
        let parsed = syn::parse_file(&fs::read_to_string(root)?)
            .with_context(|| format!("parsing {}", root.display()))?;
        let mut krate = Crate {
            modules: BTreeMap::new(),
        };
        let dir = root.parent().context("a crate root has a directory")?;
        load(&mut krate, Vec::new(), root, &parsed.items, dir)?;
        Ok(krate)
    }

    /// The module that defines what `path` names, following re-exports.
    fn resolve(&self, path: &[String], depth: usize) -> ModPath {
        let mut cur: ModPath = Vec::new();
        for (i, seg) in path.iter().enumerate() {
            let Some(m) = self.modules.get(&cur) else {
                break;
            };
            if m.children.contains(seg) {
                cur.push(seg.clone());
            } else if let Some(target) = m.reexports.get(seg).filter(|_| depth < 8) {
                let mut next = target.clone();
                next.extend(path[i + 1..].iter().cloned());
                return self.resolve(&next, depth + 1);
            } else {
                break;
            }
        }
        cur
    }

    /// Each module's dependencies, with the first path that makes each one.
    fn edges(&self) -> Edges {
        let mut edges: Edges = BTreeMap::new();
        for (path, m) in &self.modules {
            let out = edges.entry(path.clone()).or_default();
            for r in &m.refs {
                let target = self.resolve(r, 0);
                if &target != path {
                    out.entry(target).or_insert_with(|| r.join("::"));
                }
            }
        }
        edges
    }
}

fn name(p: &ModPath) -> String {
    if p.is_empty() {
        "crate".into()
    } else {
        p.join("::")
    }
}

/// A circle through `start`, if there is one (depth-first search back to it).
fn circle(edges: &Edges, start: &ModPath) -> Option<Vec<ModPath>> {
    let mut stack = vec![(start.clone(), vec![start.clone()])];
    let mut seen = BTreeSet::new();
    while let Some((node, trail)) = stack.pop() {
        for next in edges.get(&node).into_iter().flat_map(|e| e.keys()) {
            if next == start {
                let mut t = trail.clone();
                t.push(start.clone());
                return Some(t);
            }
            if seen.insert(next.clone()) {
                let mut t = trail.clone();
                t.push(next.clone());
                stack.push((next.clone(), t));
            }
        }
    }
    None
}

/// The crate roots of the workspace's packages.
fn crate_roots(root: &Path) -> Result<Vec<PathBuf>> {
    let mut roots = Vec::new();
    let mut dirs: Vec<PathBuf> = fs::read_dir(root.join("crates"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    dirs.extend([root.join("src-tauri"), root.join("xtask")]);
    dirs.sort();
    for d in dirs {
        for f in ["src/lib.rs", "src/main.rs"] {
            if d.join(f).exists() {
                roots.push(d.join(f));
            }
        }
    }
    Ok(roots)
}

pub fn check_no_import_circles(root: &Path) -> Result<()> {
    let mut found = Vec::new();
    let roots = crate_roots(root)?;
    for crate_root in &roots {
        let krate = Crate::parse(crate_root)?;
        let edges = krate.edges();
        let mut reported = BTreeSet::new();
        for start in krate.modules.keys() {
            if reported.contains(start) {
                continue;
            }
            if let Some(c) = circle(&edges, start) {
                reported.extend(c.iter().cloned());
                let file = krate.modules[start]
                    .file
                    .strip_prefix(root)
                    .unwrap_or(crate_root);
                let steps: Vec<String> = c
                    .windows(2)
                    .map(|w| {
                        format!(
                            "{} -> {} (names {})",
                            name(&w[0]),
                            name(&w[1]),
                            edges[&w[0]][&w[1]]
                        )
                    })
                    .collect();
                found.push(format!("{}: {}", file.display(), steps.join(", ")));
            }
        }
    }
    if !found.is_empty() {
        bail!(
            "import circles (ARCHITECTURE.md: modules depend one way):\n  {}",
            found.join("\n  ")
        );
    }
    eprintln!("xtask: no import circles in {} crate roots", roots.len());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes a crate of `files` (name, text) into a fresh directory and checks it.
    fn check(files: &[(&str, &str)]) -> Result<()> {
        let dir = std::env::temp_dir().join(format!(
            "xtask-circles-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let src = dir.join("crates/one/src");
        fs::create_dir_all(&src)?;
        for (name, text) in files {
            fs::write(src.join(name), text)?;
        }
        fs::create_dir_all(dir.join("src-tauri"))?;
        fs::create_dir_all(dir.join("xtask"))?;
        let result = check_no_import_circles(&dir);
        fs::remove_dir_all(&dir)?;
        result
    }

    #[test]
    fn two_modules_that_use_each_other_are_a_circle() {
        let err = check(&[
            ("lib.rs", "mod a; mod b;"),
            ("a.rs", "use crate::b::g; pub fn f() { g() }"),
            ("b.rs", "pub fn g() { crate::a::f() }"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("a -> b"), "{err}");
    }

    #[test]
    fn a_path_through_a_re_export_reaches_the_defining_module() {
        // `crate::Thing` is `b`'s, so `a` and `b` make a circle through the crate root's
        // re-export, while the root itself (only `mod` and `pub use`) depends on nothing.
        let err = check(&[
            ("lib.rs", "mod a; mod b; pub use b::Thing;"),
            ("a.rs", "pub fn f(_: crate::Thing) {}"),
            ("b.rs", "pub struct Thing; fn g() { super::a::f(Thing) }"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("a -> b"), "{err}");
        check(&[
            ("lib.rs", "mod a; mod b; pub use b::Thing;"),
            ("a.rs", "pub fn f(_: crate::Thing) {}"),
            ("b.rs", "pub struct Thing;"),
        ])
        .unwrap();
    }

    #[test]
    fn a_visibility_is_no_reference() {
        // `pub(crate)` in `a` names the crate root, which uses `a`'s item: no circle.
        check(&[
            ("lib.rs", "mod a; pub fn f(_: a::Thing) {}"),
            ("a.rs", "pub(crate) struct Thing;"),
        ])
        .unwrap();
    }

    #[test]
    fn test_modules_may_use_anything() {
        check(&[
            ("lib.rs", "mod a; mod b; #[cfg(test)] mod t;"),
            (
                "a.rs",
                "pub fn f() {} #[cfg(test)] mod tests { use crate::b::g; }",
            ),
            ("b.rs", "pub fn g() { crate::a::f() }"),
            ("t.rs", "use crate::a::f;"),
        ])
        .unwrap();
    }
}
