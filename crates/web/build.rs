//! Embeds the NHS.UK frontend's stylesheet and images in the binary, so the UI is styled
//! whichever folder the server is started from.
//!
//! The files come from `node_modules/nhsuk-frontend/dist/nhsuk` (installed by `scripts/setup`).
//! Two changes are made to the stylesheet on the way in:
//! - its images are referenced at `/assets/images/…`, which this server serves at
//!   `/assets/nhsuk/assets/images/…`;
//! - its `@font-face` rules load the NHS's Frutiger from assets.nhs.uk, which the page's
//!   Content-Security-Policy refuses (and the font's licence does not allow bundling), so they
//!   are dropped: text falls back to Arial, the design system's own fallback font.
//!
//! Without `node_modules` the binary is built with no embedded files and serves `--assets`.

use std::error::Error;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

const DIST: &str = "../../node_modules/nhsuk-frontend/dist/nhsuk";

fn main() -> Result<(), Box<dyn Error>> {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?);
    let dist = manifest.join(DIST);
    let out = PathBuf::from(env::var("OUT_DIR")?);
    println!("cargo:rerun-if-changed={}", dist.display());
    println!("cargo:rerun-if-changed=build.rs");

    let mut table = String::from("&[\n");
    let css = dist.join("nhsuk-frontend.min.css");
    if css.exists() {
        let styles = fs::read_to_string(&css)?;
        let styles = without_font_faces(&styles)
            .replace("url(/assets/images/", "url(/assets/nhsuk/assets/images/");
        let styled = out.join("nhsuk-frontend.min.css");
        fs::write(&styled, styles)?;
        entry(
            &mut table,
            "nhsuk-frontend.min.css",
            "text/css; charset=utf-8",
            &styled,
        )?;
        let images = dist.join("assets/images");
        let mut names: Vec<_> = fs::read_dir(&images)?
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect();
        names.sort();
        for name in names {
            let kind = match Path::new(&name).extension().and_then(|e| e.to_str()) {
                Some("svg") => "image/svg+xml",
                Some("png") => "image/png",
                Some("ico") => "image/x-icon",
                _ => continue,
            };
            entry(
                &mut table,
                &format!("assets/images/{name}"),
                kind,
                &images.join(&name),
            )?;
        }
    } else {
        println!(
            "cargo:warning=NHS.UK frontend not found at {}: run scripts/setup so the UI is styled",
            dist.display()
        );
    }
    table.push(']');
    fs::write(out.join("nhsuk_assets.rs"), table)?;
    Ok(())
}

/// One embedded file: its path under `/assets/nhsuk/`, its media type, its bytes.
fn entry(table: &mut String, path: &str, kind: &str, file: &Path) -> std::fmt::Result {
    let file = file.display().to_string();
    writeln!(
        table,
        "    ({path:?}, {kind:?}, include_bytes!({file:?}).as_slice()),"
    )
}

/// The stylesheet without its `@font-face { … }` blocks (they hold no nested braces).
fn without_font_faces(styles: &str) -> String {
    let mut kept = String::with_capacity(styles.len());
    let mut rest = styles;
    while let Some(at) = rest.find("@font-face") {
        kept.push_str(&rest[..at]);
        match rest[at..].find('}') {
            Some(end) => rest = &rest[at + end + 1..],
            None => {
                rest = "";
            }
        }
    }
    kept.push_str(rest);
    kept
}
