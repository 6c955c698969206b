"""Drives `keyflow lsp` over stdio, as an editor would, and prints what it answered as one
JSON object on standard output; LspCLITests.swift makes the assertions.

  lsp_client.py editor KEYFLOW_BIN   the pygls client (pygls 2 / lsprotocol): a session
                                     of open, change, completion, hover, formatting,
                                     definition, semantic tokens, an unknown method,
                                     shutdown and exit
  lsp_client.py raw KEYFLOW_BIN      hand-framed bytes: a bad header, a body that is not
                                     JSON, a request without a method, a request before
                                     initialize, then a normal session

The server's environment is this process's (the test sets the target there).
"""

import asyncio
import json
import os
import sys

URI = "file:///tmp/keyflow-lsp-test/fleet%20plan.kf"


def pos(line, character):
    from lsprotocol import types as t

    return t.Position(line=line, character=character)


def diag_json(d):
    return {
        "range": [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character],
        "severity": int(d.severity) if d.severity is not None else None,
        "code": d.code,
        "source": d.source,
        "message": d.message,
    }


async def editor(binary):
    from lsprotocol import types as t
    from pygls.exceptions import JsonRpcException
    from pygls.lsp.client import LanguageClient

    client = LanguageClient("keyflow-lsp-test", "1")
    published = []  # (uri, version, diagnostics) in order
    logs = []
    got = asyncio.Event()

    @client.feature(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params):
        published.append({"uri": params.uri, "version": params.version, "diagnostics": [diag_json(d) for d in params.diagnostics]})
        got.set()

    @client.feature(t.WINDOW_LOG_MESSAGE)
    def on_log(params):
        logs.append({"type": int(params.type), "message": params.message})

    async def next_diagnostics():
        await asyncio.wait_for(got.wait(), 10)
        got.clear()
        return published[-1]

    out = {}
    await client.start_io(binary, "lsp")
    init = await client.initialize_async(t.InitializeParams(capabilities=t.ClientCapabilities(), process_id=os.getpid()))
    caps = init.capabilities
    out["capabilities"] = {
        "completion": caps.completion_provider is not None,
        "hover": bool(caps.hover_provider),
        "definition": bool(caps.definition_provider),
        "formatting": bool(caps.document_formatting_provider),
        "semanticTokens": caps.semantic_tokens_provider is not None,
        "legend": caps.semantic_tokens_provider.legend.token_types if caps.semantic_tokens_provider else [],
    }
    client.initialized(t.InitializedParams())

    # 1. A document with an error on a line of non-ASCII text.
    broken = (
        "param lifetime = 90d\n"
        "for t in [\"a\", \"b\"] {\n"
        "  ensure \"tenant-${t}\" scopes [users.read] expire in lifetime\n"
        "}\n"
        "print \"naïve 🎉 café\", missing\n"
    )
    client.text_document_did_open(
        t.DidOpenTextDocumentParams(text_document=t.TextDocumentItem(uri=URI, language_id="keyflow", version=1, text=broken))
    )
    out["opened"] = await next_diagnostics()
    out["brokenText"] = broken

    # 2. Fixed by a change: the diagnostics go.
    fixed = broken.replace(", missing", ", lifetime")
    client.text_document_did_change(
        t.DidChangeTextDocumentParams(
            text_document=t.VersionedTextDocumentIdentifier(uri=URI, version=2),
            content_changes=[t.TextDocumentContentChangeWholeDocument(text=fixed)],
        )
    )
    out["fixed"] = await next_diagnostics()

    # 3. Completion after `scopes [data`, and of a statement at the start of a line.
    typing = fixed + "create \"ci\" scopes [data"
    client.text_document_did_change(
        t.DidChangeTextDocumentParams(
            text_document=t.VersionedTextDocumentIdentifier(uri=URI, version=3),
            content_changes=[t.TextDocumentContentChangeWholeDocument(text=typing)],
        )
    )
    await next_diagnostics()
    last = typing.count("\n")
    completion = await client.text_document_completion_async(
        t.CompletionParams(text_document=t.TextDocumentIdentifier(uri=URI), position=pos(last, len("create \"ci\" scopes [data")))
    )
    items = completion.items if hasattr(completion, "items") else completion
    out["scopeCompletion"] = [
        {"label": i.label, "kind": int(i.kind) if i.kind else None, "detail": i.detail,
         "edit": [i.text_edit.range.start.character, i.text_edit.range.end.character, i.text_edit.new_text] if i.text_edit else None}
        for i in items
    ]

    # 4. Live names: a key name inside `show "`, a project id inside `in project "`.
    live = fixed + "show \"\n"
    client.text_document_did_change(
        t.DidChangeTextDocumentParams(
            text_document=t.VersionedTextDocumentIdentifier(uri=URI, version=4),
            content_changes=[t.TextDocumentContentChangeWholeDocument(text=live)],
        )
    )
    await next_diagnostics()
    line = live.count("\n") - 1
    keys = await client.text_document_completion_async(
        t.CompletionParams(text_document=t.TextDocumentIdentifier(uri=URI), position=pos(line, len("show \"")))
    )
    out["keyCompletion"] = [{"label": i.label, "detail": i.detail, "newText": i.text_edit.new_text if i.text_edit else None} for i in keys.items]
    live = fixed + "in project \"\n"
    client.text_document_did_change(
        t.DidChangeTextDocumentParams(
            text_document=t.VersionedTextDocumentIdentifier(uri=URI, version=5),
            content_changes=[t.TextDocumentContentChangeWholeDocument(text=live)],
        )
    )
    await next_diagnostics()
    projects = await client.text_document_completion_async(
        t.CompletionParams(text_document=t.TextDocumentIdentifier(uri=URI), position=pos(line, len("in project \"")))
    )
    out["projectCompletion"] = [{"label": i.label, "detail": i.detail} for i in projects.items]

    # 5. Back to the fixed text; hover a keyword, a scope; go to definitions.
    client.text_document_did_change(
        t.DidChangeTextDocumentParams(
            text_document=t.VersionedTextDocumentIdentifier(uri=URI, version=6),
            content_changes=[t.TextDocumentContentChangeWholeDocument(text=fixed)],
        )
    )
    await next_diagnostics()

    async def hover(line, character):
        h = await client.text_document_hover_async(
            t.HoverParams(text_document=t.TextDocumentIdentifier(uri=URI), position=pos(line, character))
        )
        return None if h is None else h.contents.value

    out["hoverEnsure"] = await hover(2, 4)
    out["hoverScope"] = await hover(2, fixed.split("\n")[2].index("users.read") + 2)
    out["hoverNothing"] = await hover(3, 0)

    async def definition(line, character):
        d = await client.text_document_definition_async(
            t.DefinitionParams(text_document=t.TextDocumentIdentifier(uri=URI), position=pos(line, character))
        )
        if d is None:
            return None
        loc = d[0] if isinstance(d, list) else d
        return {"uri": loc.uri, "range": [loc.range.start.line, loc.range.start.character, loc.range.end.line, loc.range.end.character]}

    lines = fixed.split("\n")
    out["definitionLoopVariable"] = await definition(2, lines[2].index("${t}") + 2)
    out["definitionParam"] = await definition(2, lines[2].index("lifetime") + 1)
    out["definitionParamAfterEmoji"] = await definition(4, len(lines[4].encode("utf-16-le")) // 2 - 3)
    out["definitionNone"] = await definition(0, 0)

    # 6. Semantic tokens.
    tokens = await client.text_document_semantic_tokens_full_async(
        t.SemanticTokensParams(text_document=t.TextDocumentIdentifier(uri=URI))
    )
    out["semanticTokens"] = tokens.data

    # 7. Formatting: an untidy document, then one with a syntax error (refused).
    untidy = "let   x=1\nfor t in [\"a\"]   {  print   t }\n"
    client.text_document_did_change(
        t.DidChangeTextDocumentParams(
            text_document=t.VersionedTextDocumentIdentifier(uri=URI, version=7),
            content_changes=[t.TextDocumentContentChangeWholeDocument(text=untidy)],
        )
    )
    await next_diagnostics()
    edits = await client.text_document_formatting_async(
        t.DocumentFormattingParams(text_document=t.TextDocumentIdentifier(uri=URI), options=t.FormattingOptions(tab_size=2, insert_spaces=True))
    )
    out["formatted"] = [
        {"range": [e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character], "newText": e.new_text}
        for e in edits
    ]
    client.text_document_did_change(
        t.DidChangeTextDocumentParams(
            text_document=t.VersionedTextDocumentIdentifier(uri=URI, version=8),
            content_changes=[t.TextDocumentContentChangeWholeDocument(text="let x = \n")],
        )
    )
    await next_diagnostics()
    try:
        await client.text_document_formatting_async(
            t.DocumentFormattingParams(text_document=t.TextDocumentIdentifier(uri=URI), options=t.FormattingOptions(tab_size=2, insert_spaces=True))
        )
        out["formatRefused"] = None
    except JsonRpcException as e:
        out["formatRefused"] = {"code": e.code, "message": e.message}

    # 8. An unknown method: a JSON-RPC error, and the server goes on.
    try:
        await client.protocol.send_request_async("keyflow/noSuchMethod", {})
        out["unknownMethod"] = None
    except JsonRpcException as e:
        out["unknownMethod"] = {"code": e.code, "message": e.message}
    out["hoverAfterUnknown"] = await hover(0, 0)

    # 9. Close: the diagnostics are cleared. Then shut down and exit.
    client.text_document_did_close(t.DidCloseTextDocumentParams(text_document=t.TextDocumentIdentifier(uri=URI)))
    out["closed"] = await next_diagnostics()
    await client.shutdown_async(None)
    client.exit(None)
    server = client._server
    out["exitCode"] = await asyncio.wait_for(server.wait(), 10)
    out["logs"] = logs
    await client.stop()
    return out


def frame(body):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return b"Content-Length: %d\r\n\r\n" % len(data) + data


async def raw(binary):
    proc = await asyncio.create_subprocess_exec(
        binary, "lsp", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )

    async def read_message():
        length = None
        while True:
            line = await asyncio.wait_for(proc.stdout.readline(), 10)
            if not line:
                return None
            line = line.strip()
            if not line:
                break
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        body = await proc.stdout.readexactly(length)
        return json.loads(body)

    out = {"answers": []}
    sent = [
        b"Content-Type: text/plain\r\n\r\n",  # no Content-Length
        frame(b"{not json"),
        frame({"jsonrpc": "2.0", "id": 1}),  # no method
        frame({"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": {}}),  # before initialize
        frame({"jsonrpc": "2.0", "id": 3, "method": "initialize", "params": {"capabilities": {}}}),
        frame({"jsonrpc": "2.0", "id": 4, "method": "no/such/method", "params": {}}),
        frame({"jsonrpc": "2.0", "id": 5, "method": "textDocument/hover", "params": {"textDocument": {"uri": "file:///nowhere.kf"}, "position": {"line": 0, "character": 0}}}),
        frame({"jsonrpc": "2.0", "id": 6, "method": "textDocument/hover", "params": []}),
        frame({"jsonrpc": "2.0", "id": 7, "method": "shutdown"}),
        frame({"jsonrpc": "2.0", "id": 8, "method": "textDocument/hover", "params": {}}),  # after shutdown
    ]
    for chunk in sent:
        proc.stdin.write(chunk)
        await proc.stdin.drain()
        message = await read_message()
        out["answers"].append(message)
    proc.stdin.write(frame({"jsonrpc": "2.0", "method": "exit"}))
    await proc.stdin.drain()
    out["exitCode"] = await asyncio.wait_for(proc.wait(), 10)
    return out


def main():
    mode, binary = sys.argv[1], sys.argv[2]
    result = asyncio.run(editor(binary) if mode == "editor" else raw(binary))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
