//! A minimal Server-Sent Events reader over a byte stream.

use futures_util::StreamExt;

use super::ProviderError;

/// One SSE event.
#[derive(Debug, Default, PartialEq)]
pub struct Event {
    /// `event:` field (empty when absent).
    pub event: String,
    /// `data:` lines joined with `\n`.
    pub data: String,
}

/// Reads events from a response body, calling `on_event` for each; stops early when it
/// returns `false`.
pub async fn read_events(
    resp: reqwest::Response,
    url: &str,
    mut on_event: impl FnMut(Event) -> Result<bool, ProviderError>,
) -> Result<(), ProviderError> {
    let mut stream = resp.bytes_stream();
    let mut buf: Vec<u8> = Vec::new();
    let mut current = Event::default();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|err| ProviderError::Unreachable {
            url: url.to_owned(),
            attempts: 1,
            message: format!("stream interrupted: {err}"),
        })?;
        buf.extend_from_slice(&chunk);
        while let Some(pos) = buf.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = buf.drain(..=pos).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                if (!current.data.is_empty() || !current.event.is_empty())
                    && !on_event(std::mem::take(&mut current))?
                {
                    return Ok(());
                }
                continue;
            }
            if line.starts_with(':') {
                continue;
            }
            let (field, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                "event" => current.event = value.to_owned(),
                "data" => {
                    if !current.data.is_empty() {
                        current.data.push('\n');
                    }
                    current.data.push_str(value);
                }
                _ => {}
            }
        }
    }
    if !current.data.is_empty() {
        on_event(current)?;
    }
    Ok(())
}
