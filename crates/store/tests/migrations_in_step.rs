//! Both backends keep one numbered list of migrations: the same numbers with the same names, so
//! a schema change made on one database and forgotten on the other fails here.

#![allow(clippy::panic)]

use std::path::Path;

fn migrations(backend: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(backend)
        .join("migrations");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    names.sort();
    names
}

#[test]
fn every_migration_exists_on_both_backends_under_the_same_number() {
    let postgres = migrations("store-postgres");
    let sqlite = migrations("store-sqlite");
    assert!(!postgres.is_empty());
    let only = |a: &[String], b: &[String]| -> Vec<String> {
        a.iter().filter(|n| !b.contains(n)).cloned().collect()
    };
    assert_eq!(
        only(&postgres, &sqlite),
        Vec::<String>::new(),
        "only on PostgreSQL"
    );
    assert_eq!(
        only(&sqlite, &postgres),
        Vec::<String>::new(),
        "only on SQLite"
    );
}

#[test]
fn migrations_are_numbered_one_after_another() {
    for (i, name) in migrations("store-postgres").iter().enumerate() {
        let number: usize = name[..4].parse().unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(number, i + 1, "{name}");
    }
}
