//! A show's poster at one stable address, `/shows/{show}/poster`.
//!
//! The embed snippet puts an `<img>` of this address in the brand's own
//! markup, so the brand's page finds the poster with its first bytes (the
//! browser's preload scanner fetches it beside the page's own CSS) instead of
//! after the loader, its card request and a second round trip: the facade is
//! then painted with the page, not half a second after it (issue 24's
//! Lighthouse runs: the late poster was the page's largest paint). The loader
//! draws the same address, which the browser already holds.
//!
//! A poster among our own media is answered here, file and all (a redirect
//! would cost a mobile round trip); one elsewhere is a redirect to it; a show
//! without one gets a plain dark frame, so the box never holds a broken image.

use std::path::PathBuf;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::http::error::{ApiError, ApiPath};
use crate::state::AppState;

/// How long a browser or CDN may keep the answer: a creator's new poster
/// shows within five minutes, like every other media file.
const CACHE: &str = "public, max-age=300";

/// The frame for a show without a poster (or whose file is gone): the
/// facade's own background, at the default 9:16.
const BLANK: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"540\" height=\"960\" \
                     viewBox=\"0 0 540 960\"><rect width=\"540\" height=\"960\" fill=\"#111\"/></svg>";

/// `GET /shows/{show}/poster`: the show's poster, a redirect to it, or a blank
/// frame; a show that does not exist is a JSON 404.
pub async fn poster(
    State((state, media)): State<(AppState, Option<PathBuf>)>,
    ApiPath(show_id): ApiPath<String>,
    request: Request,
) -> Response {
    let show = {
        let mut conn = match state.db.acquire().await {
            Ok(c) => c,
            Err(e) => return ApiError::from(e).into_response(),
        };
        match crate::live::shows::load_show(&mut conn, &show_id).await {
            Ok(show) => show,
            Err(e) => return e.into_response(),
        }
    };
    let mut response = match (show.poster_url.as_deref(), media) {
        (Some(url), Some(media)) if url.starts_with("/media/") => {
            // ServeDir under the media folder (it refuses `..` and friends),
            // so the answer carries the file's type, Last-Modified and ranges.
            let (mut parts, body) = request.into_parts();
            let Ok(uri) = url["/media".len()..].parse::<Uri>() else { return blank() };
            parts.uri = uri;
            match ServeDir::new(media).oneshot(Request::from_parts(parts, body)).await {
                Ok(r) if r.status().is_success() || r.status() == StatusCode::NOT_MODIFIED => {
                    r.map(axum::body::Body::new)
                }
                _ => blank(),
            }
        }
        (Some(url), _) => match HeaderValue::from_str(url) {
            // Set by the show's creator and checked then (http(s) or a path).
            Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
            Err(_) => blank(),
        },
        (None, _) => blank(),
    };
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE));
    response
}

fn blank() -> Response {
    ([(header::CONTENT_TYPE, "image/svg+xml")], BLANK).into_response()
}
