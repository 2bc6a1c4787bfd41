//! `staffbank serve --tls-cert --tls-key`: the real binary serving HTTPS itself, with a
//! certificate for `localhost` from a test CA made here by openssl. A client trusting that CA is
//! served, with Strict-Transport-Security; one that does not is refused; plain HTTP gets no
//! answer; a connection that never finishes its handshake holds up nobody; and a key that does
//! not go with the certificate stops the server at start, naming the file.

use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::StatusCode;

use crate::binary::{serve_command, start};
use crate::helpers::{Backend, TestApp};

/// Runs openssl with `args` in `dir`.
fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is installed (scripts/setup)");
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A test CA (`ca.pem`), a certificate it signs for localhost (`server.pem`, key `server.key`)
/// and an unrelated key (`other.key`), in a new folder.
fn certificates() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("staffbank-tls-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    openssl(
        &dir,
        &[
            &["req", "-x509"],
            &ec[..],
            &[
                "-days",
                "2",
                "-subj",
                "/CN=Staffbank test CA",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
            ],
        ]
        .concat(),
    );
    openssl(
        &dir,
        &[
            &["req"],
            &ec[..],
            &[
                "-subj",
                "/CN=localhost",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
            ],
        ]
        .concat(),
    );
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        &dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            "server.pem",
        ],
    );
    openssl(
        &dir,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "other.key",
        ],
    );
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn serve_speaks_https_itself() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let certs = certificates();
    let mut command = serve_command(&app);
    command
        .arg("--tls-cert")
        .arg(certs.join("server.pem"))
        .arg("--tls-key")
        .arg(certs.join("server.key"));
    let (_server, address, stderr) = start(command).await;
    let port = address.rsplit(':').next().unwrap();
    let https = format!("https://localhost:{port}");

    // A client that opens a connection and never speaks.
    let _silent = tokio::net::TcpStream::connect(("127.0.0.1", port.parse::<u16>().unwrap()))
        .await
        .unwrap();

    let ca = reqwest::Certificate::from_pem(&std::fs::read(certs.join("ca.pem")).unwrap()).unwrap();
    let trusting = reqwest::Client::builder()
        .add_root_certificate(ca)
        .build()
        .unwrap();
    // Served at once, though the silent client's handshake is still pending (it would hold
    // the server for ten seconds if handshakes were taken one at a time).
    let reply = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        trusting.get(format!("{https}/health/ready")).send(),
    )
    .await
    .expect("served while another handshake is pending")
    .unwrap_or_else(|e| panic!("{e:?}\n{}", stderr.lock().unwrap()));
    assert_eq!(reply.status(), StatusCode::OK);
    assert_eq!(
        reply.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains",
        "served over TLS, browsers are told never to fall back to HTTP"
    );
    // A client that does not trust the CA is refused at the handshake.
    let untrusting = reqwest::Client::new();
    assert!(untrusting
        .get(format!("{https}/health/ready"))
        .send()
        .await
        .is_err());
    // Plain HTTP to the TLS port is not served.
    assert!(untrusting
        .get(format!("http://localhost:{port}/health/ready"))
        .send()
        .await
        .is_err());
}

#[tokio::test]
async fn a_key_that_does_not_go_with_the_certificate_stops_the_server() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let certs = certificates();
    let mut command = serve_command(&app);
    command
        .arg("--tls-cert")
        .arg(certs.join("server.pem"))
        .arg("--tls-key")
        .arg(certs.join("other.key"));
    let output = command.output().await.unwrap();
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("does not go with the certificate"), "{said}");
    assert!(!String::from_utf8_lossy(&output.stdout).contains("Staffbank is running"));
}
