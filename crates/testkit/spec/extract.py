#!/usr/bin/env python3
"""Extracts the part of SignalWire's published OpenAPI specs that Ringdesk's client uses into
signalwire-openapi-subset.json, which the emulator (crates/testkit/src/signalwire_spec.rs)
validates requests and answers against.

Source: github.com/signalwire/docs, fern/apis/compatibility/openapi.yaml and
fern/apis/signalwire-rest/openapi.yaml (commit 668371b217817d9037657f5079d2345945ad9331).
Usage: extract.py COMPAT_YAML REST_YAML > signalwire-openapi-subset.json
$refs are inlined; descriptions and examples are dropped.
"""
import json
import sys

import yaml

USED = {
    "compat": [
        ("/Accounts/{AccountSid}/Messages", ["get", "post"]),
        ("/Accounts/{AccountSid}/Messages/{Sid}", ["get"]),
        ("/Accounts/{AccountSid}/Calls", ["get", "post"]),
        ("/Accounts/{AccountSid}/Calls/{Sid}", ["get", "post"]),
        ("/Accounts/{AccountSid}/LamlBins", ["get", "post"]),
        ("/Accounts/{AccountSid}/LamlBins/{Sid}", ["post"]),
        ("/Accounts/{AccountSid}/AvailablePhoneNumbers/{IsoCountry}/Local", ["get"]),
        ("/Accounts/{AccountSid}/IncomingPhoneNumbers", ["get", "post"]),
        ("/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}", ["post", "delete"]),
        ("/Accounts/{AccountSid}/Recordings", ["get"]),
        ("/Accounts/{AccountSid}/Recordings/{Sid}", ["get", "delete"]),
        ("/Accounts/{AccountSid}/Transcriptions", ["get"]),
    ],
    "rest": [
        ("/api/relay/rest/endpoints/sip", ["get", "post"]),
        ("/api/relay/rest/endpoints/sip/{id}", ["put"]),
        ("/api/relay/rest/sip_profile", ["get"]),
        ("/api/relay/rest/phone_numbers", ["get"]),
        ("/api/relay/rest/phone_numbers/{id}", ["put"]),
        ("/api/fabric/resources/ai_agents", ["get"]),
        ("/api/fabric/resources/{id}/phone_routes", ["post"]),
    ],
}
DROP = {"description", "examples", "example", "title", "deprecated", "x-ms-enum"}


def resolve(node, spec, depth=0):
    if depth > 40:
        return {}
    if isinstance(node, dict):
        if "$ref" in node:
            _, _, section, name = node["$ref"].split("/")
            return resolve(spec["components"][section][name], spec, depth + 1)
        return {k: resolve(v, spec, depth + 1) for k, v in node.items() if k not in DROP}
    if isinstance(node, list):
        return [resolve(v, spec, depth + 1) for v in node]
    return node


def main():
    out = {}
    for api, path_file in (("compat", sys.argv[1]), ("rest", sys.argv[2])):
        spec = yaml.safe_load(open(path_file))
        ops = {}
        for path, methods in USED[api]:
            item = spec["paths"].get(path)
            if item is None:
                raise SystemExit(f"{api}: no path {path}")
            for m in methods:
                op = item.get(m)
                if op is None:
                    raise SystemExit(f"{api}: no {m} {path}")
                entry = {"operationId": op.get("operationId")}
                body = op.get("requestBody", {}).get("content", {})
                for ctype, c in body.items():
                    entry["content_type"] = ctype
                    entry["request"] = resolve(c.get("schema", {}), spec)
                responses = {}
                for status, r in op.get("responses", {}).items():
                    if not str(status).startswith("2"):
                        continue
                    content = r.get("content", {})
                    schema = content.get("application/json", {}).get("schema")
                    responses[str(status)] = resolve(schema, spec) if schema else None
                entry["responses"] = responses
                params = []
                for p in op.get("parameters", []):
                    p = resolve(p, spec)
                    if p.get("in") == "query":
                        params.append({"name": p["name"], "schema": p.get("schema", {})})
                entry["query"] = params
                ops[f"{m.upper()} {path}"] = entry
        out[api] = ops
    json.dump(out, sys.stdout, separators=(",", ":"), sort_keys=True)
    sys.stdout.write("\n")


main()
