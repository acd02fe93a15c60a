//! Participant pages, the facilitator's page and their API, served by axum on the drill's
//! address.
//!
//! - `GET /join/{token}`: the participant page of the token's role (HTML, with the style and
//!   script both pages share at `/assets/drill.css` and `/assets/drill.js`);
//! - `GET /api/state[?since=SEQ]`: what the role sees and can do now, the clock, and a page of
//!   the role's feed (at most [`FEED_PAGE`] items: the latest, or those after `SEQ`);
//! - `GET /api/events?token=...`: the role's feed pushed as server-sent events (no reload),
//!   and a bare `clock` event when the facilitator works the clock;
//! - `POST /api/decide`: `{"role": ..., "decision": {"kind": ...}, "rationale": ...}`;
//! - `POST /api/name`: `{"name": "Alice Martin"}`, who plays the token's role (journaled as
//!   the console's `player ROLE NAME`; the answer is `{"name": ...}` as kept);
//! - `GET /facilitate/{token}`: the facilitator's page;
//! - `GET /api/facilitator/state[?since=SEQ]`: the drill as the facilitator sees it
//!   ([`Overview`]), with a page of the whole feed;
//! - `GET /api/facilitator/events?token=...`: the whole feed pushed;
//! - `POST /api/facilitate`: `{"command": "skip"}`, a console line, carried out as if typed
//!   at the console (one command vocabulary, journaled the same way).
//!
//! Every API call carries its token (`Authorization: Bearer TOKEN`; the event streams, which
//! browsers open without headers, take `?token=`). No token or an unknown one is 401; a
//! token used for another role's decision, or for a decision the role may not take, is 403;
//! a player's token on the facilitator's endpoints, and the facilitator's on a player's, are
//! 403 (the facilitator acts for a role with `as ROLE ...`). Bodies over [`MAX_BODY`] bytes
//! are 413, malformed ones 400, unknown ids or commands 422, what is not possible now 409.
//! Only the drill loop changes the run: handlers send it a [`Request`] and wait for the
//! answer, which comes after the journal is on disk.

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

use super::facilitator::Overview;
use super::{FeedItem, FeedKind};
use crate::model::{Decision, Refusal, RefusalKind, RoleView};

/// Largest request body accepted, in bytes.
pub const MAX_BODY: usize = 16 * 1024;

const PAGE: &str = include_str!("page.html");

const FACILITATOR_PAGE: &str = include_str!("facilitator.html");

/// The style and script both pages share.
const STYLE: &str = include_str!("drill.css");
const SCRIPT: &str = include_str!("drill.js");

/// What a role's page shows.
#[derive(Debug, Clone, Serialize)]
pub struct PageState {
    /// Who plays the role, once named.
    pub player: Option<String>,
    /// What the role sees and can do.
    pub view: RoleView,
    /// Scenario minutes now.
    pub t: f64,
    /// The clock as `T+H:MM:SS`.
    pub clock: String,
    /// Whether the facilitator paused the drill.
    pub paused: bool,
    /// Scenario minutes per wall minute (the page runs its clock between answers).
    pub speed: f64,
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

/// What a command from the facilitator's page did: the console's lines and what was
/// published (journaled).
#[derive(Debug, Clone, Serialize)]
pub struct Commanded {
    /// What the console said.
    pub said: Vec<String>,
    /// What the command published, once journaled.
    pub feed: Vec<FeedItem>,
}

/// The drill loop's answer to a command from the facilitator's page.
pub type FacilitateAnswer = Result<Commanded, Refusal>;

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
    /// Carry out a console line from the facilitator's page.
    Facilitate {
        /// The line.
        line: String,
        /// What it did, or why not.
        reply: oneshot::Sender<FacilitateAnswer>,
    },
    /// Name the person playing `role`.
    Name {
        /// Role index.
        role: usize,
        /// The name as typed.
        name: String,
        /// The name kept, or why not.
        reply: oneshot::Sender<Result<String, Refusal>>,
    },
    /// How the drill stands, for the facilitator's page.
    Overview {
        /// Feed items after this `seq` only (the latest page when `None`).
        since: Option<u64>,
        /// The answer.
        reply: oneshot::Sender<Overview>,
    },
}

/// What the handlers share.
#[derive(Clone)]
pub struct App {
    /// To the drill loop.
    pub requests: mpsc::Sender<Request>,
    /// Join token → role index.
    pub tokens: Arc<HashMap<String, usize>>,
    /// The facilitator's page token.
    pub facilitator: Arc<String>,
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
        .route(
            "/assets/drill.css",
            get(|| asset("text/css; charset=utf-8", STYLE)),
        )
        .route(
            "/assets/drill.js",
            get(|| asset("text/javascript; charset=utf-8", SCRIPT)),
        )
        .route("/api/state", get(state))
        .route("/api/events", get(events))
        .route("/api/decide", post(decide))
        .route("/api/name", post(name))
        .route("/facilitate/{token}", get(facilitate_page))
        .route("/api/facilitator/state", get(facilitator_state))
        .route("/api/facilitator/events", get(facilitator_events))
        .route("/api/facilitate", post(facilitate))
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
        if token == self.facilitator.as_str() {
            return Err(error(
                StatusCode::FORBIDDEN,
                "this is the facilitator's link: act for a role from the facilitator's page with `as ROLE ...`",
            ));
        }
        self.tokens.get(token).copied().ok_or_else(|| {
            error(
                StatusCode::UNAUTHORIZED,
                "unknown token: open the join link the facilitator sent you",
            )
        })
    }

    fn bearer(&self, headers: &HeaderMap) -> Result<usize, ApiError> {
        self.role_of(bearer_token(headers))
    }

    /// Admits the facilitator's token only.
    fn facilitator(&self, token: Option<&str>) -> Result<(), ApiError> {
        match token.filter(|t| !t.is_empty()) {
            None => Err(error(
                StatusCode::UNAUTHORIZED,
                "no token: open the facilitator's link ttx printed at the start",
            )),
            Some(token) if token == self.facilitator.as_str() => Ok(()),
            Some(token) if self.tokens.contains_key(token) => Err(error(
                StatusCode::FORBIDDEN,
                "a player's link cannot steer the drill: use the facilitator's link",
            )),
            Some(_) => Err(error(
                StatusCode::UNAUTHORIZED,
                "unknown token: open the facilitator's link ttx printed at the start",
            )),
        }
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

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
}

/// `since` of a feed request, if given.
fn since(query: &HashMap<String, String>) -> Result<Option<u64>, ApiError> {
    match query.get("since").map(|s| s.parse::<u64>()) {
        None => Ok(None),
        Some(Ok(seq)) => Ok(Some(seq)),
        Some(Err(_)) => Err(error(
            StatusCode::BAD_REQUEST,
            "`since` must be a feed item's seq (a whole number)",
        )),
    }
}

/// A page's answer, cached nowhere (the token is in its address).
fn page(html: &'static str) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

/// A file both pages load (holds no token, so anyone may fetch it).
async fn asset(kind: &'static str, text: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind)], text).into_response()
}

/// The status of a refusal.
fn refused(refusal: Refusal) -> ApiError {
    let status = match refusal.kind {
        RefusalKind::Forbidden => StatusCode::FORBIDDEN,
        RefusalKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        RefusalKind::NotNow => StatusCode::CONFLICT,
    };
    error(status, refusal.reason)
}

async fn root() -> Response {
    (
        StatusCode::NOT_FOUND,
        "ttx drill: open the join link the facilitator sent you",
    )
        .into_response()
}

async fn join(State(app): State<App>, Path(token): Path<String>) -> Response {
    // The facilitator opening their link as a join link goes to their own page.
    if token == app.facilitator.as_str() {
        return axum::response::Redirect::to(&format!("/facilitate/{token}")).into_response();
    }
    match app.role_of(Some(&token)) {
        Ok(_) => page(PAGE),
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
    let since = match since(&query) {
        Ok(since) => since,
        Err(bad) => return bad.into_response(),
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
    let seen = last_seen(&headers);
    let id = app.roles[role].clone();
    feed_events(&app, seen, move |item| item.visible_to(&id))
}

/// The live feed as server-sent events: the items `visible` keeps newer than `seen`, each
/// as a `feed` event with its `seq` as id; a clock control the page does not see (pause,
/// resume, speed, skip) as a bare `clock` event, so the page asks for the new state at once.
fn feed_events(
    app: &App,
    seen: Option<u64>,
    visible: impl Fn(&FeedItem) -> bool + Send + 'static,
) -> Response {
    let stream = BroadcastStream::new(app.feed.subscribe()).filter_map(move |item| {
        let item = item.ok()?;
        if seen.is_some_and(|s| item.seq <= s) {
            return None;
        }
        if !visible(&item) {
            return (item.kind == FeedKind::Control)
                .then(|| Ok::<_, Infallible>(Event::default().event("clock").data("{}")));
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

/// `Last-Event-ID` of a reconnecting browser: what it has seen (older items are in the
/// state answers).
fn last_seen(headers: &HeaderMap) -> Option<u64> {
    headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

async fn facilitate_page(State(app): State<App>, Path(token): Path<String>) -> Response {
    match app.facilitator(Some(&token)) {
        Ok(()) => page(FACILITATOR_PAGE),
        Err(denied) => denied.into_response(),
    }
}

async fn facilitator_state(
    State(app): State<App>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<axum::Json<Overview>, ApiError> {
    app.facilitator(bearer_token(&headers))?;
    let since = since(&query)?;
    let overview = app.ask(|reply| Request::Overview { since, reply }).await?;
    Ok(axum::Json(overview))
}

async fn facilitator_events(
    State(app): State<App>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Err(denied) = app.facilitator(query.get("token").map(String::as_str)) {
        return denied.into_response();
    }
    feed_events(&app, last_seen(&headers), |_| true)
}

/// The body of `POST /api/facilitate`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FacilitateBody {
    /// A console line (`skip`, `inject ID`, `note TEXT`, `as ROLE run ACTION`, `end`, ...).
    command: String,
}

async fn facilitate(
    State(app): State<App>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<axum::Json<Commanded>, ApiError> {
    app.facilitator(bearer_token(&headers))?;
    let body: FacilitateBody = serde_json::from_slice(&body).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            format!("malformed command ({e}); send {{\"command\": \"skip\"}}, any console line"),
        )
    })?;
    if body.command.contains(['\n', '\r']) {
        return Err(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "one command per request: the command holds a line break",
        ));
    }
    let line = body.command;
    let answer = app.ask(|reply| Request::Facilitate { line, reply }).await?;
    answer.map(axum::Json).map_err(refused)
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
    answer
        .map(|feed| axum::Json(Decided { feed }))
        .map_err(refused)
}

/// The body of `POST /api/name`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NameBody {
    name: String,
}

/// The answer to a name: as kept (spaces tidied).
#[derive(Debug, Serialize)]
struct Named {
    name: String,
}

async fn name(
    State(app): State<App>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<axum::Json<Named>, ApiError> {
    let role = app.bearer(&headers)?;
    let body: NameBody = serde_json::from_slice(&body).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            format!("malformed name ({e}); send {{\"name\": \"Alice Martin\"}}"),
        )
    })?;
    let name = body.name;
    let answer = app.ask(|reply| Request::Name { role, name, reply }).await?;
    answer
        .map(|name| axum::Json(Named { name }))
        .map_err(refused)
}
