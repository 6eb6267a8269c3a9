"""Finding every way files come in: API operations taking a binary field, forms with a file field.

Used by the generic upload tests (``anjian/files/tests/test_every_upload.py``): each endpoint found
must have a case in its app's ``tests/upload_cases.py`` (or be named as not an attachment), so a
later module's upload is fuzzed with the same bad files without anyone remembering to."""

from __future__ import annotations

import inspect
from typing import Any

from django import forms

from anjian.utilities.discovery import app_modules


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _has_binary(schema: dict[str, Any], node: dict[str, Any], depth: int = 0) -> bool:
    node = _resolve(schema, node)
    if node.get("format") == "binary":
        return True
    if depth > 3:
        return False
    children = [*node.get("properties", {}).values(), *([node["items"]] if "items" in node else []),
                *node.get("allOf", []), *node.get("oneOf", [])]
    return any(_has_binary(schema, c, depth + 1) for c in children)


def api_upload_operations() -> set[str]:
    """``"api:POST /api/v1/.../"`` for every operation of the OpenAPI schema that takes a file."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = (operation.get("requestBody") or {}).get("content", {})
            if any(_has_binary(schema, body.get("schema", {})) for body in content.values()):
                found.add(f"api:{method.upper()} {path}")
    return found


def form_upload_classes() -> set[str]:
    """``"form:anjian.<app>.forms.<Form>"`` for every form of the apps with a file field."""
    found = set()
    for _label, module in app_modules("forms"):
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if (issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__
                    and any(isinstance(f, forms.FileField) for f in cls.base_fields.values())):
                found.add(f"form:{module.__name__}.{name}")
    return found
