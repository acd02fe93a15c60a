//! Participant pages and their API, served by axum on the drill's address.
//!
//! - `GET /join/{token}`: the participant page of the token's role (self-contained HTML);
//! - `GET /api/state[?since=SEQ]`: what the role sees and can do now, the clock, and a page of
//!   the role's feed (at most [`FEED_PAGE`] items: the latest, or those after `SEQ`);
//! - `GET /api/events?token=...`: the role's feed pushed as server-sent events (no reload);
//! - `POST /api/decide`: `{"role": ..., "decision": {"kind": ...}, "rationale": ...}`.
//!
//! Every API call carries the role's token (`Authorization: Bearer TOKEN`; the event stream,
//! which browsers open without headers, takes `?token=`). No token or an unknown one is 401;
//! a token used for another role's decision, or for a decision the role may not take, is 403.
//! Bodies over [`MAX_BODY`] bytes are 413, malformed ones 400, unknown ids 422, decisions
//! that are not possible now 409. Only the drill loop changes the run: handlers send it a
//! [`Request`] and wait for the answer, which comes after the journal is on disk.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use super::FeedItem;
use crate::model::{Decision, Refusal, RefusalKind, RoleView};

/// Largest request body accepted, in bytes.
pub const MAX_BODY: usize = 16 * 1024;

const PAGE: &str = include_str!("page.html");

/// What a role's page shows.
#[derive(Debug, Clone, Serialize)]
pub struct PageState {
    /// What the role sees and can do.
    pub view: RoleView,
    /// Scenario minutes now.
    pub t: f64,
    /// The clock as `T+H:MM:SS`.
    pub clock: String,
    /// Whether the facilitator paused the drill.
    pub paused: bool,
    /// Whether the drill has ended.
    pub ended: bool,
    /// The role's feed: at most [`FEED_PAGE`] items, those after `since` when the request
    /// names it, the latest otherwise.
    pub feed: Vec<FeedItem>,
    /// Whether more items follow the page (ask again with `since` = the last one's `seq`).
    pub more: bool,
}

/// Most feed items one `/api/state` answer holds, so no drill grows it without limit.
pub const FEED_PAGE: usize = 200;

/// The drill loop's answer to a decision: what it caused, once journaled, or why it was
/// refused.
pub type DecisionAnswer = Result<Vec<FeedItem>, Refusal>;

/// A request from a page to the drill loop.
pub enum Request {
    /// Take a decision for `role`.
    Decide {
        /// Role index.
        role: usize,
        /// The decision.
        decision: Decision,
        /// Why.
        rationale: Option<String>,
        /// The outcome, once journaled.
        reply: oneshot::Sender<DecisionAnswer>,
    },
    /// What `role` sees now.
    State {
        /// Role index.
        role: usize,
        /// Feed items after this `seq` only (the latest page when `None`).
        since: Option<u64>,
        /// The answer.
        reply: oneshot::Sender<PageState>,
    },
}

/// What the handlers share.
#[derive(Clone)]
pub struct App {
    /// To the drill loop.
    pub requests: mpsc::Sender<Request>,
    /// Join token → role index.
    pub tokens: Arc<HashMap<String, usize>>,
    /// Role ids by index.
    pub roles: Arc<Vec<String>>,
    /// The live feed.
    pub feed: broadcast::Sender<FeedItem>,
}

/// The router of the participant pages and API.
pub fn router(app: App) -> Router {
    Router::new()
        .route("/", get(root))
        .route("/join/{token}", get(join))
        .route("/api/state", get(state))
        .route("/api/events", get(events))
        .route("/api/decide", post(decide))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(app)
}

/// A refused request: its status and why, sent as `{"error": "..."}`.
struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        #[derive(Serialize)]
        struct Body {
            error: String,
        }
        (self.0, axum::Json(Body { error: self.1 })).into_response()
    }
}

fn error(status: StatusCode, message: impl Into<String>) -> ApiError {
    ApiError(status, message.into())
}

impl App {
    fn role_of(&self, token: Option<&str>) -> Result<usize, ApiError> {
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            return Err(error(
                StatusCode::UNAUTHORIZED,
                "no token: open the join link the facilitator sent you",
            ));
        };
        self.tokens.get(token).copied().ok_or_else(|| {
            error(
                StatusCode::UNAUTHORIZED,
                "unknown token: open the join link the facilitator sent you",
            )
        })
    }

    fn bearer(&self, headers: &HeaderMap) -> Result<usize, ApiError> {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        self.role_of(token)
    }

    async fn ask<T>(
        &self,
        request: impl FnOnce(oneshot::Sender<T>) -> Request,
    ) -> Result<T, ApiError> {
        let (reply, answer) = oneshot::channel();
        let gone = || error(StatusCode::SERVICE_UNAVAILABLE, "the drill has ended");
        self.requests
            .send(request(reply))
            .await
            .map_err(|_| gone())?;
        answer.await.map_err(|_| gone())
    }
}

async fn root() -> Response {
    (
        StatusCode::NOT_FOUND,
        "ttx drill: open the join link the facilitator sent you",
    )
        .into_response()
}

async fn join(State(app): State<App>, Path(token): Path<String>) -> Response {
    match app.role_of(Some(&token)) {
        Ok(_) => ([(header::CACHE_CONTROL, "no-store")], Html(PAGE)).into_response(),
        Err(denied) => denied.into_response(),
    }
}

async fn state(
    State(app): State<App>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let role = match app.bearer(&headers) {
        Ok(role) => role,
        Err(denied) => return denied.into_response(),
    };
    let since = match query.get("since").map(|s| s.parse::<u64>()) {
        None => None,
        Some(Ok(seq)) => Some(seq),
        Some(Err(_)) => {
            return error(
                StatusCode::BAD_REQUEST,
                "`since` must be a feed item's seq (a whole number)",
            )
            .into_response();
        }
    };
    match app.ask(|reply| Request::State { role, since, reply }).await {
        Ok(state) => axum::Json(state).into_response(),
        Err(denied) => denied.into_response(),
    }
}

async fn events(
    State(app): State<App>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let role = match app.role_of(query.get("token").map(String::as_str)) {
        Ok(role) => role,
        Err(denied) => return denied.into_response(),
    };
    // A reconnecting browser says what it has seen; everything older is in /api/state.
    let seen: Option<u64> = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let id = app.roles[role].clone();
    let stream = BroadcastStream::new(app.feed.subscribe()).filter_map(move |item| {
        let item = item.ok()?;
        if !item.visible_to(&id) || seen.is_some_and(|s| item.seq <= s) {
            return None;
        }
        let data = serde_json::to_string(&item).ok()?;
        Some(Ok::<_, Infallible>(
            Event::default()
                .id(item.seq.to_string())
                .event("feed")
                .data(data),
        ))
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// The body of `POST /api/decide`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DecideBody {
    /// The role acting; must be the token's (it may be left out).
    #[serde(default)]
    role: Option<String>,
    decision: Decision,
    #[serde(default)]
    rationale: Option<String>,
}

/// The answer to a decision.
#[derive(Debug, Serialize)]
struct Decided {
    feed: Vec<FeedItem>,
}

async fn decide(
    State(app): State<App>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<axum::Json<Decided>, ApiError> {
    let role = app.bearer(&headers)?;
    let body: DecideBody = serde_json::from_slice(&body).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            format!(
                "malformed decision ({e}); send {{\"decision\": {{\"kind\": \"acknowledge\"}}, \"rationale\": \"...\"}}"
            ),
        )
    })?;
    if let Some(claimed) = &body.role
        && *claimed != app.roles[role]
    {
        return Err(error(
            StatusCode::FORBIDDEN,
            format!("this link plays {}, not {claimed}", app.roles[role]),
        ));
    }
    if matches!(body.decision, Decision::Inject { .. }) {
        return Err(error(
            StatusCode::FORBIDDEN,
            "only the facilitator fires injects",
        ));
    }
    if body
        .rationale
        .as_ref()
        .is_some_and(|r| r.chars().count() > crate::model::human::MAX_TEXT)
    {
        return Err(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the rationale is too long",
        ));
    }
    let answer = app
        .ask(|reply| Request::Decide {
            role,
            decision: body.decision,
            rationale: body.rationale,
            reply,
        })
        .await?;
    match answer {
        Ok(feed) => Ok(axum::Json(Decided { feed })),
        Err(refusal) => {
            let status = match refusal.kind {
                RefusalKind::Forbidden => StatusCode::FORBIDDEN,
                RefusalKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
                RefusalKind::NotNow => StatusCode::CONFLICT,
            };
            Err(error(status, refusal.reason))
        }
    }
}
