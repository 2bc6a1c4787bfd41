//! `staffbank backup` and `staffbank restore`: a consistent copy of a live database, and bringing
//! one back into an empty database with the ledger checked before anyone relies on it.
//!
//! SQLite is copied with `VACUUM INTO`, which reads one snapshot while the server keeps writing
//! (a plain file copy of a WAL database can miss or tear pages). PostgreSQL is left to its own
//! `pg_dump` and `pg_restore`, which already take a consistent snapshot and know every type and
//! object the schema uses: reimplementing them would only add ways to lose data.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::str::FromStr;
use std::time::Instant;

use anyhow::{bail, Context};
use base64::Engine;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, Row};
use staffbank_ledger::merkle::{Frontier, Hash};

use crate::serve;

/// The first bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
/// The first bytes of a `pg_dump --format=custom` archive.
const PG_DUMP_MAGIC: &[u8] = b"PGDMP";

/// Which backend a database URL names.
enum Backend {
    /// The database file's path.
    Sqlite(PathBuf),
    Postgres,
}

fn backend(url: &str) -> anyhow::Result<Backend> {
    if url.starts_with("sqlite:") {
        let options = SqliteConnectOptions::from_str(url).context("not a SQLite URL")?;
        Ok(Backend::Sqlite(options.get_filename().to_path_buf()))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        bail!("DATABASE_URL must start with sqlite:// or postgres://")
    }
}

/// `staffbank backup`: writes the copy to `out` (never over an existing file), then reads the
/// ledger's size and root back from the copy itself and prints them with its size.
pub async fn backup(database_url: &str, out: &Path, pg_bin: Option<&Path>) -> anyhow::Result<()> {
    if out.exists() {
        bail!(
            "{} already exists: give a new file name (e.g. one with the date in it) or move the old backup away",
            out.display()
        );
    }
    let started = Instant::now();
    let ledger = match backend(database_url)? {
        Backend::Sqlite(path) => {
            if !path.exists() {
                bail!("there is no SQLite database at {}", path.display());
            }
            let options = SqliteConnectOptions::from_str(database_url)?
                .create_if_missing(false)
                .busy_timeout(std::time::Duration::from_secs(30));
            let mut db = sqlx::SqliteConnection::connect_with(&options)
                .await
                .with_context(|| format!("opening {}", path.display()))?;
            let target = out
                .to_str()
                .context("the backup file's path is not valid UTF-8")?;
            // One read transaction: the copy is the database as of one instant, WAL included.
            if let Err(e) = sqlx::query("VACUUM INTO ?")
                .bind(target)
                .execute(&mut db)
                .await
            {
                // Never leave a partial copy that could be mistaken for a backup.
                std::fs::remove_file(out).ok();
                return Err(anyhow::Error::new(e).context("VACUUM INTO failed"));
            }
            db.close().await.ok();
            sqlite_ledger(out).await?
        }
        Backend::Postgres => {
            let server_major = pg_server_major(database_url).await?;
            let pg_dump = pg_tool(pg_bin, "pg_dump", server_major)?;
            let (url, password) = split_password(database_url);
            let mut command = std::process::Command::new(&pg_dump);
            command
                .arg("--format=custom")
                .arg("--no-password")
                .arg(format!("--file={}", out.display()))
                .arg(format!("--dbname={url}"));
            if let Some(password) = password {
                command.env("PGPASSWORD", password);
            }
            let output = command
                .stdin(Stdio::null())
                .output()
                .with_context(|| format!("running {}", pg_dump.display()))?;
            if !output.status.success() {
                std::fs::remove_file(out).ok();
                bail!(
                    "pg_dump failed ({}): {}",
                    output.status,
                    String::from_utf8_lossy(&output.stderr).trim()
                );
            }
            dump_ledger(out, pg_bin, server_major)?
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    let bytes = std::fs::metadata(out)?.len();
    println!(
        "wrote {}: {} in {seconds:.2} s",
        out.display(),
        human_size(bytes)
    );
    println!("{}", ledger.describe("in the backup"));
    Ok(())
}

/// `staffbank restore`: only into an empty database, then migrations, then the ledger checks.
/// Exits 1 (after restoring) if the ledger checks find a problem.
pub async fn restore(
    from: &Path,
    database_url: &str,
    pg_bin: Option<&Path>,
    public_key: Option<&str>,
    trusted_head: Option<&Path>,
) -> anyhow::Result<()> {
    // The key is needed at the end; refuse before changing anything if there is none.
    serve::verifying_key(public_key)?;
    let magic = read_magic(from)?;
    let started = Instant::now();
    match backend(database_url)? {
        Backend::Sqlite(path) => {
            if !magic.starts_with(SQLITE_MAGIC) {
                bail!(
                    "{} is not a SQLite backup (a PostgreSQL backup restores only into PostgreSQL)",
                    from.display()
                );
            }
            let mut wal = path.clone().into_os_string();
            wal.push("-wal");
            if path.exists() || Path::new(&wal).exists() {
                bail!(
                    "{} already exists: restore only to a new file. Give another path in --database-url, or move the existing file (with its -wal and -shm files) away first",
                    path.display()
                );
            }
            // Copied under another name and renamed, so the target is never a half-written file.
            let mut partial = path.clone().into_os_string();
            partial.push(".restoring");
            let partial = PathBuf::from(partial);
            std::fs::copy(from, &partial)
                .with_context(|| format!("copying {} to {}", from.display(), partial.display()))?;
            std::fs::rename(&partial, &path)?;
        }
        Backend::Postgres => {
            if !magic.starts_with(PG_DUMP_MAGIC) {
                bail!(
                    "{} is not a PostgreSQL backup (pg_dump --format=custom); a SQLite backup restores only into SQLite",
                    from.display()
                );
            }
            let server_major = pg_server_major(database_url).await?;
            let tables = pg_table_count(database_url).await?;
            if tables > 0 {
                bail!(
                    "the target database already has {tables} table(s), Staffbank's or others': restore only into an empty database. Create one (e.g. `createdb staffbank_restored`) and give its URL in --database-url, or drop and recreate this one first if you mean to replace it"
                );
            }
            let pg_restore = pg_tool(pg_bin, "pg_restore", server_major)?;
            let (url, password) = split_password(database_url);
            let mut command = std::process::Command::new(&pg_restore);
            command
                .arg("--no-owner")
                .arg("--exit-on-error")
                .arg("--no-password")
                .arg(format!("--dbname={url}"))
                .arg(from);
            if let Some(password) = password {
                command.env("PGPASSWORD", password);
            }
            let output = command
                .stdin(Stdio::null())
                .output()
                .with_context(|| format!("running {}", pg_restore.display()))?;
            if !output.status.success() {
                bail!(
                    "pg_restore failed ({}), so the database may hold part of the backup: drop and recreate it before trying again. {}",
                    output.status,
                    String::from_utf8_lossy(&output.stderr).trim()
                );
            }
        }
    }
    let copied = started.elapsed().as_secs_f64();
    println!("restored {} in {copied:.2} s", from.display());
    let started = Instant::now();
    drop(serve::open_store(database_url).await?);
    println!("migrated in {:.2} s", started.elapsed().as_secs_f64());
    if !crate::check_ledger(database_url, public_key, trusted_head).await? {
        std::process::exit(1);
    }
    Ok(())
}

/// The ledger as a backup holds it.
struct LedgerSummary {
    size: u64,
    root: Hash,
    newest_head: Option<u64>,
}

impl LedgerSummary {
    fn from_leaves(
        mut leaves: Vec<(i64, Vec<u8>)>,
        newest_head: Option<u64>,
    ) -> anyhow::Result<Self> {
        leaves.sort_by_key(|(seq, _)| *seq);
        let mut frontier = Frontier::default();
        for (seq, hash) in leaves {
            if seq != frontier.size() as i64 {
                bail!(
                    "the backup's ledger has no leaf at index {} (the next is {seq})",
                    frontier.size()
                );
            }
            let hash: Hash = hash
                .as_slice()
                .try_into()
                .map_err(|_| anyhow::anyhow!("the backup's leaf {seq} is not 32 bytes"))?;
            frontier.push(hash);
        }
        Ok(Self {
            size: frontier.size(),
            root: frontier.root(),
            newest_head,
        })
    }

    fn describe(&self, place: &str) -> String {
        format!(
            "ledger {place}: tree size {}, root {} (newest signed head covers {})",
            self.size,
            base64::engine::general_purpose::STANDARD.encode(self.root),
            self.newest_head
                .map_or("nothing".to_owned(), |size| format!("{size} entries")),
        )
    }
}

/// Reads the ledger from a SQLite backup file, read-only.
async fn sqlite_ledger(file: &Path) -> anyhow::Result<LedgerSummary> {
    let options = SqliteConnectOptions::new()
        .filename(file)
        .read_only(true)
        .create_if_missing(false);
    let mut db = sqlx::SqliteConnection::connect_with(&options).await?;
    let leaves: Vec<(i64, Vec<u8>)> = sqlx::query("SELECT seq, hash FROM ledger_leaves")
        .fetch_all(&mut db)
        .await
        .context("reading the ledger from the backup")?
        .into_iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    let newest: Option<i64> = sqlx::query_scalar("SELECT max(size) FROM ledger_heads")
        .fetch_one(&mut db)
        .await?;
    db.close().await.ok();
    LedgerSummary::from_leaves(leaves, newest.map(|n| n as u64))
}

/// Reads the ledger from a `pg_dump` archive, with `pg_restore` writing the two tables' rows
/// as text (the archive itself is not touched, nor any database).
fn dump_ledger(
    file: &Path,
    pg_bin: Option<&Path>,
    server_major: u32,
) -> anyhow::Result<LedgerSummary> {
    let pg_restore = pg_tool(pg_bin, "pg_restore", server_major)?;
    let output = std::process::Command::new(&pg_restore)
        .args([
            "--data-only",
            "--table=ledger_leaves",
            "--table=ledger_heads",
            "--file=-",
        ])
        .arg(file)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {}", pg_restore.display()))?;
    if !output.status.success() {
        bail!(
            "pg_restore could not read the backup: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let text = String::from_utf8(output.stdout).context("pg_restore wrote non-UTF-8 text")?;
    let mut leaves = Vec::new();
    let mut newest: Option<u64> = None;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix("COPY ") else {
            continue;
        };
        let (table, columns) = rest
            .split_once(" (")
            .context("an unexpected COPY line in the backup")?;
        let columns: Vec<&str> = columns
            .split(')')
            .next()
            .unwrap_or_default()
            .split(", ")
            .collect();
        let at = |name: &str| columns.iter().position(|c| *c == name);
        for row in lines.by_ref() {
            if row == "\\." {
                break;
            }
            let fields: Vec<&str> = row.split('\t').collect();
            if table.ends_with("ledger_leaves") {
                let (Some(seq), Some(hash)) = (at("seq"), at("hash")) else {
                    bail!("the backup's ledger_leaves has no seq or hash column");
                };
                let seq: i64 = fields.get(seq).context("short row")?.parse()?;
                let hash = fields
                    .get(hash)
                    .and_then(|h| h.strip_prefix("\\\\x"))
                    .context("a leaf hash that is not bytea hex")?;
                leaves.push((seq, decode_hex(hash)?));
            } else if table.ends_with("ledger_heads") {
                let size = at("size")
                    .and_then(|i| fields.get(i))
                    .context("the backup's ledger_heads has no size column")?;
                let size: u64 = size.parse()?;
                newest = Some(newest.map_or(size, |n| n.max(size)));
            }
        }
    }
    LedgerSummary::from_leaves(leaves, newest)
}

fn decode_hex(text: &str) -> anyhow::Result<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        bail!("odd-length hex");
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).context("not hex"))
        .collect()
}

/// The PostgreSQL server's major version (e.g. 15).
async fn pg_server_major(database_url: &str) -> anyhow::Result<u32> {
    let mut db = pg_connect(database_url).await?;
    let number: String = sqlx::query_scalar("SHOW server_version_num")
        .fetch_one(&mut db)
        .await?;
    db.close().await.ok();
    Ok(number.trim().parse::<u32>()? / 10_000)
}

async fn pg_connect(database_url: &str) -> anyhow::Result<sqlx::PgConnection> {
    sqlx::PgConnection::connect(database_url).await.context(
        "cannot connect to the PostgreSQL database in --database-url (for a restore, create it first, e.g. `createdb staffbank_restored`)",
    )
}

/// Tables in the database outside PostgreSQL's own schemas.
async fn pg_table_count(database_url: &str) -> anyhow::Result<i64> {
    let mut db = pg_connect(database_url).await?;
    let count: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
    )
    .fetch_one(&mut db)
    .await?;
    db.close().await.ok();
    Ok(count)
}

/// Finds `name` (in `pg_bin`, or on PATH) and refuses it if it is missing or older than the
/// server: an older pg_dump cannot read a newer server's catalogue correctly.
fn pg_tool(pg_bin: Option<&Path>, name: &str, server_major: u32) -> anyhow::Result<PathBuf> {
    let program = pg_bin.map_or_else(|| PathBuf::from(name), |dir| dir.join(name));
    let output = std::process::Command::new(&program)
        .arg("--version")
        .stdin(Stdio::null())
        .output();
    let output = match output {
        Ok(output) if output.status.success() => output,
        _ => bail!(
            "{name} was not found{}: install PostgreSQL's client programs, version {server_major} or newer (Debian: `apt-get install postgresql-client`), or name their folder with --pg-bin",
            pg_bin.map_or(" on PATH".to_owned(), |d| format!(" in {}", d.display()))
        ),
    };
    let text = String::from_utf8_lossy(&output.stdout);
    let major = tool_major(&text)
        .with_context(|| format!("cannot read {name}'s version from {:?}", text.trim()))?;
    if major < server_major {
        bail!(
            "{name} is version {major} but the server is version {server_major}: install the PostgreSQL {server_major} client programs (or newer) and name their folder with --pg-bin (Debian: /usr/lib/postgresql/{server_major}/bin)"
        );
    }
    Ok(program)
}

/// The major version in `pg_dump (PostgreSQL) 15.20 (Debian ...)`.
fn tool_major(version: &str) -> Option<u32> {
    let number = version.split(")").nth(1)?.split_whitespace().next()?;
    number.split('.').next()?.parse().ok()
}

/// The URL without its password, and the password (percent-decoded), so the password reaches
/// pg_dump through its environment rather than its command line, which others can read.
fn split_password(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_owned(), None);
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return (url.to_owned(), None);
    };
    let Some((user, password)) = rest[..at].split_once(':') else {
        return (url.to_owned(), None);
    };
    let stripped = format!("{scheme}://{user}@{}", &rest[at + 1..]);
    (stripped, Some(percent_decode(password)))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let pair = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(pair, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn read_magic(file: &Path) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::new();
    std::fs::File::open(file)
        .with_context(|| format!("cannot open the backup {}", file.display()))?
        .take(16)
        .read_to_end(&mut head)?;
    Ok(head)
}

/// `12.3 MB (12,345,678 bytes)`.
fn human_size(bytes: u64) -> String {
    let digits = bytes.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let mb = bytes as f64 / 1_000_000.0;
    format!("{mb:.1} MB ({grouped} bytes)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_versions_passwords_and_sizes() {
        assert_eq!(
            tool_major("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)\n"),
            Some(15)
        );
        assert_eq!(tool_major("pg_restore (PostgreSQL) 17.2\n"), Some(17));
        assert_eq!(
            split_password("postgres://bank:p%40ss@db:5432/staffbank"),
            (
                "postgres://bank@db:5432/staffbank".to_owned(),
                Some("p@ss".to_owned())
            )
        );
        assert_eq!(
            split_password("postgres://root@127.0.0.1/test"),
            ("postgres://root@127.0.0.1/test".to_owned(), None)
        );
        assert_eq!(human_size(1_234_567), "1.2 MB (1,234,567 bytes)");
    }
}
