//! A TCP relay standing in for a database's service address (a virtual IP, or a proxy that
//! follows the primary): cutting it is an outage, and starting it again on the same port towards
//! another server is a failover, all while the servers that use the address keep running.

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// A TCP relay to PostgreSQL on a fixed local port; dropping it cuts every connection.
pub struct Relay {
    /// Held only to be dropped: dropping the set aborts the relay and every connection in it.
    _tasks: JoinSet<()>,
}

impl Relay {
    /// Relays connections to `127.0.0.1:port` to `upstream` (`host:port`).
    pub async fn start(port: u16, upstream: String) -> Self {
        // A relay just dropped may still hold the port for a moment while its task ends.
        let mut tries = 0;
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", port)).await {
                Ok(listener) => break listener,
                Err(error) if tries < 50 => {
                    tries += 1;
                    tracing::debug!(%error, "the relay's port is still held");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(error) => panic!("the relay's port {port} stays taken: {error}"),
            }
        };
        let mut tasks = JoinSet::new();
        let mut connections = JoinSet::new();
        tasks.spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    continue;
                };
                let upstream = upstream.clone();
                connections.spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
        Self { _tasks: tasks }
    }
}
