"""The OpenAPI 3.0 document of the read-only JSON API (served at /api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any

from app.models.unit import UnitKind
from app.web.years import FIRST_YEAR, LAST_YEAR

NULLABLE_STRING = {"type": "string", "nullable": True}
NUMBER_OR_NULL = {"type": "number", "nullable": True}
ROLES = ["chairman", "office", "culture", "town_admin", "front"]
UNIT_KINDS = [kind.value for kind in UnitKind]

UNIT = {
    "type": "object",
    "required": ["slug", "code", "name", "kind", "full_name", "is_tenant"],
    "properties": {
        "slug": {"type": "string"}, "code": {"type": "string"}, "name": {"type": "string"},
        "kind": {"type": "string", "enum": UNIT_KINDS}, "full_name": {"type": "string"},
        "is_tenant": {"type": "boolean"},
    },
}
PLAN_SUMMARY_PROPERTIES = {
    "year": {"type": "integer"},
    "status": {"type": "string", "enum": ["draft", "submitted", "issued"]},
    "title": {"type": "string"},
    "number": NULLABLE_STRING,
    "issued_on": {"type": "string", "format": "date", "nullable": True},
}
TASK = {
    "type": "object",
    "required": ["id", "text", "owner_role", "schedule"],
    "properties": {
        "id": {"type": "integer"}, "key": NULLABLE_STRING, "text": {"type": "string"},
        "owner_role": {"type": "string", "enum": ROLES},
        "schedule": {"type": "string", "enum": ["once", "monthly", "quarterly", "ongoing"]},
    },
}
SECTION = {
    "type": "object",
    "required": ["id", "number", "title", "tasks", "sections"],
    "properties": {
        "id": {"type": "integer"}, "number": {"type": "string"}, "title": {"type": "string"},
        "body": {"type": "string"}, "kind": {"type": "string"},
        "tasks": {"type": "array", "items": {"$ref": "#/components/schemas/Task"}},
        "sections": {"type": "array", "items": {"$ref": "#/components/schemas/Section"}},
    },
}
INDICATOR = {
    "type": "object",
    "required": ["code", "name", "unit", "source", "value"],
    "properties": {
        "code": {"type": "string"}, "name": {"type": "string"}, "unit": {"type": "string"},
        "target": NUMBER_OR_NULL, "source": {"type": "string", "enum": ["computed", "entered"]},
        "register": NULLABLE_STRING, "value": NUMBER_OR_NULL,
        "parts": {"type": "object", "additionalProperties": {"type": "number", "nullable": True}},
        "note": {"type": "string"},
    },
}
PERIOD = {
    "type": "object",
    "required": ["code", "kind", "start", "end"],
    "properties": {
        "code": {"type": "string"}, "kind": {"type": "string", "enum": ["year", "half", "quarter", "month"]},
        "start": {"type": "string", "format": "date"}, "end": {"type": "string", "format": "date"},
    },
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
    "Unit": UNIT,
    "Task": TASK,
    "Section": SECTION,
    "Indicator": INDICATOR,
    "Period": PERIOD,
    "PlanSummary": {"type": "object", "required": list(PLAN_SUMMARY_PROPERTIES),
                    "properties": PLAN_SUMMARY_PROPERTIES},
    "UnitList": {
        "type": "object", "required": ["units"],
        "properties": {"units": {"type": "array", "items": {
            "allOf": [_ref("Unit"), {"type": "object", "required": ["roles", "children"], "properties": {
                "roles": {"type": "array", "items": {"type": "string", "enum": ROLES}},
                "children": {"type": "array", "items": _ref("Unit")},
            }}],
        }}},
    },
    "UnitDetail": {
        "allOf": [_ref("Unit"), {"type": "object", "required": ["parent", "roles", "wards"], "properties": {
            "parent": {"allOf": [_ref("Unit")], "nullable": True},
            "roles": {"type": "array", "items": {"type": "string", "enum": ROLES}},
            "wards": {"type": "array", "items": _ref("Unit")},
        }}],
    },
    "PlanDocument": {
        "type": "object", "required": ["unit", "plan"],
        "properties": {
            "unit": _ref("Unit"),
            "plan": {"allOf": [_ref("PlanSummary"), {"type": "object", "required": ["legal_bases", "sections"],
                                                     "properties": {
                "heading": {"type": "string"}, "preamble": {"type": "string"},
                "legal_bases": {"type": "array", "items": {"type": "string"}},
                "closing": {"type": "string"}, "recipients": {"type": "array", "items": {"type": "string"}},
                "signer_title": {"type": "string"}, "signer_name": {"type": "string"},
                "revision": {"type": "integer"}, "template_revision": {"type": "integer", "nullable": True},
                "created_at": {"type": "string", "format": "date-time"},
                "sections": {"type": "array", "items": _ref("Section")},
            }}]},
        },
    },
    "IndicatorValues": {
        "type": "object", "required": ["unit", "year", "period", "indicators"],
        "properties": {
            "unit": _ref("Unit"), "year": {"type": "integer"}, "period": _ref("Period"),
            "indicators": {"type": "array", "items": _ref("Indicator")},
        },
    },
    "Rollup": {
        "type": "object", "required": ["unit", "year", "period", "page", "wards"],
        "properties": {
            "unit": _ref("Unit"), "year": {"type": "integer"}, "period": _ref("Period"),
            "page": {"type": "object", "required": ["number", "size", "pages", "total"], "properties": {
                "number": {"type": "integer"}, "size": {"type": "integer"}, "pages": {"type": "integer"},
                "total": {"type": "integer", "description": "Wards and communes below the unit, on every page"},
            }},
            "wards": {"type": "array", "items": {
                "type": "object", "required": ["unit", "plan", "task_count", "indicators"],
                "properties": {
                    "unit": _ref("Unit"),
                    "plan": {"allOf": [_ref("PlanSummary")], "nullable": True},
                    "task_count": {"type": "integer"},
                    "indicators": {"type": "array", "items": _ref("Indicator")},
                },
            }},
        },
    },
}

UNIT_SLUG = {"name": "unit_slug", "in": "path", "required": True, "description": "Unit slug, e.g. phu-son",
             "schema": {"type": "string"}, "example": "phu-son"}
YEAR = {"name": "year", "in": "path", "required": True, "description": "Plan year",
        "schema": {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR}, "example": 2025}
PAGE_PARAM = {"name": "page", "in": "query", "required": False, "description": "Page of wards, from 1",
              "schema": {"type": "integer", "minimum": 1, "default": 1}}
PER_PAGE_PARAM = {"name": "per_page", "in": "query", "required": False, "description": "Wards per page",
                  "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}}
PERIOD_PARAM = {
    "name": "period", "in": "query", "required": False,
    "description": "The year (2025), a half (2025-H1), a quarter (2025-Q2) or a month (2025-03) of `year`; "
                   "default: the year",
    "schema": {"type": "string", "pattern": r"^\d{4}(-H[12]|-Q[1-4]|-(0[1-9]|1[0-2]))?$"},
}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _get(summary: str, schema: str, parameters: list[dict[str, Any]], *, unit: bool,
         bad_request: bool = False) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {"description": "OK", "content": {"application/json": {"schema": _ref(schema)}}},
        "401": _error("Missing, unknown or revoked token"),
    }
    if unit:
        responses["403"] = _error("The token's user lacks the permission on this unit")
        responses["404"] = _error("No such unit (or plan) in the token's scope")
    if bad_request:
        responses["400"] = _error("Unknown period for this year")
    return {"get": {"summary": summary, "operationId": summary.lower().replace(" ", "_"),
                    "parameters": parameters, "responses": responses}}


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Dân vận chính quyền API",
            "version": "1.0.0",
            "description": "Read-only. A token carries exactly its user's roles and scope; "
                           "units outside it answer 404. Dates are ISO 8601.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "dvcq_…"}},
            "schemas": SCHEMAS,
        },
        "paths": {
            "/openapi.json": {"get": {
                "summary": "This document", "operationId": "get_openapi", "security": [],
                "responses": {"200": {"description": "OK", "content": {"application/json": {
                    "schema": {"type": "object", "required": ["openapi", "paths"]}}}}},
            }},
            "/units": _get("List units", "UnitList", [], unit=False),
            "/u/{unit_slug}": _get("Get unit", "UnitDetail", [UNIT_SLUG], unit=True),
            "/u/{unit_slug}/plans/{year}": _get("Get plan", "PlanDocument", [UNIT_SLUG, YEAR], unit=True),
            "/u/{unit_slug}/plans/{year}/indicators": _get(
                "Get indicators", "IndicatorValues", [UNIT_SLUG, YEAR, PERIOD_PARAM], unit=True, bad_request=True),
            "/u/{unit_slug}/rollup/{year}": _get(
                "Get rollup", "Rollup", [UNIT_SLUG, YEAR, PERIOD_PARAM, PAGE_PARAM, PER_PAGE_PARAM], unit=True, bad_request=True),
        },
    }
