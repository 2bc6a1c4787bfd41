//! Refusing unsafe configuration: `staffbank serve` will not start in a combination of
//! settings that would leak sessions or passwords, lock every user out, or publish wrong
//! addresses, and says which setting to change and how. (`staffbank demo` is a local trial on
//! loopback and is not checked.)

use std::net::{IpAddr, SocketAddr};

use base64::Engine;

use crate::serve::ServeArgs;

/// The shortest metrics token accepted.
const SHORTEST_METRICS_TOKEN: usize = 16;

/// Every unsafe setting in `args`, one sentence each naming the setting and the fix; empty
/// when the configuration is safe to serve.
pub fn problems(args: &ServeArgs) -> Vec<String> {
    let mut found = Vec::new();
    public_url(args, &mut found);
    if let Some(smtp) = &args.notify.smtp_url {
        smtp_url(smtp, &mut found);
    }
    if args
        .ops
        .metrics_token
        .as_ref()
        .is_some_and(|t| t.chars().count() < SHORTEST_METRICS_TOKEN)
    {
        found.push(format!(
            "STAFFBANK_METRICS_TOKEN is shorter than {SHORTEST_METRICS_TOKEN} characters: \
             make a long random one, e.g. `openssl rand -hex 32`"
        ));
    }
    if master_key_is_patterned(&args.master_key) {
        found.push(
            "STAFFBANK_MASTER_KEY is not random (it repeats a few byte values): generate one \
             with `openssl rand -base64 32` and keep it in your secret store"
                .to_owned(),
        );
    }
    found
}

/// Refuses to go on (the error lists every problem) unless the configuration is safe.
pub fn refuse_unsafe(args: &ServeArgs) -> anyhow::Result<()> {
    let found = problems(args);
    if found.is_empty() {
        return Ok(());
    }
    anyhow::bail!(
        "refusing to start with an unsafe configuration:\n- {}",
        found.join("\n- ")
    )
}

/// Whether a host name or address is this machine only.
fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The scheme and host of a URL (`scheme://[user@]host[:port][/...]`), if it has both.
fn scheme_and_host(url: &str) -> Option<(String, String)> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host_port.starts_with('[') {
        host_port.split_inclusive(']').next()?
    } else {
        host_port.split(':').next()?
    };
    (!host.is_empty()).then(|| (scheme.to_ascii_lowercase(), host.to_owned()))
}

fn public_url(args: &ServeArgs, found: &mut Vec<String>) {
    let listen: SocketAddr = args.http.listen;
    let Some(url) = &args.http.public_url else {
        if !listen.ip().is_loopback() {
            found.push(format!(
                "STAFFBANK_PUBLIC_URL is not set while listening on {listen}, beyond this \
                 machine: set it to the https:// address people reach the platform at"
            ));
        }
        return;
    };
    let Some((scheme, host)) = scheme_and_host(url) else {
        found.push(format!(
            "STAFFBANK_PUBLIC_URL {url:?} is not a URL: give it as https://host (e.g. \
             https://staffbank.example.nhs.uk)"
        ));
        return;
    };
    match scheme.as_str() {
        "https" if !args.secure_cookies && args.tls_cert.is_none() => found.push(
            "STAFFBANK_PUBLIC_URL is https:// but cookies are not marked Secure, so a session \
             could leak over plain HTTP: set STAFFBANK_SECURE_COOKIES=true"
                .to_owned(),
        ),
        "https" => {}
        "http" if is_loopback(&host) => {}
        "http" if args.secure_cookies => found.push(format!(
            "STAFFBANK_PUBLIC_URL is http:// on {host} while STAFFBANK_SECURE_COOKIES is set: \
             browsers never send Secure cookies over plain HTTP, so nobody could stay signed \
             in; serve over HTTPS and make STAFFBANK_PUBLIC_URL https://"
        )),
        "http" => found.push(format!(
            "STAFFBANK_PUBLIC_URL is http:// on {host}, beyond this machine: passwords and \
             sessions would cross the network in clear; put TLS in front, make \
             STAFFBANK_PUBLIC_URL https:// and set STAFFBANK_SECURE_COOKIES=true"
        )),
        other => found.push(format!(
            "STAFFBANK_PUBLIC_URL has the scheme {other}: give it as https://host"
        )),
    }
}

fn smtp_url(url: &str, found: &mut Vec<String>) {
    let Some((scheme, host)) = scheme_and_host(url) else {
        return; // The mailer names a malformed URL itself.
    };
    let authority = url.split_once("://").map_or("", |(_, rest)| {
        rest.split(['/', '?', '#']).next().unwrap_or("")
    });
    let has_password = authority.contains('@');
    let tls_required = url
        .split_once('?')
        .is_some_and(|(_, query)| query.split('&').any(|p| p == "tls=required"));
    if scheme == "smtp" && has_password && !tls_required && !is_loopback(&host) {
        found.push(format!(
            "STAFFBANK_SMTP_URL sends a password to {host} without TLS: add ?tls=required \
             (STARTTLS) or use smtps://"
        ));
    }
}

/// Whether the master key, if it decodes, is made of a handful of repeated byte values (all
/// zeros, a pasted placeholder): a random key has about 31 distinct bytes out of 32. A key
/// that does not decode is refused with its own message when it is parsed.
fn master_key_is_patterned(text: &str) -> bool {
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(text.trim()) else {
        return false;
    };
    let mut distinct: Vec<u8> = bytes.clone();
    distinct.sort_unstable();
    distinct.dedup();
    bytes.len() == 32 && distinct.len() < 8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_read_from_urls() {
        assert_eq!(
            scheme_and_host("https://staffbank.example.nhs.uk/path"),
            Some(("https".into(), "staffbank.example.nhs.uk".into()))
        );
        assert_eq!(
            scheme_and_host("smtp://user:pw@mail.example:587?tls=required"),
            Some(("smtp".into(), "mail.example".into()))
        );
        assert_eq!(
            scheme_and_host("http://[::1]:8080"),
            Some(("http".into(), "[::1]".into()))
        );
        assert_eq!(scheme_and_host("staffbank.example"), None);
        assert!(is_loopback("[::1]"));
        assert!(is_loopback("localhost"));
        assert!(is_loopback("127.0.0.1"));
        assert!(!is_loopback("10.0.0.1"));
    }

    #[test]
    fn only_patterned_keys_are_refused() {
        assert!(master_key_is_patterned(
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
        ));
        let random = staffbank_ledger::keys::MasterKey::generate_base64(&mut rand::rngs::OsRng);
        assert!(!master_key_is_patterned(&random));
    }
}
