#!/usr/bin/env python3
"""Drive `weft mcp serve` with the official MCP Python SDK (PyPI `mcp`) and print what it saw.

Used by tests/e2e/mcp.rs: the Rust test starts nothing itself for stdio (this script spawns
`weft mcp serve`), or starts `weft mcp serve --http` and passes --url/--token. The script
makes the calls and prints one JSON report on stdout; the Rust test asserts on it. Any
exception is reported as {"error": ...} with exit code 1.

    py_client.py --weft target/debug/weft --mode auto --skill demo --reload-dir WS/skills
    py_client.py --url http://127.0.0.1:PORT/mcp --token T --mode legacy --skill demo
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

NEW_SKILL = "hot-reloaded"


def result(res: types.CallToolResult) -> dict[str, Any]:
    texts = [c.text for c in res.content if isinstance(c, types.TextContent)]
    return {"is_error": bool(res.is_error), "text": "\n".join(texts)}


def write_new_skill(root: Path) -> None:
    folder = root / NEW_SKILL
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "SKILL.md").write_text(
        "---\nname: hot-reloaded\ndescription: Written while the server runs.\n---\nHot.\n"
    )


async def run(args: argparse.Namespace) -> dict[str, Any]:
    report: dict[str, Any] = {}
    legacy_changed = anyio.Event()

    async def on_message(message: Any) -> None:
        if isinstance(message, types.ToolListChangedNotification):
            legacy_changed.set()

    if args.url:
        headers = {"Authorization": f"Bearer {args.token}"} if args.token else None
        server: Any = streamable_http_client(args.url, http_client=create_mcp_http_client(headers=headers))
    else:
        server = StdioServerParameters(command=args.weft, args=["mcp", "serve"], env=dict(os.environ))

    async with Client(server, mode=args.mode, message_handler=on_message) as client:
        report["protocol_version"] = client.protocol_version
        report["server_name"] = client.server_info.name if client.server_info else None

        listed = await client.list_tools()
        report["tools"] = {
            t.name: {
                "description": t.description,
                "input_schema": t.input_schema,
                "annotations": t.annotations.model_dump(by_alias=True, exclude_none=True) if t.annotations else None,
            }
            for t in listed.tools
        }

        report["write"] = result(
            await client.call_tool("write_file", {"path": "from-python.txt", "content": "hello from python"})
        )
        report["read"] = result(await client.call_tool("read_file", {"path": "from-python.txt"}))
        report["failing"] = result(await client.call_tool("read_file", {"path": "no/such/file.txt"}))
        report["skill_call"] = result(await client.call_tool(f"skill__{args.skill}", {"arguments": "python args"}))
        try:
            unknown = await client.call_tool("no_such_tool", {})
            report["unknown_tool"] = {"result": result(unknown)}
        except Exception as exc:  # the SDK raises MCPError for a JSON-RPC error
            report["unknown_tool"] = {"error": type(exc).__name__, "code": getattr(exc, "code", None), "message": str(exc)}

        prompts = await client.list_prompts()
        report["prompts"] = {
            p.name: [a.model_dump(exclude_none=True) for a in (p.arguments or [])] for p in prompts.prompts
        }
        got = await client.get_prompt(args.skill, {"arguments": "prompt args"})
        report["prompt_text"] = [m.content.text for m in got.messages if isinstance(m.content, types.TextContent)]

        resources = await client.list_resources()
        report["resources"] = [str(r.uri) for r in resources.resources]
        read = await client.read_resource(f"skill://{args.skill}/SKILL.md")
        report["resource_text"] = getattr(read.contents[0], "text", None)

        if args.reload_dir:
            root = Path(args.reload_dir)
            if client.protocol_version in MODERN_PROTOCOL_VERSIONS:
                async with client.listen(tools_list_changed=True, prompts_list_changed=True) as sub:
                    write_new_skill(root)
                    with anyio.fail_after(15):
                        event = await sub.__anext__()
                    report["list_changed"] = {"via": "subscriptions/listen", "event": type(event).__name__}
            else:
                write_new_skill(root)
                with anyio.fail_after(15):
                    await legacy_changed.wait()
                report["list_changed"] = {"via": "notification", "event": "ToolListChangedNotification"}
            after = await client.list_tools(cache_mode="bypass")
            report["tools_after"] = [t.name for t in after.tools]
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weft", help="weft binary (stdio transport)")
    parser.add_argument("--url", help="streamable HTTP endpoint (HTTP transport)")
    parser.add_argument("--token", help="bearer token for --url")
    parser.add_argument("--mode", default="auto", choices=["auto", "legacy"], help="SDK lifecycle: auto = 2026-07-28 if offered")
    parser.add_argument("--skill", required=True, help="a skill the server has")
    parser.add_argument("--reload-dir", help="skills folder to write a new skill into, for the hot-reload check")
    args = parser.parse_args()
    if not args.weft and not args.url:
        parser.error("give --weft (stdio) or --url (HTTP)")
    try:
        report = anyio.run(run, args)
    except BaseException as exc:  # report everything, including exception groups from task groups
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()}))
        return 1
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
