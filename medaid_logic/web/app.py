"""The workbench: the ASGI app (FastAPI) with the JSON API, the pages and their static files.

The engine and KB load once per process (service.engine()); solver calls run in the threadpool
(clingo's C calls release the GIL), so one slow request never blocks the event loop."""
from __future__ import annotations

import os
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from ..case import _path
from ..errors import CaseError
from ..legal.targets import TargetError
from . import service
from .api import BadInput, build_router, schema_components
from .security import BodyTooLarge, Guard
from .settings import Settings

STATIC = Path(__file__).resolve().parent / "static"


def _error(field: str, message: str, status: int = 422) -> JSONResponse:
    return JSONResponse({"error": {"field": field, "message": message}}, status_code=status)


@asynccontextmanager
async def lifespan(app: FastAPI):
    """Load the engine and KB before the first request; size the solver threads to the cores
    (more threads than cores only queue on the GIL)."""
    import anyio.to_thread
    from starlette.concurrency import run_in_threadpool
    anyio.to_thread.current_default_thread_limiter().total_tokens = max(2, os.cpu_count() or 2)
    await run_in_threadpool(service.engine)
    yield


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    app = FastAPI(title="medaid-logic workbench", version="1", docs_url=None, redoc_url=None, lifespan=lifespan,
                  description="Medical-assistance rules engine over HTTP: one endpoint per `medaid` verb, "
                              "the contract of CASE_FORMAT.md.")
    app.state.settings = settings
    app.state.audit = service.AuditCache(search=settings.audit_search)
    app.include_router(build_router(settings, app.state.audit))
    from .pages import build_pages
    app.include_router(build_pages(settings, app.state.audit))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/healthz", include_in_schema=True, summary="liveness")
    async def healthz():
        return {"ok": True, "audit_ready": app.state.audit.ready()}

    def wants_html(request: Request) -> bool:
        return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")

    async def bad(request: Request, field: str, message: str, status: int = 422):
        if wants_html(request):
            from .pages import error_page
            return error_page(request, field, message, status)
        return _error(field, message, status)

    @app.exception_handler(CaseError)
    async def case_error(request, exc: CaseError):
        return await bad(request, exc.field, exc.message)

    @app.exception_handler(TargetError)
    async def target_error(request, exc: TargetError):
        return await bad(request, "set" if request.url.path.endswith("what-if") else "target", str(exc))

    @app.exception_handler(BadInput)
    async def bad_input(request, exc: BadInput):
        return await bad(request, exc.field, exc.message, exc.status)

    @app.exception_handler(BodyTooLarge)
    async def too_large(request, exc):
        return _error("body", f"request body larger than {settings.max_body} bytes", 413)

    @app.exception_handler(RequestValidationError)
    async def validation(request, exc: RequestValidationError):
        err = exc.errors()[0]
        loc = tuple(p for p in err.get("loc", ()) if p not in ("query", "body", "path", "header"))
        return await bad(request, _path(loc), err.get("msg", "invalid"))

    def openapi():
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            schema.setdefault("components", {}).setdefault("schemas", {}).update(schema_components())
            app.openapi_schema = schema
        return app.openapi_schema
    app.openapi = openapi
    return Guard(app, settings.token, settings.max_body)


def fastapi_of(asgi) -> FastAPI:
    """The FastAPI app inside the guard (for tests and schemathesis)."""
    return getattr(asgi, "app", asgi)
