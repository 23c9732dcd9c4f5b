//! [`ClientTransport`]: the stdio and HTTP transports behind one type, so rmcp's client
//! service (handshake and message loop, generic over the transport) is compiled once for
//! both instead of once per transport.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use rmcp::RoleClient;
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::{TokioChildProcess, Transport};

/// A stdio child or an HTTP transport (`H`: rmcp's streamable HTTP client).
pub(crate) enum ClientTransport<H> {
    /// A child process on stdin/stdout.
    Stdio(TokioChildProcess),
    /// Streamable HTTP.
    Http(H),
}

/// The error of either transport, unchanged in its message.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub(crate) struct TransportError(Box<dyn std::error::Error + Send + Sync>);

impl TransportError {
    fn new(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self(Box::new(err))
    }
}

type Sending = Pin<Box<dyn Future<Output = Result<(), TransportError>> + Send>>;

impl<H> Transport<RoleClient> for ClientTransport<H>
where
    H: Transport<RoleClient> + 'static,
{
    type Error = TransportError;

    fn name() -> Cow<'static, str> {
        "MCP client transport".into()
    }

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleClient>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let sending: Sending = match self {
            Self::Stdio(t) => {
                let sent = t.send(item);
                Box::pin(async move { sent.await.map_err(TransportError::new) })
            }
            Self::Http(t) => {
                let sent = t.send(item);
                Box::pin(async move { sent.await.map_err(TransportError::new) })
            }
        };
        sending
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleClient>> {
        match self {
            Self::Stdio(t) => t.receive().await,
            Self::Http(t) => t.receive().await,
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        match self {
            Self::Stdio(t) => t.close().await.map_err(TransportError::new),
            Self::Http(t) => t.close().await.map_err(TransportError::new),
        }
    }
}
