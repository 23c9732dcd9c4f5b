#!/usr/bin/env python3
"""A small MCP server written with the official MCP Python SDK (PyPI `mcp` 2.x, whose
`MCPServer` is v1's `FastMCP`), for tests/e2e/mcp_client.rs: there weft is the *client*
and connects to this server from its `mcp_servers` config, over stdio or streamable HTTP.

    py_server.py                              serve on stdin/stdout
    py_server.py --http PORT [--token T]      streamable HTTP at http://127.0.0.1:PORT/mcp;
                                              with --token, requests without
                                              `Authorization: Bearer T` get 401
    --pid-file FILE                           write this process's id (the test checks that
                                              weft stops the server when it exits)

Tools: `add` (read-only hints), `describe_env` (what the process sees), `refuse` (a tool
error, `isError: true`), `picture` (text and an image), `crash` (the process exits
mid-call), `grow` (adds `late_tool` and sends `notifications/tools/list_changed`).
"""

from __future__ import annotations

import argparse
import os
import sys

from mcp.server.mcpserver import Context, Image, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations

# 1x1 transparent PNG.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

server = MCPServer("clawft-test-server", version="1.0.0", log_level="WARNING")


@server.tool(
    description="Add two integers.",
    annotations=ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False),
)
def add(a: int, b: int) -> str:
    return f"{a} + {b} = {a + b}"


@server.tool(description="Report the environment and request headers this server sees.")
def describe_env(ctx: Context) -> str:
    headers = ctx.headers or {}
    return (
        f"PY_MARKER={os.environ.get('PY_MARKER', 'unset')} "
        f"openai_key_visible={'OPENAI_API_KEY' in os.environ} "
        f"cwd={os.getcwd()} "
        f"x-tenant={headers.get('x-tenant', 'none')}"
    )


@server.tool(description="Always fails with the given reason.")
def refuse(reason: str) -> str:
    raise ToolError(f"refused: {reason}")


@server.tool(description="Returns a caption and a tiny image.")
def picture() -> list:
    return ["a 1x1 pixel", Image(data=PIXEL, format="png")]


@server.tool(description="Exits the server process at once, without answering.")
def crash() -> str:
    os._exit(3)


@server.tool(description="Adds the tool `late_tool` and announces it.")
async def grow(ctx: Context) -> str:
    if "late_tool" not in {t.name for t in await server.list_tools()}:
        server.add_tool(lambda: "late tool says hi", name="late_tool", description="Added at run time.")
    await ctx.session.send_tool_list_changed()
    return "grown"


class RequireBearer:
    """ASGI middleware: 401 unless `Authorization: Bearer <token>`."""

    def __init__(self, app, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and dict(scope["headers"]).get(b"authorization") != self.expected:
            await send({"type": "http.response.start", "status": 401,
                        "headers": [(b"www-authenticate", b"Bearer"), (b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"missing or wrong bearer token"})
            return
        await self.app(scope, receive, send)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--http", type=int, metavar="PORT")
    parser.add_argument("--token")
    parser.add_argument("--pid-file")
    args = parser.parse_args()
    if args.pid_file:
        with open(args.pid_file, "w") as f:
            f.write(str(os.getpid()))
    print("clawft test server starting", file=sys.stderr, flush=True)
    if args.http is None:
        server.run("stdio")
        return
    import uvicorn

    app = server.streamable_http_app(host="127.0.0.1")
    if args.token:
        app = RequireBearer(app, args.token)
    uvicorn.run(app, host="127.0.0.1", port=args.http, log_level="warning")


if __name__ == "__main__":
    main()
