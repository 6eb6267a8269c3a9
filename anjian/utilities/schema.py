"""The OpenAPI schema describes what the API does (issue 10, item 7): drf-spectacular hooks.

``declare_error_responses`` (a postprocessing hook, named in ``SPECTACULAR_SETTINGS``) gives every
operation the error answers it can give and does not declare itself, each a JSON ``Error``
(``{"detail": ...}`` or field errors, SPEC §8):

* 401 -- no token, or a wrong one (every operation but the token login);
* 403 -- the role may not do this (every operation);
* 404 -- outside the user's scope, no such object, or a page past the last (a path with a
  parameter, and every paginated collection);
* 400 -- bad input: a body that does not validate, a filter or query value that is not one
  (every operation: some views read query parameters they do not declare);
* 409 -- the rules refuse the step now (every write);
* 413, 415 -- a body too large, or not JSON / form data (every operation with a body).

The schemathesis run of ``tests/fuzz/run.py`` checks every answer against this schema.
"""

from __future__ import annotations

from typing import Any

ERROR_COMPONENT = "Error"

ERROR_SCHEMA: dict[str, Any] = {
    "description": "An error: ``{\"detail\": message}``, or the field errors ``{\"field\": [message, ...]}``.",
    "anyOf": [
        {"type": "object", "properties": {"detail": {"type": "string"}}, "additionalProperties": {}},
        {"type": "array", "items": {}},
    ],
}

DESCRIPTIONS = {
    "400": "Bad input: the field errors, or a filter value that is not one.",
    "401": "No token, or a token that is not (or no longer) valid.",
    "403": "The role may not do this.",
    "404": "Not found: no such object in the user's scope, or a page past the last.",
    "409": "The rules refuse this step now; the message says why.",
    "413": "The request body is too large.",
    "415": "The body is neither JSON nor form data.",
}

WRITES = {"post", "put", "patch", "delete"}
PUBLIC_PATHS = ("/api/v1/auth/token/",)


def _codes(path: str, method: str, operation: dict[str, Any]) -> list[str]:
    # 400 everywhere: views that read their own query parameters (``?year=``) declare none of them.
    codes = ["403", "400"]
    if path not in PUBLIC_PATHS:
        codes.append("401")
    has_body = "requestBody" in operation
    paginated = any(p.get("name") == "page" for p in operation.get("parameters", []))
    if "{" in path or paginated:
        codes.append("404")
    if method in WRITES and path not in PUBLIC_PATHS:
        codes.append("409")
    if has_body or method in ("post", "put", "patch"):
        codes.extend(["413", "415"])
    return codes


def declare_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the error answers of every operation."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(ERROR_COMPONENT, ERROR_SCHEMA)
    ref = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code in _codes(path, method, operation):
                existing = responses.get(code)
                if existing is None:
                    responses[code] = {"content": {"application/json": {"schema": ref}},
                                       "description": DESCRIPTIONS[code]}
                elif "content" not in existing:
                    # Declared with a description only (``OpenApiResponse(description=...)``): say what it carries.
                    existing["content"] = {"application/json": {"schema": ref}}
    return result
