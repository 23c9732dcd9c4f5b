//! The client side of each session: identifies weft to the server and refreshes the
//! server's tools when it sends `notifications/tools/list_changed`.

use std::sync::Weak;

use rmcp::model::{ClientCapabilities, ClientConfig, Implementation};
use rmcp::service::NotificationContext;
use rmcp::{ClientHandler, RoleClient};

use super::server::RemoteServer;

/// Handles server-initiated messages for one server. Offers no capabilities (no
/// sampling, roots or elicitation): every such request is refused.
#[derive(Clone)]
pub(crate) struct Handler {
    server: Weak<RemoteServer>,
}

impl Handler {
    pub(crate) fn new(server: Weak<RemoteServer>) -> Self {
        Self { server }
    }
}

impl ClientHandler for Handler {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new("weft", env!("CARGO_PKG_VERSION")),
        )
    }

    async fn on_tool_list_changed(&self, context: NotificationContext<RoleClient>) {
        let Some(server) = self.server.upgrade() else {
            return;
        };
        // Listing is a request on the same session: run it outside the session's
        // message loop.
        tokio::spawn(async move { server.refresh_tools(&context.peer).await });
    }
}
