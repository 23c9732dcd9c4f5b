//! Blocking HTTP over `wasi:http/outgoing-handler`.
//!
//! The host sends the request only if the manifest declares the host (and refuses
//! loopback/private addresses unless the exact host is declared); it may add
//! credentials the plugin never sees. A refusal comes back as an [`HttpError`] whose
//! text names the WASI error code (e.g. `HttpRequestDenied`).

use std::fmt;

use crate::bindings::wasi::http::outgoing_handler;
use crate::bindings::wasi::http::types::{
    ErrorCode, Fields, Method, OutgoingBody, OutgoingRequest, Scheme,
};
use crate::bindings::wasi::io::streams::StreamError;

/// Largest write the host accepts in one call to an output stream.
const WRITE_CHUNK: usize = 4096;
/// Bytes asked for per read of the response body.
const READ_CHUNK: u64 = 64 * 1024;

/// A response: status, headers, whole body.
#[derive(Debug, Clone)]
pub struct Response {
    /// HTTP status code.
    pub status: u16,
    /// Header names (lowercase) and values, in order.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The first value of header `name` (case-insensitive), as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    }
}

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpError(pub String);

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HttpError {}

fn err(what: &str, detail: impl fmt::Debug) -> HttpError {
    HttpError(format!("{what}: {detail:?}"))
}

/// `GET url`.
pub fn get(url: &str) -> Result<Response, HttpError> {
    request("GET", url, &[], None)
}

/// Send one request and read the whole response.
///
/// `url` is `http://host[:port]/path?query` or `https://...`; other schemes are refused.
pub fn request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Result<Response, HttpError> {
    let (scheme, authority, path) = split_url(url)?;
    let fields = Fields::new();
    for (name, value) in headers {
        fields
            .append(name, value.as_bytes())
            .map_err(|e| err(&format!("header `{name}` refused"), e))?;
    }
    let req = OutgoingRequest::new(fields);
    req.set_method(&parse_method(method))
        .map_err(|()| HttpError(format!("bad method `{method}`")))?;
    req.set_scheme(Some(&scheme))
        .map_err(|()| HttpError("bad scheme".into()))?;
    req.set_authority(Some(authority))
        .map_err(|()| HttpError(format!("bad host `{authority}`")))?;
    req.set_path_with_query(Some(path))
        .map_err(|()| HttpError(format!("bad path `{path}`")))?;
    let out_body = req
        .body()
        .map_err(|()| HttpError("request body unavailable".into()))?;

    let future = outgoing_handler::handle(req, None).map_err(|e| describe("request", &e))?;

    if let Some(bytes) = body {
        let stream = out_body
            .write()
            .map_err(|()| HttpError("request body stream unavailable".into()))?;
        for chunk in bytes.chunks(WRITE_CHUNK) {
            stream
                .blocking_write_and_flush(chunk)
                .map_err(|e| err("writing the request body", e))?;
        }
        drop(stream);
    }
    OutgoingBody::finish(out_body, None).map_err(|e| describe("request", &e))?;

    let response = loop {
        match future.get() {
            Some(result) => break result,
            None => future.subscribe().block(),
        }
    };
    let response = response
        .map_err(|()| HttpError("response already taken".into()))?
        .map_err(|e| describe("request", &e))?;

    let status = response.status();
    let headers = response.headers().entries();
    let incoming = response
        .consume()
        .map_err(|()| HttpError("response body unavailable".into()))?;
    let stream = incoming
        .stream()
        .map_err(|()| HttpError("response body stream unavailable".into()))?;
    let mut body = Vec::new();
    loop {
        match stream.blocking_read(READ_CHUNK) {
            Ok(chunk) => body.extend_from_slice(&chunk),
            Err(StreamError::Closed) => break,
            Err(StreamError::LastOperationFailed(e)) => {
                return Err(HttpError(format!(
                    "reading the response body: {}",
                    e.to_debug_string()
                )));
            }
        }
    }
    Ok(Response {
        status,
        headers,
        body,
    })
}

fn describe(what: &str, code: &ErrorCode) -> HttpError {
    HttpError(format!("{what} failed: {code:?}"))
}

fn parse_method(method: &str) -> Method {
    match method.to_ascii_uppercase().as_str() {
        "GET" => Method::Get,
        "HEAD" => Method::Head,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "DELETE" => Method::Delete,
        "OPTIONS" => Method::Options,
        "PATCH" => Method::Patch,
        other => Method::Other(other.to_owned()),
    }
}

/// Split `scheme://authority/path?query`; the path defaults to `/`.
fn split_url(url: &str) -> Result<(Scheme, &str, &str), HttpError> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| HttpError(format!("`{url}` is not an absolute http(s) URL")))?;
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "http" => Scheme::Http,
        "https" => Scheme::Https,
        other => Scheme::Other(other.to_owned()),
    };
    let split = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(split);
    if authority.is_empty() {
        return Err(HttpError(format!("`{url}` has no host")));
    }
    let path = if path.is_empty() { "/" } else { path };
    Ok((scheme, authority, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_scheme_authority_and_path() {
        let (scheme, authority, path) = split_url("https://api.example.com/v1/x?q=1").unwrap();
        assert!(matches!(scheme, Scheme::Https));
        assert_eq!((authority, path), ("api.example.com", "/v1/x?q=1"));
        let (scheme, authority, path) = split_url("HTTP://127.0.0.1:8080").unwrap();
        assert!(matches!(scheme, Scheme::Http));
        assert_eq!((authority, path), ("127.0.0.1:8080", "/"));
        let (_, authority, path) = split_url("http://h?x=1").unwrap();
        assert_eq!((authority, path), ("h", "?x=1"));
        assert!(matches!(split_url("file://x/etc").unwrap().0, Scheme::Other(s) if s == "file"));
        assert!(split_url("file:///etc/passwd").is_err(), "no host");
        assert!(split_url("example.com/x").is_err(), "not absolute");
    }

    #[test]
    fn methods_parse_case_insensitively() {
        assert!(matches!(parse_method("post"), Method::Post));
        assert!(matches!(parse_method("PURGE"), Method::Other(m) if m == "PURGE"));
    }
}
