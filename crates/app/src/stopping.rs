//! Stopping the background loops cleanly: on shutdown the server asks them to stop, and each
//! finishes the step it is in (a delivery, a sequencing batch, a sweep), then returns instead
//! of sleeping again, so nothing is cut off half-way.

use std::time::Duration;

use tokio::sync::{watch, Notify};

use crate::App;

/// The flag the loops watch.
#[derive(Debug)]
pub(crate) struct StopSignal(watch::Sender<bool>);

impl Default for StopSignal {
    fn default() -> Self {
        Self(watch::channel(false).0)
    }
}

impl App {
    /// Asks every background loop of this app (and its clones) to return after its current
    /// step.
    pub fn stop_background(&self) {
        self.stop.0.send_replace(true);
    }

    /// Whether [`App::stop_background`] was called.
    pub fn stopping(&self) -> bool {
        *self.stop.0.borrow()
    }

    /// Resolves once [`App::stop_background`] is called.
    async fn stopped(&self) {
        let mut seen = self.stop.0.subscribe();
        // The sender lives in `self`, so the channel cannot close while this waits.
        let _ = seen.wait_for(|stop| *stop).await;
    }

    /// A loop's pause between steps: waits `pause` (or until `wake` is notified, if given) and
    /// says whether the loop should go on; false as soon as the app is stopping.
    pub(crate) async fn pause(&self, pause: Duration, wake: Option<&Notify>) -> bool {
        let waited = async {
            match wake {
                Some(wake) => {
                    let _ = tokio::time::timeout(pause, wake.notified()).await;
                }
                None => tokio::time::sleep(pause).await,
            }
        };
        tokio::select! {
            () = waited => {}
            () = self.stopped() => {}
        }
        !self.stopping()
    }
}
