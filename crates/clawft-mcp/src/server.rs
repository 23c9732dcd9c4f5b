//! [`McpServer`]: the one MCP handler over clawft's tool and skill registries, served
//! unchanged over every transport. Each method delegates to [`crate::tools`],
//! [`crate::prompts`], [`crate::resources`] or [`crate::notify`].

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use clawft_core::ToolRegistry;
use clawft_skills::{GateContext, SkillRegistry};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CustomRequest, CustomResult, ErrorCode,
    GetPromptRequestParams, GetPromptResponse, Implementation, InitializeResult, ListPromptsResult,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, ReadResourceRequestParams,
    ReadResourceResponse, ServerCapabilities, SubscriptionFilter,
};
use rmcp::service::{NotificationContext, RequestContext, SubscriptionContext};
use rmcp::{ErrorData, RoleServer, ServerHandler};
use tokio::sync::broadcast;

use crate::notify::{self, Change};
use crate::settings::McpLimits;
use crate::tools::ToolCacheCell;
use crate::{prompts, resources, tools};

/// Capacity of the change channel; a session that falls further behind gets one "everything
/// changed" instead.
const CHANGE_CHANNEL_CAPACITY: usize = 16;

/// Standard MCP methods. rmcp hands a request for one of them whose params do not parse to
/// `on_custom_request`; it gets `-32602` (invalid params), not `-32601`.
const STANDARD_METHODS: [&str; 15] = [
    "initialize",
    "ping",
    "server/discover",
    "tools/list",
    "tools/call",
    "prompts/list",
    "prompts/get",
    "resources/list",
    "resources/read",
    "resources/templates/list",
    "resources/subscribe",
    "resources/unsubscribe",
    "subscriptions/listen",
    "completion/complete",
    "logging/setLevel",
];

const INSTRUCTIONS: &str = "clawft exposes its tools under their own names and its skills as \
`skill__<name>` tools (call one to get the skill's instructions), as prompts, and as \
`skill://<name>/...` resources.";

/// State shared by every session of one server.
pub(crate) struct Shared {
    pub(crate) tools: Arc<ToolRegistry>,
    pub(crate) skills: Arc<SkillRegistry>,
    pub(crate) gate: GateContext,
    pub(crate) workspace: PathBuf,
    pub(crate) limits: McpLimits,
    pub(crate) changes: broadcast::Sender<Change>,
    pub(crate) tool_cache: ToolCacheCell,
    pub(crate) prompt_cache: prompts::PromptCacheCell,
    info: Implementation,
}

/// The MCP handler. Cheap to clone: every clone (one per HTTP session) shares the
/// registries, the caches and the change channel.
#[derive(Clone)]
pub struct McpServer {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for McpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpServer")
            .field("workspace", &self.shared.workspace)
            .field("tools_version", &self.shared.tools.snapshot().version())
            .field("skills_version", &self.shared.skills.version())
            .finish_non_exhaustive()
    }
}

/// Builds an [`McpServer`].
pub struct McpServerBuilder {
    tools: Arc<ToolRegistry>,
    skills: Arc<SkillRegistry>,
    workspace: PathBuf,
    gate: Option<GateContext>,
    limits: McpLimits,
    info: Implementation,
}

impl McpServerBuilder {
    /// The gate deciding which skills are available. Default: [`GateContext::current`]
    /// (this process's OS, PATH and environment, no config keys).
    pub fn gate(mut self, gate: GateContext) -> Self {
        self.gate = Some(gate);
        self
    }

    /// Limits. Default: [`McpLimits::default`].
    pub fn limits(mut self, limits: McpLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The name and version sent to clients. Default: `clawft` and this crate's version.
    pub fn server_info(mut self, name: impl Into<String>, version: impl Into<String>) -> Self {
        self.info = Implementation::new(name, version);
        self
    }

    /// The server. Subscribes to the skill registry's changes for as long as the registry
    /// lives.
    pub fn build(self) -> McpServer {
        let (changes, _) = broadcast::channel(CHANGE_CHANNEL_CAPACITY);
        let tx = changes.clone();
        self.skills.on_change(move |_| {
            // No receiver (no client connected) is fine.
            let _ = tx.send(Change::Skills);
        });
        McpServer {
            shared: Arc::new(Shared {
                tools: self.tools,
                skills: self.skills,
                gate: self.gate.unwrap_or_else(GateContext::current),
                workspace: self.workspace,
                limits: self.limits,
                changes,
                tool_cache: Mutex::default(),
                prompt_cache: Mutex::default(),
                info: self.info,
            }),
        }
    }
}

impl McpServer {
    /// Starts building a server over `tools` and `skills`; tools run confined to
    /// `workspace` with the context `ToolContext::new(workspace, "mcp", <client name>)`.
    pub fn builder(
        tools: Arc<ToolRegistry>,
        skills: Arc<SkillRegistry>,
        workspace: impl Into<PathBuf>,
    ) -> McpServerBuilder {
        McpServerBuilder {
            tools,
            skills,
            workspace: workspace.into(),
            gate: None,
            limits: McpLimits::default(),
            info: Implementation::new("clawft", env!("CARGO_PKG_VERSION")),
        }
    }

    /// Announces a change of the tool set at once (e.g. after a plugin install), instead of
    /// within [`McpLimits::tool_poll_ms`].
    pub fn tools_changed(&self) {
        let _ = self.shared.changes.send(Change::Tools);
    }

    /// How many sessions are listening for changes now.
    pub fn listeners(&self) -> usize {
        self.shared.changes.receiver_count()
    }
}

/// The client's name, used as the chat id of tool calls.
fn client_name(context: &RequestContext<RoleServer>) -> String {
    context
        .client_info()
        .map(|info| info.name)
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "mcp".to_owned())
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> InitializeResult {
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_tool_list_changed()
            .enable_prompts()
            .enable_prompts_list_changed()
            .enable_resources()
            .enable_resources_list_changed()
            .build();
        InitializeResult::new(capabilities)
            .with_server_info(self.shared.info.clone())
            .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let tools = tools::list(&self.shared);
        Ok(ListToolsResult::with_all_items(tools.as_ref().clone()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let client = client_name(&context);
        tools::call(
            &self.shared,
            &request.name,
            request.arguments,
            &client,
            context.ct.clone(),
        )
        .await
        .map(Into::into)
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        let prompts = prompts::list(&self.shared);
        Ok(ListPromptsResult::with_all_items(prompts.as_ref().clone()))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        prompts::get(&self.shared, &request.name, request.arguments.as_ref()).map(Into::into)
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let shared = Arc::clone(&self.shared);
        let items = tokio::task::spawn_blocking(move || resources::list(&shared))
            .await
            .map_err(|e| ErrorData::internal_error(format!("listing resources: {e}"), None))?;
        Ok(ListResourcesResult::with_all_items(items))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let shared = Arc::clone(&self.shared);
        tokio::task::spawn_blocking(move || resources::read(&shared, &request.uri))
            .await
            .map_err(|e| ErrorData::internal_error(format!("reading a resource: {e}"), None))?
            .map(Into::into)
    }

    async fn on_custom_request(
        &self,
        request: CustomRequest,
        _context: RequestContext<RoleServer>,
    ) -> Result<CustomResult, ErrorData> {
        let method = request.method;
        if STANDARD_METHODS.contains(&method.as_str()) {
            return Err(ErrorData::invalid_params(
                format!("malformed params for `{method}`: they do not match the MCP schema"),
                None,
            ));
        }
        Err(ErrorData::new(
            ErrorCode::METHOD_NOT_FOUND,
            format!("method `{method}` not found"),
            None,
        ))
    }

    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        notify::spawn_session_forwarder(Arc::clone(&self.shared), context.peer);
    }

    fn accepted_subscription_filter(
        &self,
        _requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        Some(
            SubscriptionFilter::builder()
                .tools_list_changed()
                .prompts_list_changed()
                .resources_list_changed()
                .build(),
        )
    }

    async fn listen(&self, context: SubscriptionContext) -> Result<(), ErrorData> {
        notify::listen(Arc::clone(&self.shared), context).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use clawft_plugin::suggest::closest;

    #[test]
    fn did_you_mean_finds_near_names_only() {
        let names = ["read_file", "write_file", "skill__pdf"];
        assert_eq!(closest("read_fil", names.into_iter()), Some("read_file"));
        assert_eq!(closest("skill__pfd", names.into_iter()), Some("skill__pdf"));
        assert_eq!(closest("weather", names.into_iter()), None);
    }
}
