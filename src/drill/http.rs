//! Serving the participant pages over TCP with limits, so that idle or half-open sockets can
//! never lock players out: a connection must send its request headers within
//! [`HEADER_TIMEOUT`], one with no request in flight is closed after [`IDLE_TIMEOUT`], and at
//! most [`MAX_IDLE`] connections may sit idle at once (the longest idle is closed to make room
//! for a new one, so the accept loop never waits). A request in flight, a pushed event stream
//! included, is never cut by these limits.
//!
//! This file knows nothing of drills: it serves a router.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use http_body::{Frame, SizeHint};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::task::AbortHandle;
use tower::ServiceExt;

/// How long a connection may take to send a request's headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a connection with no request in flight is kept (a browser's keep-alive).
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Most connections kept idle at once; beyond it the longest idle is closed.
pub const MAX_IDLE: usize = 64;

/// One open connection.
struct Connection {
    /// When its last request ended (or it was accepted).
    since: Instant,
    /// Requests whose response has not been sent to the end (an event stream stays here).
    in_flight: usize,
    /// Set once its task is spawned.
    abort: Option<AbortHandle>,
}

/// The open connections, by a number given at accept.
#[derive(Clone, Default)]
struct Connections(Arc<Mutex<HashMap<u64, Connection>>>);

impl Connections {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<u64, Connection>) -> T) -> T {
        // A panic elsewhere while holding the lock leaves the map usable: take it anyway.
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut map)
    }

    /// Closes idle connections: those idle for longer than `older_than`, then the longest
    /// idle ones until at most `keep` remain idle.
    fn close_idle(&self, older_than: Duration, keep: usize) {
        self.with(|map| {
            let mut idle: Vec<(Instant, u64)> = (map.iter())
                .filter(|(_, c)| c.in_flight == 0)
                .map(|(&id, c)| (c.since, id))
                .collect();
            idle.sort();
            let excess = idle.len().saturating_sub(keep);
            for (i, (since, id)) in idle.into_iter().enumerate() {
                if (i < excess || since.elapsed() > older_than)
                    && let Some(abort) = map.remove(&id).and_then(|c| c.abort)
                {
                    abort.abort();
                }
            }
        });
    }

    fn started(&self, id: u64) {
        self.with(|map| {
            if let Some(c) = map.get_mut(&id) {
                c.in_flight += 1;
            }
        });
    }

    fn ended(&self, id: u64) {
        self.with(|map| {
            if let Some(c) = map.get_mut(&id) {
                c.in_flight = c.in_flight.saturating_sub(1);
                c.since = Instant::now();
            }
        });
    }
}

/// Marks its request ended when the response body is done or dropped.
struct InFlight {
    connections: Connections,
    id: u64,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.connections.ended(self.id);
    }
}

/// A response body that keeps its request in flight until it is sent or dropped.
struct Tracked {
    inner: Body,
    _in_flight: InFlight,
}

impl http_body::Body for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Serves `router` on `listener` until the task is aborted.
pub async fn serve(listener: TcpListener, router: Router) {
    let connections = Connections::default();
    let reaper = connections.clone();
    let reaping = tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(1));
        loop {
            every.tick().await;
            reaper.close_idle(IDLE_TIMEOUT, MAX_IDLE);
        }
    });
    // Aborting `serve` drops this guard, which stops the reaper with it.
    let _reaping = AbortOnDrop(reaping.abort_handle());
    let mut next = 0u64;
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of file descriptors, most likely: make room, then accept again.
                connections.close_idle(IDLE_TIMEOUT, MAX_IDLE / 2);
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        next += 1;
        let id = next;
        connections.close_idle(IDLE_TIMEOUT, MAX_IDLE - 1);
        connections.with(|map| {
            map.insert(
                id,
                Connection {
                    since: Instant::now(),
                    in_flight: 0,
                    abort: None,
                },
            )
        });
        let tracking = connections.clone();
        let router = router.clone();
        let service = hyper::service::service_fn(move |request| {
            tracking.started(id);
            let in_flight = InFlight {
                connections: tracking.clone(),
                id,
            };
            let call = router.clone().oneshot(request.map(Body::new));
            async move {
                let response = call.await?;
                Ok::<_, std::convert::Infallible>(response.map(|inner| {
                    Body::new(Tracked {
                        inner,
                        _in_flight: in_flight,
                    })
                }))
            }
        });
        let done = connections.clone();
        let task = tokio::spawn(async move {
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades()
                .await;
            done.with(|map| map.remove(&id));
        });
        connections.with(|map| {
            if let Some(c) = map.get_mut(&id) {
                c.abort = Some(task.abort_handle());
            }
        });
    }
}

/// Aborts a task when dropped.
struct AbortOnDrop(AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
