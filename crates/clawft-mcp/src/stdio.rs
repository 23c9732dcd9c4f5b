//! [`serve_stdio`]: one MCP session over the process's stdin/stdout. Stdout carries only
//! protocol messages; log through `tracing` to stderr.

use rmcp::ServiceExt;

use crate::error::McpError;
use crate::server::McpServer;

/// Serves `server` on stdin/stdout until the client closes stdin or the session fails.
///
/// # Errors
/// [`McpError::Initialize`] when no session could be set up, [`McpError::Session`] when it
/// ended with an error.
pub async fn serve_stdio(server: McpServer) -> Result<(), McpError> {
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|err| McpError::Initialize(err.to_string()))?;
    let reason = running
        .waiting()
        .await
        .map_err(|err| McpError::Session(err.to_string()))?;
    tracing::debug!(?reason, "MCP stdio session ended");
    Ok(())
}
